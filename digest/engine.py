"""Topic + window -> ranked, summarised cards: orchestration only, every step cached.

arXiv's answer for a query is reused for ``cache_ttl`` (arXiv asks for no more than a
daily re-query; an answer arXiv cut short is kept in memory only, its shortfall with it,
so that a restarted process asks again rather than read it back as whole) and a card is summarised once per ``CardKey``, however many digests
want it. Identical work asked for concurrently (two subscriptions of the same topic
due at once) is done once: later callers await the first caller's task. A week's
answers, rankings and cards are also kept in memory (``MEMO_SIZE`` each), since a tick
of many subscriptions asks for the same ones hundreds of times.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, NamedTuple, Protocol, TypeVar
from zoneinfo import ZoneInfo

from digest.i18n import label
from digest.models import Card, CardText, Digest, Fetched, Overview, Paper, Window
from digest.text.ranking import Scored, rank
from digest.arxiv.announced import announced_papers, covering, listing_days, since, topic_archives
from digest.arxiv.match import compile_topic
from digest.arxiv.source import ArxivSource
from digest.store import Store
from digest.cards.overview import write_overview
from digest.cards.summarize import card_key
from digest.llm.slots import OVERVIEW, first
from digest.arxiv.topics import to_query, topic_terms, window_query

log = logging.getLogger(__name__)
T = TypeVar("T")
MEMO_SIZE = 4096  # entries per in-memory memo: a busy week's queries and cards


class _Memo(dict[Hashable, Any]):
    """A dict that forgets its oldest entry when full (insertion order)."""

    def put(self, key: Hashable, value: Any) -> None:
        if len(self) >= MEMO_SIZE:
            del self[next(iter(self))]
        self[key] = value


class Selection(NamedTuple):
    """A digest's papers before any is summarised (``Engine.select``)."""

    ranked: list[Scored]  # best first
    candidates: int  # papers arXiv returned
    missing: int  # results arXiv reported but never delivered (``Fetched.missing``)


class Summarizer(Protocol):
    model: str

    async def summarize(self, paper: Paper, language: str, bullets: int) -> CardText: ...

    async def aclose(self) -> None: ...


class Progress(Protocol):
    """What long work reports; the CLI draws it as a progress bar."""

    def stage(self, description: str, total: int | None = None) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


