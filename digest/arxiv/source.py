"""Candidate papers from arXiv's query API: polite, patient, and never silently empty.

The ``arxiv`` package does the paging and the Atom parsing. What it lacks for a bot
that runs unattended (timeouts, backoff, Retry-After, a process-wide request spacing,
and telling a failed page from an empty week) is added at its one fetch seam.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Iterable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit

import arxiv
import requests
import tenacity
from arxiv import _feed
from lxml import etree

from digest.models import Paper
from digest.ratelimit import shared_spacing

log = logging.getLogger(__name__)

GATE = "arxiv"  # every request to arxiv.org in the process waits at this one gate
MAX_WAIT = 300.0  # seconds: cap on one backoff or Retry-After wait
_ATOM = "{http://www.w3.org/2005/Atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
# Strict, unlike the arxiv package's recovering parser: a truncated page must be
# retried, not turned into a shorter list of papers.
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
_ENTRY_ID = re.compile(r"^(?P<base>https?://[^/]+/abs/(?P<id>.+?))(?:v(?P<version>\d+))?$")


def _user_agent() -> str:
    try:
        ours = version("arxiv-digest-bot")
    except PackageNotFoundError:
        ours = "0"
    # arXiv asks API clients to identify themselves; keep the arxiv package's token too.
    return f"arxiv-digest-bot/{ours} {arxiv._USER_AGENT}"


USER_AGENT = _user_agent()


class ArxivUnavailable(Exception):
    """arXiv could not answer a query: what failed, at which host, after how many attempts."""

    def __init__(self, reason: str, *, host: str, attempts: int, status: int | None = None) -> None:
        self.reason, self.host, self.attempts, self.status = reason, host, attempts, status
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        super().__init__(f"arXiv API at {host} failed after {tries}: {reason}")


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class _Client(arxiv.Client):
    """arxiv.Client whose fetch seam goes through ArxivSource's gate and retry policy.

    arxiv==4.0.2 is pinned: ``_parse_feed(url, first_page, _try_index)`` is the single
    method that performs HTTP in that version (``_results`` pages through it). Its own
    version has no timeout or backoff, treats an empty first page as "no results" and a
    malformed feed as an empty one.
    """

    def __init__(self, source: ArxivSource) -> None:
        page = min(source.page_size, source.max_candidates)
        super().__init__(page_size=page, delay_seconds=0.0, num_retries=0)
        self.query_url_format = source.api_url + "?{}"
        self._source = source

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> _feed.ParsedFeed:
        return self._source._get_page(self._session, url, first_page)


class ArxivSource:
    """Fetches a query's papers; ``requests_made`` counts HTTP attempts for tests and benches."""

    def __init__(
        self,
        api_url: str = "https://export.arxiv.org/api/query",
        min_interval: float = 3.0,
        page_size: int = 100,
        max_candidates: int = 300,
        retries: int = 4,
        backoff: float = 3.0,
        timeout: float = 30.0,
    ) -> None:
        self.api_url = api_url
        self.host = urlsplit(api_url).hostname or "?"
        self.page_size = page_size
        self.max_candidates = max_candidates
        self.retries = retries
        self.timeout = timeout
        self.requests_made = 0  # HTTP attempts, retries included
        self._gate = shared_spacing(GATE, min_interval)
        self._backoff = tenacity.wait_exponential(multiplier=backoff, max=MAX_WAIT)
        self._count_lock = threading.Lock()

    def fetch(self, query: str) -> list[Paper]:
        """Papers matching a full ``search_query`` in arXiv's relevance order, deduplicated.

        Raises ArxivUnavailable when arXiv cannot answer; [] means it answered "none".
        """
        search = arxiv.Search(
            query=query,
            max_results=self.max_candidates,
            sort_by=arxiv.SortCriterion.Relevance,
            sort_order=arxiv.SortOrder.Descending,
        )
        client = _Client(self)  # one per call: a requests.Session is not shared across threads
        try:
            results = list(client.results(search))
        finally:
            client._session.close()
        papers = _dedupe(p for p in map(_to_paper, results) if p is not None)[: self.max_candidates]
        log.info("arXiv at %s: %d papers for %r", self.host, len(papers), query)
        return papers

    async def afetch(self, query: str) -> list[Paper]:
        return await asyncio.to_thread(self.fetch, query)

    # -- one page, with retries ------------------------------------------------------

    def _get_page(self, session: requests.Session, url: str, first_page: bool) -> _feed.ParsedFeed:
        attempts = 0

        def attempt() -> _feed.ParsedFeed:
            nonlocal attempts
            attempts += 1
            try:
                return self._attempt(session, url, first_page)
            except _Rejected as rejected:
                raise ArxivUnavailable(
                    rejected.reason, host=self.host, attempts=attempts, status=rejected.status
                ) from None

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Retryable),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retryable as failure:
            raise ArxivUnavailable(failure.reason, host=self.host, attempts=attempts) from failure

    def _wait(self, state: tenacity.RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _Retryable) and failure.retry_after is not None:
            return failure.retry_after
        return self._backoff(state)

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "arXiv at %s: %s (attempt %d of %d); retrying in %.1f s",
            self.host, failure, state.attempt_number, self.retries + 1, wait,
        )

    def _attempt(self, session: requests.Session, url: str, first_page: bool) -> _feed.ParsedFeed:
        self._gate.wait()
        with self._count_lock:
            self.requests_made += 1
        try:
            response = session.get(url, headers={"User-Agent": USER_AGENT}, timeout=self.timeout)
        except requests.Timeout:
            raise _Retryable(f"timeout: no answer within {self.timeout:g} s") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Retryable(f"connection error ({type(exc).__name__})") from None
        except requests.RequestException as exc:  # a bad URL in the settings: retrying won't help
            raise _Rejected(f"request failed ({type(exc).__name__}: {exc})") from None

        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status}", retry_after=retry_after_seconds(response.headers.get("Retry-After")))
        if status != 200:
            text = _error_text(response.content)
            raise _Rejected(f"HTTP {status}" + (f": {text}" if text else ""), status)

        try:
            root = etree.fromstring(response.content, _STRICT)
        except etree.XMLSyntaxError as exc:
            raise _Retryable(f"malformed feed ({exc})") from None
        if root.tag != f"{_ATOM}feed" or root.find(f"{_OPENSEARCH}totalResults") is None:
            raise _Retryable(f"malformed feed (root <{etree.QName(root).localname}>, no totalResults)")
        if text := _error_entry(root):
            raise _Rejected(f"arXiv error: {text}", status)

        feed = _feed.parse(response.content)
        total = feed.header.total_results
        if not feed.results:
            if first_page and total == 0:
                return feed  # a genuinely empty window
            # arXiv sometimes serves a page without its entries; the same URL then works.
            raise _Retryable(f"empty page: no entries at start={feed.header.start_index}, totalResults={total}")
        return feed


