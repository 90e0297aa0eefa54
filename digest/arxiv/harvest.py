"""Harvest what arXiv announces, once for every topic, into the store.

Every scheduled announcement (``calendar.py``) within the horizon that the store lacks
is fetched once, for the union of the archives the subscriptions need (all of them for
free-text topics), so requests per day depend on the archives and the days missed,
never on the number of topics:

- the latest announcement from the RSS/Atom listing (``listing.py``): one request,
  while the listing still shows it (its listing date, US Eastern);
- the others, and the latest when the listing is past or maybe cut at its 2,000 items,
  from OAI-PMH (``oai.py``): one ``ListRecords`` per archive set over the missing
  listing dates, paged by resumption tokens.

The listing carries no comments and no submission dates: after storing its day, the
harvest asks OAI-PMH for that listing date (the same sets, so again per archive, not
per topic) and sets them on the stored versions; if OAI-PMH fails the listing's data
stays. OAI-PMH holds a paper only as its latest version: one whose v1 was announced on
a day of the same catch-up is filed as new on that day (as its latest version), not as
a replacement, or it would never be a candidate.

An announcement is recorded with the archives it was harvested for. One recorded for
fewer than now needed (a ``cat:math.ST`` topic after days harvested for ``cs``) is
fetched again from OAI-PMH for the missing archives only, and its record widened: the
requests grow with the archives newly needed, never with the topics.

An announcement is only asked for once it has settled (``SETTLE`` after its instant:
the listing is rebuilt at midnight US Eastern, OAI-PMH updated ~22:30), and one whose
answer is empty is recorded as none (a holiday). Every request goes through
``ArxivHttp``: arXiv's one process-wide 3 s gate, retries with backoff and Retry-After.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import requests

from digest.arxiv import calendar
from digest.arxiv.http import ArxivHttp, off_loop
from digest.arxiv.listing import Listed, MalformedListing, listing_url, parse_listing
from digest.arxiv.oai import MalformedPage, OaiError, Record, list_records_url, oai_set, parse_page, resume_url
from digest.models import Announced, Announcement, Paper
from digest.retry import Transient

log = logging.getLogger(__name__)

# arXiv's current archives (https://arxiv.org/category_taxonomy): the listing of "all".
ALL_ARCHIVES = frozenset(
    "cs econ eess math q-bio q-fin stat astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th "
    "math-ph nlin nucl-ex nucl-th physics quant-ph".split()
)
SETTLE = timedelta(hours=6)  # instant -> its listing (00:00 US Eastern) and OAI-PMH (~22:30) are out
FRESH = timedelta(days=14)  # an OAI record's latest version older than this: a metadata edit, not news
# How arXiv marks a withdrawal: a new version whose comment (and, by arXiv's withdrawal
# form, abstract) gives the reason: "This paper has been withdrawn by the author(s) ...",
# "Withdrawn: ...", "withdrawn due to an error".
_WITHDRAWN = re.compile(r"\b(has|have) been withdrawn\b|^\W*withdrawn\b|\bwithdrawn (by|due|because)\b", re.I)

T = TypeVar("T")


class AnnouncementStore(Protocol):
    def add_announcements(
        self, announced_at: datetime, papers: list[Announced], source: str, archives: frozenset[str] | None
    ) -> int: ...
    def announcements_between(self, start: datetime, end: datetime) -> list[Announcement]: ...
    def update_announced_papers(self, papers: list[Paper]) -> int: ...


class HarvestFailed(Exception):
    """arXiv did not answer the harvest (after retries), or refused it; what was stored stays."""


@dataclass(frozen=True)
class HarvestReport:
    """What one harvest stored: the announcements recorded (none-days included), the paper
    versions new to the store, the replacements among them, and HTTP attempts made."""

    announcements: list[datetime] = field(default_factory=list)  # new ones and ones widened
    papers: int = 0
    replacements: list[Announced] = field(default_factory=list)
    requests: int = 0


def is_withdrawn(comment: str | None, abstract: str = "") -> bool:
    """True when a replacement's comment or abstract says it withdraws the paper."""
    return any(_WITHDRAWN.search(text or "") for text in (comment, abstract))


def announced(item: Listed, at: datetime) -> Announced:
    """A listed paper version as announced at ``at`` (withdrawn: a replacement saying so)."""
    replaced = item.announce_type.startswith("replace")
    withdrawn = replaced and is_withdrawn(item.paper.comment, item.paper.abstract)
    return Announced(item.paper, at, item.announce_type, withdrawn)