class NoProgress:
    def stage(self, description: str, total: int | None = None) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Engine:
    source: ArxivSource
    store: Store
    summarizer: Summarizer
    cache_ttl: timedelta = timedelta(hours=24)
    clock: Callable[[], datetime] = utc_now
    horizon: timedelta | None = None  # announcements harvested this far back (None: search only)
    _inflight: dict[Hashable, asyncio.Task[Any]] = field(default_factory=dict, repr=False)
    _answers: _Memo = field(default_factory=_Memo, repr=False)  # cache key -> (fetched at, Fetched)
    _rankings: _Memo = field(default_factory=_Memo, repr=False)  # (answer id, terms) -> ranking
    _cards: _Memo = field(default_factory=_Memo, repr=False)  # CardKey -> CardText

    async def _once(self, key: Hashable, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work`` once for concurrent callers with the same key."""
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(work())
            self._inflight[key] = task
            task.add_done_callback(lambda _: self._inflight.pop(key, None))
        return await asyncio.shield(task)

    async def aclose(self) -> None:
        """Release the summariser's connections (call on the loop that used them)."""
        await self.summarizer.aclose()

    def announced_days_of(
        self, runs: Sequence[tuple[Window, int | None]], topic: str | None = None
    ) -> list[tuple[date, ...] | None]:
        """Per (window, subscription id), in order: the listing dates of the announcements
        the window's candidates come from (holidays left out); None when they come from
        the per-topic search. With the subscription, only those since its last digest: the
        window's overlap with the last one (``bot/schedule.py``) brings their papers again,
        which the channel has. The topic searched (else the subscription's) decides which
        archives must be held. Subscriptions and last digests: one query each; a window's
        announcements once per archive set (a tick delivers hundreds of runs a window)."""
        if not self.horizon:
            return [None] * len(runs)
        ids = [sub_id for _, sub_id in runs if sub_id is not None]
        subs = self.store.get_subscriptions(ids) if ids else {}
        lasts = self.store.last_windows(ids) if ids else {}
        now, read, days = self.clock(), {}, []
        for window, sub_id in runs:
            sub = subs.get(sub_id) if sub_id is not None else None
            searched = topic or (sub.search_terms or sub.topic if sub is not None else None)
            archives = topic_archives(searched) if searched is not None else None
            if (window, archives) not in read:
                read[window, archives] = covering(self.store, window, now, self.horizon, archives)
            if (found := read[window, archives]) is None:
                days.append(None)
                continue
            if sub is not None and (last := lasts.get(sub.id)) is not None:
                # It went out on its window's last day, at the weekly time.
                found = since(found, datetime.combine(last.end, sub.time, ZoneInfo(sub.tz)))
            days.append(listing_days(found))
        return days

    async def _announced(self, topic: str, window: Window) -> list[Paper] | None:
        """The window's papers matching ``topic`` from the harvested announcements; None
        when the store does not cover the window (the search then serves it). The store's
        reads and the matching run off the loop: a week of a busy archive is thousands of
        papers, and the loop has acknowledgements to make within 3 s."""
        if self.horizon is None:
            return None
        now, archives = self.clock(), topic_archives(topic)
        found = await asyncio.to_thread(covering, self.store, window, now, self.horizon, archives)
        if found is None:
            log.info("announcements of %s..%s not all harvested: searching arXiv for %r", window.start, window.end, topic)
            return None
        # Widening an announcement to more archives adds papers: its archives are in the key.
        held = ("announced", window.bounds_utc(), tuple((a.announced_at, a.archives) for a in found))
        if (papers := self._answers.get(held)) is None:

            async def read() -> list[Paper]:
                return await asyncio.to_thread(announced_papers, self.store, window)

            papers = await self._once(held, read)
            self._answers.put(held, papers)
        if (matched := self._answers.get((held, topic))) is None:
            matcher, among = compile_topic(topic), papers

            async def match() -> list[Paper]:
                return await asyncio.to_thread(lambda: [paper for paper in among if matcher(paper)])

            matched = await self._once((held, topic), match)
            self._answers.put((held, topic), matched)
        return matched

    async def candidates(self, topic: str, window: Window) -> list[Paper]:
        """The window's papers for a topic (``answer`` without arXiv's shortfall)."""
        return (await self.answer(topic, window)).papers

    async def answer(self, topic: str, window: Window) -> Fetched:
        """The window's papers for a topic, with arXiv's shortfall: from the harvested
        announcements when the store covers the window, else arXiv's search (its answer
        reused within the TTL; from the store when it was fetched whole)."""
        if (announced := await self._announced(topic, window)) is not None:
            return Fetched(announced)
        query = window_query(to_query(topic), window)
        # The endpoint is part of the key: a mirror or the demo's sample server
        # must never answer for the live API.
        cache_key = f"{self.source.api_url}\n{self.source.max_candidates}\n{query}"
        now = self.clock()
        if (held := self._answers.get(cache_key)) is not None and now - held[0] < self.cache_ttl:
            return held[1]

        async def fetch() -> Fetched:
            cached = self.store.get_query(cache_key, self.cache_ttl, now)
            if cached is not None:
                log.info("arXiv answer for %r taken from the store (%d papers)", topic, len(cached))
                self._answers.put(cache_key, (now, Fetched(cached)))
                return Fetched(cached)
            fetched = await self.source.asearch(query)
            fetched_at = self.clock()
            if not fetched.missing:  # the store keeps papers, not a shortfall: a cut-short answer stays in memory
                self.store.put_query(cache_key, fetched.papers, fetched_at)
            self._answers.put(cache_key, (fetched_at, fetched))
            return fetched

        return await self._once(("query", cache_key), fetch)

    async def card_text(self, paper: Paper, language: str, bullets: int) -> CardText:
        key = card_key(paper, language, bullets, self.summarizer)
        if (held := self._cards.get(key)) is not None:
            return held

        async def summarize() -> CardText:
            if (cached := self.store.get_card(key)) is not None:
                self._cards.put(key, cached)
                return cached
            text = await self.summarizer.summarize(paper, language, bullets)
            # A fallback card after an LLM failure is not cached: the next run retries.
            if text.summarizer != "extractive:llm-failed":
                self.store.put_card(key, text)
                self._cards.put(key, text)
            return text

        return await self._once(key, summarize)

    async def overview(self, cards: Sequence[Card], topic: str, language: str) -> Overview:
        """The week at a glance of ``cards`` (``digest/cards/overview.py``): by the summariser's
        LLM when it has one, once for the same cards (every channel of a topic alike)."""
        key = ("overview", topic, language, tuple((c.paper.versioned_id, c.text) for c in cards))
        if (held := self._cards.get(key)) is not None:
            return held

        async def write() -> Overview:
            with first(OVERVIEW):  # ahead of other digests' cards: this one's posts wait on it
                self._cards.put(key, made := await write_overview(getattr(self.summarizer, "llm", None), cards, topic, language))
            return made

        return await self._once(key, write)

    def _ranking(self, papers: list[Paper], terms: tuple[str, ...]) -> list[Scored]:
        """All candidates ranked, once per answer: exclusions are applied afterwards, so
        every channel of a topic sees the same order whatever it already got."""
        key = (id(papers), terms)
        held = self._rankings.get(key)
        if held is None or held[0] is not papers:  # the id of a forgotten list may be reused
            held = (papers, rank(papers, terms))
            self._rankings.put(key, held)
        return held[1]

    async def select(
        self,
        topic: str,
        window: Window,
        *,
        max_papers: int | None,
        exclude: Collection[str] = (),
        search_terms: str | None = None,
    ) -> Selection:
        """The papers a digest of ``topic`` would have, best first, before any is summarised
        (at most ``max_papers``; None: every candidate); how many candidates there were
        (arXiv's answer, or the announcements matched), and how many arXiv reported but
        never delivered. Papers whose id is in ``exclude`` are left out. ``search_terms``
        (a subscription's English terms for a topic in another language) are searched and
        ranked by instead of ``topic`` when given."""
        searched = search_terms or topic
        fetched = await self.answer(searched, window)
        papers = fetched.papers
        ranked = [s for s in self._ranking(papers, tuple(topic_terms(searched))) if s.paper.arxiv_id not in exclude]
        return Selection(ranked[:max_papers], len(papers), fetched.missing)

    async def build(
        self,
        topic: str,
        window: Window,
        *,
        language: str,
        max_papers: int,
        bullets: int,
        progress: Progress | None = None,
        exclude: Collection[str] = (),
    ) -> Digest:
        """The digest of ``topic`` for ``window``; papers whose id is in ``exclude`` are left out."""
        progress = progress or NoProgress()
        progress.stage(f"Fetching arXiv papers on {topic!r}")
        ranked, candidates, missing = await self.select(topic, window, max_papers=max_papers, exclude=exclude)
        progress.stage("Summarising papers", total=len(ranked))

        async def one(paper: Paper) -> CardText:
            text = await self.card_text(paper, language, bullets)
            progress.advance()
            return text

        texts = await asyncio.gather(*(one(s.paper) for s in ranked))
        cards = tuple(
            Card(s.paper, text, rank=i, score=s.score)
            for i, (s, text) in enumerate(zip(ranked, texts), start=1)
        )
        failed = sum(1 for c in cards if c.text.summarizer == "extractive:llm-failed")
        notes = (f"{failed} card(s) fell back to an extractive summary",) if failed else ()
        if missing:
            notes += (label(language, "arxiv_short", got=candidates, total=candidates + missing),)
        [days] = self.announced_days_of([(window, None)], topic)
        return Digest(topic, window, language, cards, candidates=candidates, notes=notes, announced=days)
