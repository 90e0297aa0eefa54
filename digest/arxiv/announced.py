"""A digest's candidates from the harvested announcements, instead of a search per topic.

A window (local dates, ``Window``) covers the announcements whose instant lies within
it: [its first day 00:00, the day after its last 00:00) in its zone. The store serves
a topic's window when it lies within the harvest horizon and holds every scheduled
announcement of it that has settled (``harvest.SETTLE``), each harvested for the
archives the topic needs (``topic_archives``; a free-text topic needs all): an
announcement harvested for ``cs`` alone never serves ``cat:math.ST``, whose papers
it lacks, until the harvester widens it. One not yet settled when a
digest goes out lies on its last day, which the next window's overlap covers again (a
channel never gets a paper twice: the store's claims). Otherwise, an old window or a
harvest that failed, the engine searches arXiv's API per topic as before.

Only a paper's first appearance is a candidate: "new" and "cross" announcements. A
replacement (a new version) is never a new card (``digest/delivery/versions.py`` notes it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Protocol

from digest.arxiv.calendar import announcement_instants
from digest.arxiv.harvest import SETTLE
from digest.arxiv.topic_parser import Token, TopicError, parse_topic
from digest.models import Announced, Announcement, Paper, Window

CANDIDATE_TYPES = frozenset({"new", "cross"})
_JUST_BEFORE = timedelta(microseconds=1)  # the store's ranges are (start, end]; a window's [first, after)


class AnnouncedStore(Protocol):
    def announced_between(self, start: datetime, end: datetime) -> list[Announced]: ...
    def announcements_between(self, start: datetime, end: datetime) -> list[Announcement]: ...


def _range(window: Window) -> tuple[datetime, datetime]:
    first, after = window.bounds_utc()
    return first - _JUST_BEFORE, after - _JUST_BEFORE


def holds(harvested: frozenset[str] | None, needed: frozenset[str] | None) -> bool:
    """Whether an announcement harvested for ``harvested`` holds every paper of the archives
    ``needed`` (None: all archives, on either side)."""
    return harvested is None or (needed is not None and needed <= harvested)


def covering(
    store: AnnouncedStore, window: Window, now: datetime, horizon: timedelta, archives: frozenset[str] | None
) -> list[Announcement] | None:
    """The announcements recorded within ``window``, oldest first, when the store serves
    it to a topic needing ``archives`` (``topic_archives``; None: all) (see the module);
    None when it does not (outside the horizon, one missing, or harvested for fewer)."""
    start, end = _range(window)
    if start + _JUST_BEFORE < now - horizon:
        return None
    recorded = store.announcements_between(start, end)
    have = {a.announced_at for a in recorded if holds(a.archives, archives)}
    settled = (i for i in announcement_instants(start, end) if i + SETTLE <= now)
    return recorded if all(i in have for i in settled) else None


def announced_papers(store: AnnouncedStore, window: Window) -> list[Paper]:
    """The papers first announced within ``window`` (new submissions and cross-lists), by
    announcement, then id; each paper once."""
    start, end = _range(window)
    seen: set[str] = set()
    papers: list[Paper] = []
    for item in store.announced_between(start, end):
        if item.announce_type in CANDIDATE_TYPES and item.paper.arxiv_id not in seen:
            seen.add(item.paper.arxiv_id)
            papers.append(item.paper)
    return papers


def since(announcements: Iterable[Announcement], last_digest: datetime) -> list[Announcement]:
    """The announcements that settled after ``last_digest`` went out (its harvest had the others)."""
    return [a for a in announcements if a.announced_at + SETTLE > last_digest]


def listing_days(announcements: Iterable[Announcement]) -> tuple[date, ...]:
    """The listing dates of the announcements that listed papers (a holiday's none left out)."""
    return tuple(a.listed_on for a in announcements if a.papers)


def topic_archives(topic: str) -> frozenset[str] | None:
    """The arXiv archives a topic's papers all lie in (``cat:cs.CL AND ti:llm`` -> ``{cs}``);
    None when they may lie in any (free text alone, OR, parentheses, a negated category).

    Conservative: a topic is narrowed only when it is a plain AND of clauses, one of them
    a ``cat:`` before any ANDNOT. An unreadable topic is None (its digest fails elsewhere).
    """
    try:
        parts = parse_topic(topic)
    except TopicError:
        return None
    archives: set[str] = set()
    for part in parts:
        if isinstance(part, Token):
            if part.kind in ("lp", "rp") or (part.kind == "op" and part.text == "OR"):
                return None
            if part.kind == "op" and part.text == "ANDNOT":
                break
            if part.kind == "field" and part.field == "cat":
                archives.add(part.text.split(".", 1)[0])
    return frozenset(archives) or None


def archives_needed(topics: Iterable[str]) -> set[str] | None:
    """The union of the topics' archives; None (every archive) when any topic needs all."""
    needed: set[str] = set()
    for topic in topics:
        archives = topic_archives(topic)
        if archives is None:
            return None
        needed |= archives
    return needed