class _Rejected(Exception):
    """arXiv refused the request itself (4xx other than 429): retrying cannot help."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_WAIT)


def _error_text(content: bytes) -> str | None:
    try:
        return _error_entry(etree.fromstring(content, _STRICT))
    except etree.XMLSyntaxError:
        return None


def _error_entry(root: etree._Element) -> str | None:
    """The text of arXiv's error entry (id http://arxiv.org/api/errors#...), if any."""
    for entry in root.iterfind(f"{_ATOM}entry"):
        if "/api/errors" in (entry.findtext(f"{_ATOM}id") or ""):
            return " ".join((entry.findtext(f"{_ATOM}summary") or "unspecified error").split())
    return None


# arXiv's archives, current and retired: https://arxiv.org/category_taxonomy lists the
# current ones; the retired ones (merged into others since) still name old papers.
ARXIV_ARCHIVES = frozenset(
    "cs econ eess math q-bio q-fin stat astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th "
    "math-ph nlin nucl-ex nucl-th physics quant-ph "
    "acc-phys adap-org alg-geom ao-sci atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas dg-ga "
    "funct-an mtrl-th patt-sol plasm-ph q-alg solv-int supr-con".split()
)
# Archives that only ever name a category with a subject class: "cs" alone is none.
_NEEDS_SUBJECT = frozenset("cs econ eess math q-bio q-fin stat".split())
# The two archives whose subject classes are lowercase words; all others use two capitals.
_WORD_SUBJECTS = frozenset("physics cond-mat".split())
_CATEGORY_NAME = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?:(?P<caps>[A-Z]{2})|(?P<word>[a-z]+(?:-[a-z]+)?)))?"
)