def from_record(record: Record, at: datetime, archives: frozenset[str] | None) -> Announced:
    """An OAI-PMH record as announced at ``at``: new or a replacement by its version, a
    cross-list when its primary category lies outside ``archives`` (None: all)."""
    paper = record.paper
    own = archives is None or paper.primary_category.split(".")[0] in archives
    kind = ("new" if paper.version == 1 else "replace") if own else ("cross" if paper.version == 1 else "replace-cross")
    return announced(Listed(paper, kind), at)


def _sets(archives: frozenset[str] | None) -> list[str | None]:
    """The OAI-PMH sets covering ``archives``; all of them (None, or every archive): one
    unfiltered list, rather than one per archive."""
    return [None] if not archives or archives >= ALL_ARCHIVES else sorted({oai_set(a) for a in archives})


def _file_first_versions(
    found: dict[datetime, dict[tuple[str, int], Announced]], records: dict[tuple[str, int], Record], wanted: set[datetime]
) -> None:
    """Move each replacement whose v1 was announced on a day of this catch-up to that day
    as new (its latest version's metadata): OAI-PMH holds a paper only as its latest
    version, so v1's announcement would be lost and the paper never a candidate. v1's day
    is the announcement of its submission (``calendar``), or the first one after it that
    listed papers (a holiday); every scheduled one in between must be in ``wanted``. A
    withdrawal stays a replacement: a paper withdrawn before it was seen is no news."""
    days = sorted(at for at, items in found.items() if items)
    for at in days:
        for key, item in list(found[at].items()):
            if not item.announce_type.startswith("replace") or item.withdrawn:
                continue
            v1 = calendar.announcement_of_submission(records[key].paper.published)
            if v1 not in wanted:
                continue
            first = next((d for d in days if v1 <= d < at), None)
            gap = calendar.announcement_instants(v1 - timedelta(seconds=1), first) if first else []
            if first is None or not all(i in wanted for i in gap):
                continue
            del found[at][key]
            kind = "new" if item.announce_type == "replace" else "cross"
            found[first][key] = Announced(item.paper, first, kind, False)


