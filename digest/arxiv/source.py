"""Candidate papers from arXiv's query API: polite, patient, and never silently empty.

The ``arxiv`` package does the paging and the Atom parsing. What it lacks for a bot
that runs unattended (timeouts, backoff, Retry-After, a process-wide request spacing:
``http.py``; a strict feed check: ``feed.py``; telling a failed page from an empty week)
is added at its one fetch seam.

arXiv sometimes reports more results (``totalResults``) than it will deliver: a later
page stays empty however often it is asked for. What arrived is kept, and the shortfall
said (``Fetched.missing``), instead of losing the week; an empty first page with results
reported stays a failure (``ArxivUnavailable``), since nothing arrived at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

import arxiv
import requests
from arxiv import _feed

from digest.arxiv.feed import ErrorEntry, MalformedFeed, error_text, parse_page, to_papers
from digest.arxiv.http import ArxivHttp, off_loop
from digest.models import Fetched, Paper
from digest.retry import Transient

log = logging.getLogger(__name__)


class ArxivUnavailable(Exception):
    """arXiv could not answer a query: what failed, at which host, after how many attempts."""

    def __init__(self, reason: str, *, host: str, attempts: int, status: int | None = None) -> None:
        self.reason, self.host, self.attempts, self.status = reason, host, attempts, status
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        super().__init__(f"arXiv API at {host} failed after {tries}: {reason}")


class _Rejected(Exception):
    """arXiv refused the request itself (4xx other than 429): retrying cannot help."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


class _EmptyPage(Transient):
    """A page without entries although arXiv reported results there: usually served
    properly when asked again."""

    def __init__(self, feed: _feed.ParsedFeed) -> None:
        total = feed.header.total_results
        super().__init__(f"empty page: no entries at start={feed.header.start_index}, totalResults={total}")
        self.feed = feed