def is_arxiv_category(term: str) -> bool:
    """True for an arXiv category name as arXiv's category taxonomy writes them.

    The taxonomy (https://arxiv.org/category_taxonomy) names a category by its archive,
    optionally followed by a subject class: ``cs.CL``, ``math.AP``, ``stat.ML``,
    ``q-bio.NC``, ``astro-ph.CO`` (two capitals), ``physics.comp-ph`` and
    ``cond-mat.mes-hall`` (lowercase words, in these two archives only), or by the
    archive alone (``hep-th``, ``astro-ph``, ``quant-ph``, retired ones such as
    ``cmp-lg``; never ``cs`` or ``math`` alone). The API's ``<category>`` elements also
    carry the classes authors give from other schemes, which are no arXiv categories:
    MSC codes (``35Q30``, ``68T50``) and ACM classes (``I.2.7``, ``F.2.2; I.2.7``).
    """
    match = _CATEGORY_NAME.fullmatch(term)
    if match is None or (archive := match.group("archive")) not in ARXIV_ARCHIVES:
        return False
    if match.group("caps"):
        return archive not in _WORD_SUBJECTS
    if match.group("word"):
        return archive in _WORD_SUBJECTS
    return archive not in _NEEDS_SUBJECT


def arxiv_categories(terms: Iterable[str]) -> tuple[str, ...]:
    """The arXiv categories among ``terms`` (see ``is_arxiv_category``), in order, once each."""
    return tuple(dict.fromkeys(t.strip() for t in terms if is_arxiv_category(t.strip())))


def _to_paper(result: arxiv.Result) -> Paper | None:
    match = _ENTRY_ID.match(result.entry_id.strip())
    if match is None:
        log.warning("skipping an entry with an unexpected id: %r", result.entry_id)
        return None
    comment = " ".join((result.comment or "").split()) or None
    # Only arXiv's own categories: every renderer and the LLM prompt show these.
    categories = arxiv_categories(result.categories)
    primary = (result.primary_category or "").strip()
    if not is_arxiv_category(primary):
        primary = categories[0] if categories else ""
    return Paper(
        arxiv_id=match.group("id"),
        version=int(match.group("version") or 1),
        title=" ".join(result.title.split()),
        authors=tuple(a.name for a in result.authors),
        abstract=" ".join(result.summary.split()),
        categories=categories,
        primary_category=primary,
        comment=comment,
        published=result.published.astimezone(timezone.utc),
        updated=result.updated.astimezone(timezone.utc),
        abs_url=match.group("base"),
        pdf_url=result.pdf_url,
    )


def _dedupe(papers: Iterable[Paper]) -> list[Paper]:
    """One paper per id, its highest version, at the rank of its first appearance."""
    best: dict[str, Paper] = {}
    for paper in papers:
        seen = best.get(paper.arxiv_id)
        if seen is None or paper.version > seen.version:
            best[paper.arxiv_id] = paper  # replacing a key keeps its position
    return list(best.values())


def papers_from_feed(content: bytes) -> list[Paper]:
    """The papers of one arXiv Atom document (a saved answer, a bundled sample)."""
    parsed = _feed.parse(content)
    return _dedupe(p for p in map(_to_paper, parsed.results) if p is not None)