class Harvester:
    """Fetches arXiv's announcements into ``store``; ``horizon_days`` bounds a catch-up."""

    def __init__(self, listing_url: str, oai_url: str, http: ArxivHttp, store: AnnouncementStore, horizon_days: int) -> None:
        self.listing_url, self.oai_url = listing_url.rstrip("/"), oai_url
        self.http, self.store, self.horizon = http, store, timedelta(days=horizon_days)

    async def harvest(self, now: datetime, archives: set[str] | None) -> HarvestReport:
        """Store the settled announcements of the horizon the store lacks; see the module.

        ``archives``: the archives the subscriptions need (``cs``, ``hep-th``); None for
        all (free-text topics). Raises ``HarvestFailed`` when arXiv cannot answer; the
        announcements stored before that stay stored.
        """
        wanted = frozenset(archives) if archives else None  # none subscribed: the listing of all
        return await off_loop(lambda: self._harvest(now, wanted), interactive=False)  # bulk: after questions

    def _harvest(self, now: datetime, archives: frozenset[str] | None) -> HarvestReport:
        start_requests = self.http.requests_made
        settled = [i for i in calendar.announcement_instants(now - self.horizon, now) if i + SETTLE <= now]
        have = {a.announced_at: a.archives for a in self.store.announcements_between(now - self.horizon, now)}
        missing = [i for i in settled if i not in have]
        stored: list[tuple[datetime, list[Announced], int]] = []
        if missing and now.astimezone(calendar.EASTERN).date() == calendar.listing_date(missing[-1]):
            if (items := self._from_listing(missing[-1], archives)) is not None:
                at = missing.pop()
                stored.append((at, items, self.store.add_announcements(at, items, "listing", archives)))
                if items:
                    self._enrich(at, items, archives)
        # What each announcement lacks: all that is needed when none was recorded, else the
        # archives its record does not hold; one OAI-PMH pass per distinct lack.
        lacking: dict[frozenset[str] | None, list[datetime]] = defaultdict(list)
        for at in settled:
            if at in missing:
                lacking[archives].append(at)
            elif at in have and (had := have[at]) is not None and (archives is None or not had >= archives):
                lacking[None if archives is None else archives - had].append(at)
        for lack, instants in lacking.items():
            for at, items in self._from_oai(instants, lack).items():
                stored.append((at, items, self.store.add_announcements(at, items, "oai", lack)))
        report = HarvestReport(
            announcements=sorted(at for at, _, _ in stored),
            papers=sum(added for _, _, added in stored),
            replacements=[a for _, items, _ in stored for a in items if a.announce_type.startswith("replace")],
            requests=self.http.requests_made - start_requests,
        )
        log.info("arXiv harvest: %d announcements, %d papers new, %d requests", len(stored), report.papers, report.requests)
        return report

    # -- the listing ----------------------------------------------------------------------

    def _from_listing(self, at: datetime, archives: frozenset[str] | None) -> list[Announced] | None:
        """The announcement at ``at`` from the listing; None when the listing shows another
        day, or may be cut (OAI-PMH then serves it)."""
        url = listing_url(self.listing_url, archives or ALL_ARCHIVES)
        listing = self._fetch(url, parse_listing, (MalformedListing,))
        if listing.listed_on is None:  # empty: no announcement today (a holiday)
            return []
        if listing.listed_on != calendar.listing_date(at) or listing.full:
            log.info("arXiv listing shows %s with %d items: asking OAI-PMH for %s", listing.listed_on, len(listing.items), at)
            return None
        return [announced(item, at) for item in listing.items]

    # -- OAI-PMH ----------------------------------------------------------------------------

    def _from_oai(self, missing: list[datetime], archives: frozenset[str] | None) -> dict[datetime, list[Announced]]:
        """Each missing announcement's papers (maybe none) from OAI-PMH, oldest first."""
        wanted = {calendar.listing_date(at): at for at in missing}
        first, last = min(wanted), max(wanted)
        found: dict[datetime, dict[tuple[str, int], Announced]] = defaultdict(dict)
        records: dict[tuple[str, int], Record] = {}
        for set_spec in _sets(archives):
            for record in self._records(set_spec, first, last):
                at = wanted.get(record.datestamp)
                if at is None or not (at - FRESH <= record.submitted <= at):
                    continue  # a day stored before, or a metadata edit rather than an announcement
                key = (record.paper.arxiv_id, record.paper.version)
                records.setdefault(key, record)
                found[at].setdefault(key, from_record(record, at, archives))
        _file_first_versions(found, records, set(wanted.values()))
        return {at: list(found[at].values()) for at in sorted(missing)}

    def _enrich(self, at: datetime, items: list[Announced], archives: frozenset[str] | None) -> None:
        """Give the listed papers of ``at`` the comment and submission dates OAI-PMH has for
        that version (the listing carries neither): one ListRecords per archive set for that
        listing date. When OAI-PMH fails, the listing's data stays (logged)."""
        day = calendar.listing_date(at)
        listed = {(i.paper.arxiv_id, i.paper.version) for i in items}
        papers: dict[tuple[str, int], Paper] = {}
        try:
            for set_spec in _sets(archives):
                for record in self._records(set_spec, day, day):
                    if (key := (record.paper.arxiv_id, record.paper.version)) in listed:
                        papers[key] = record.paper
        except HarvestFailed as exc:
            log.warning("arXiv OAI-PMH could not enrich the listing of %s, kept as listed: %s", day, exc)
            return
        updated = self.store.update_announced_papers(list(papers.values()))
        log.info("arXiv listing of %s: %d of %d papers enriched from OAI-PMH", day, updated, len(listed))

    def _records(self, set_spec: str | None, first: date, last: date) -> Iterable[Record]:
        url = list_records_url(self.oai_url, set_spec=set_spec, first=first, last=last)
        while True:
            page = self._fetch(url, parse_page, (MalformedPage,))
            yield from page.records
            if page.token is None:
                return
            url = resume_url(self.oai_url, page.token)

    # -- HTTP -------------------------------------------------------------------------------

    def _fetch(self, url: str, parse: Callable[[bytes], T], malformed: tuple[type[Exception], ...]) -> T:
        """GET ``url`` and parse it, retried on what ``ArxivHttp`` calls transient and on a
        malformed body. Raises ``HarvestFailed``."""
        host = urlsplit(url).hostname or "?"

        def attempt() -> T:
            with requests.Session() as session, self.http.get(session, url) as response:
                status, body = response.status_code, response.content
            if status != 200:
                raise HarvestFailed(f"arXiv at {host} answered HTTP {status} to {url}")
            try:
                return parse(body)
            except malformed as exc:
                raise Transient(str(exc)) from None

        try:
            return self.http.retrying(attempt, f"arXiv harvest at {host}")
        except Transient as failure:
            raise HarvestFailed(f"arXiv at {host} failed: {failure.reason}") from failure
        except requests.RequestException as exc:  # a bad URL in the settings: retrying won't help
            raise HarvestFailed(f"arXiv at {host}: request failed ({type(exc).__name__}: {exc})") from None
        except OaiError as exc:
            raise HarvestFailed(f"arXiv at {host}: {exc}") from None