class _Client(arxiv.Client):
    """arxiv.Client whose fetch seam goes through ArxivSource's gate and retry policy.

    arxiv==4.0.2 is pinned: ``_parse_feed(url, first_page, _try_index)`` is the single
    method that performs HTTP in that version (``_results`` pages through it, and stops
    at a page without entries). Its own version has no timeout or backoff, treats an
    empty first page as "no results" and a malformed feed as an empty one. ``total`` is
    the first page's ``totalResults``.
    """

    def __init__(self, source: ArxivSource, interactive: bool) -> None:
        page = min(source.page_size, source.max_candidates)
        super().__init__(page_size=page, delay_seconds=0.0, num_retries=0)
        self.query_url_format = source.api_url + "?{}"
        self.total = 0
        self._source, self._interactive = source, interactive

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> _feed.ParsedFeed:
        feed = self._source._get_page(self._session, url, first_page, self._interactive)
        if first_page:
            self.total = feed.header.total_results
        return feed


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
        self._http = ArxivHttp(min_interval=min_interval, retries=retries, backoff=backoff, timeout=timeout)

    @property
    def requests_made(self) -> int:
        """HTTP attempts so far, retries included."""
        return self._http.requests_made

    def search(self, query: str, *, interactive: bool = False) -> Fetched:
        """Papers matching a full ``search_query`` in arXiv's relevance order, deduplicated,
        with the results arXiv reported but never delivered (``Fetched.missing``).

        ``interactive``: someone is waiting for the answer (``/arxiv paper``, a preview),
        so its requests go ahead of queued bulk ones at the arXiv gate.
        Raises ArxivUnavailable when arXiv cannot answer; no papers means it answered "none".
        """
        search = arxiv.Search(
            query=query,
            max_results=self.max_candidates,
            sort_by=arxiv.SortCriterion.Relevance,
            sort_order=arxiv.SortOrder.Descending,
        )
        results, total = self._results(search, interactive)
        papers = to_papers(results)[: self.max_candidates]
        missing = max(0, min(total, self.max_candidates) - len(results))
        if missing:
            log.warning("arXiv at %s: %d of %d results for %r, the rest never came; keeping those",
                        self.host, len(results), len(results) + missing, query)  # fmt: skip
        log.info("arXiv at %s: %d papers for %r", self.host, len(papers), query)
        return Fetched(papers, missing)

    async def asearch(self, query: str, *, interactive: bool = False) -> Fetched:
        return await off_loop(lambda: self.search(query, interactive=interactive), interactive=interactive)

    def fetch(self, query: str, *, interactive: bool = False) -> list[Paper]:
        """``search``'s papers alone (a look-up by id, where a shortfall cannot matter)."""
        return self.search(query, interactive=interactive).papers

    async def afetch(self, query: str, *, interactive: bool = False) -> list[Paper]:
        return (await self.asearch(query, interactive=interactive)).papers

    def by_ids(self, ids: Iterable[str], *, interactive: bool = False) -> list[Paper]:
        """The papers of arXiv ids, in arXiv's ``id_list`` (one request per ``page_size``
        ids): "2404.14361" for its latest version, "2404.14361v2" for that version, with
        its own ``comment`` and ``updated`` (that version's submission); one paper per id
        (the highest version of those asked), an id arXiv does not know left out.
        Raises ArxivUnavailable when arXiv cannot answer.
        """
        wanted = list(dict.fromkeys(ids))
        size = min(self.page_size, self.max_candidates)
        papers: list[Paper] = []
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            results, _ = self._results(arxiv.Search(id_list=chunk, max_results=len(chunk)), interactive)
            papers += to_papers(results)
        return papers

    async def aby_ids(self, ids: Iterable[str], *, interactive: bool = False) -> list[Paper]:
        wanted = list(ids)  # read here, not in a worker thread
        return await off_loop(lambda: self.by_ids(wanted, interactive=interactive), interactive=interactive)

    def _results(self, search: arxiv.Search, interactive: bool) -> tuple[list[arxiv.Result], int]:
        """A search's results through our fetch seam, and the total arXiv reported."""
        client = _Client(self, interactive)  # one per call: a requests.Session is not shared across threads
        try:
            return list(client.results(search)), client.total
        finally:
            client._session.close()

    # -- one page, with retries ------------------------------------------------------

    def _get_page(
        self, session: requests.Session, url: str, first_page: bool, interactive: bool
    ) -> _feed.ParsedFeed:
        attempts = 0

        def attempt() -> _feed.ParsedFeed:
            nonlocal attempts
            attempts += 1
            try:
                return self._attempt(session, url, first_page, interactive)
            except _Rejected as rejected:
                raise ArxivUnavailable(
                    rejected.reason, host=self.host, attempts=attempts, status=rejected.status
                ) from None

        try:
            return self._http.retrying(attempt, f"arXiv at {self.host}")
        except _EmptyPage as failure:
            if first_page:  # nothing arrived at all: not a week without papers
                raise ArxivUnavailable(failure.reason, host=self.host, attempts=attempts) from failure
            log.warning("arXiv at %s: %s after %d attempts; keeping the pages before it", self.host, failure, attempts)
            return failure.feed  # no entries: the paging ends here
        except Transient as failure:
            raise ArxivUnavailable(failure.reason, host=self.host, attempts=attempts) from failure

    def _attempt(
        self, session: requests.Session, url: str, first_page: bool, interactive: bool
    ) -> _feed.ParsedFeed:
        try:
            with self._http.get(session, url, interactive=interactive) as response:
                status, content = response.status_code, response.content
        except requests.RequestException as exc:  # a bad URL in the settings: retrying won't help
            raise _Rejected(f"request failed ({type(exc).__name__}: {exc})") from None
        if status != 200:
            text = error_text(content)
            raise _Rejected(f"HTTP {status}" + (f": {text}" if text else ""), status)
        try:
            feed = parse_page(content)
        except MalformedFeed as exc:
            raise Transient(str(exc)) from None
        except ErrorEntry as exc:
            raise _Rejected(f"arXiv error: {exc}", status) from None

        if not feed.results:
            if first_page and feed.header.total_results == 0:
                return feed  # a genuinely empty window
            # arXiv sometimes serves a page without its entries; the same URL then works.
            raise _EmptyPage(feed)
        return feed
