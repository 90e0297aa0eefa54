"""A paper's full text from arXiv: its HTML rendering where there is one, else its PDF.

Requests go through ``http.ArxivHttp``: the process-wide arXiv gate the API client waits
at too (as interactive: a person asked a question, so a tick's queued searches and the
harvest wait behind it), and its retries (timeouts, connection errors, 429 honouring Retry-After, 5xx);
404 means "no such rendering" and is not retried. What comes back is a ``FullText``:
passages with their section names, or, when neither rendering gives readable text, the
abstract as the only passage with the reason, marked ``final=False`` when a retry later
could do better (a transient failure, or a library this installation lacks). A PDF is
read within bounds (``pdf_text.MAX_PAGES``, ``MAX_TEXT_CHARS``, ``MAX_SECONDS``): what was
left unread is said in the reason ("pdf: read the first 150 of 60000 pages"); that is
final, since reading it again would stop at the same bounds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from digest.arxiv.document import MIN_TEXT_WORDS, Unreadable
from digest.arxiv.html_text import html_sections
from digest.arxiv.http import ArxivHttp, off_loop
from digest.arxiv.passages import abstract_passages, to_passages
from digest.arxiv.pdf_text import read_pdf
from digest.models import FullText, Paper
from digest.retry import Transient

log = logging.getLogger(__name__)

MAX_BYTES = {"html": 20_000_000, "pdf": 50_000_000}  # larger is not a paper we can index


@dataclass(frozen=True)
class _Got:
    """One rendering's outcome: its bytes, or why not (``final``: retrying later won't help)."""

    content: bytes | None
    reason: str = ""
    final: bool = True


class FullTextFetcher:
    """Fetches and extracts full texts; ``requests_made`` counts HTTP attempts.

    ``interactive`` (default): someone waits for the text, so its requests take the arXiv
    gate's next free slot ahead of queued bulk ones; False queues them with the bulk work.
    """

    def __init__(
        self,
        html_url: str = "https://arxiv.org/html/",
        pdf_url: str = "https://arxiv.org/pdf/",
        min_interval: float = 3.0,
        retries: int = 2,
        backoff: float = 3.0,
        timeout: float = 30.0,
        interactive: bool = True,
    ) -> None:
        self.html_url = html_url
        self.interactive = interactive
        self.pdf_url = pdf_url
        self.retries = retries
        self.timeout = timeout
        # Fetches of different papers run in parallel threads and share this. A full text
        # is fetched for a thread question, with someone waiting: interactive (False: a
        # prefetch nobody waits for, queued with the bulk work).
        self._http = ArxivHttp(
            min_interval=min_interval, retries=retries, backoff=backoff, timeout=timeout, interactive=interactive
        )

    @property
    def requests_made(self) -> int:
        """HTTP attempts so far, retries included."""
        return self._http.requests_made

    async def afetch(self, paper: Paper) -> FullText:
        return await off_loop(lambda: self.fetch(paper), interactive=self.interactive)

    def fetch(self, paper: Paper) -> FullText:
        """The paper's passages from HTML, else PDF, else its abstract (never raises for arXiv)."""
        reasons: list[str] = []
        final = True
        with requests.Session() as session:
            for kind, base in (("html", self.html_url), ("pdf", self.pdf_url)):
                got = self._get(session, f"{base}{paper.versioned_id}", kind)
                final = final and got.final
                if got.content is None:
                    reasons.append(f"{kind}: {got.reason}")
                    continue
                try:
                    if kind == "html":
                        sections = html_sections(got.content)
                    else:
                        pdf = read_pdf(got.content)
                        sections = pdf.sections
                        if pdf.note:
                            reasons.append(f"pdf: {pdf.note}")  # answered from part of it
                    passages = to_passages(sections)
                    if sum(len(p.text.split()) for p in passages) < MIN_TEXT_WORDS:
                        raise Unreadable("too little text")
                except Unreadable as err:
                    reasons.append(f"{kind}: {err}")
                    if not err.final:
                        final = False  # the same bytes will read once it is fixed: not stored
                        log.error("cannot read the %s of %s: %s; answering from what else there is "
                                  "until this installation is fixed", kind, paper.versioned_id, err)
                    continue
                log.info("full text of %s: %s, %d passages", paper.versioned_id, kind, len(passages))
                return FullText(paper.arxiv_id, paper.version, kind, passages, "; ".join(reasons), final)
        reason = "; ".join(reasons)
        log.info("no full text for %s (%s): answering from the abstract", paper.versioned_id, reason)
        return FullText(paper.arxiv_id, paper.version, "abstract", abstract_passages(paper), reason, final)

    # -- one document, with retries -------------------------------------------------------

    def _get(self, session: requests.Session, url: str, kind: str) -> _Got:
        try:
            return self._http.retrying(lambda: self._attempt(session, url, kind), f"arXiv {kind} {_host(url)}")
        except Transient as failure:
            return _Got(None, f"{failure.reason} after {self.retries + 1} attempts", final=False)

    def _attempt(self, session: requests.Session, url: str, kind: str) -> _Got:
        try:
            with self._http.get(session, url, stream=True) as response:
                status = response.status_code
                if status in (404, 410):
                    return _Got(None, f"HTTP {status} (no {kind} rendering)")
                if status != 200:
                    return _Got(None, f"HTTP {status}", final=False)
                content = _read_capped(response, MAX_BYTES[kind])
        except requests.RequestException as exc:  # a bad URL in the settings
            return _Got(None, f"request failed ({type(exc).__name__})", final=False)
        if content is None:
            return _Got(None, f"larger than {MAX_BYTES[kind] // 1_000_000} MB")
        return _Got(content)


def _read_capped(response: requests.Response, limit: int) -> bytes | None:
    """The body, or None past ``limit`` bytes (read no further than that)."""
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _host(url: str) -> str:
    return urlsplit(url).hostname or "?"
