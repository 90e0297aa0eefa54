"""A subscription's digest delivered through the ledger: every card at most once, in order.

``plan`` ranks the digest's papers and writes its ledger rows (header and cards, all
pending) before anything is sent; ``deliver`` walks the rows in order and posts what
is missing, each card summarised just ahead of its post (``_CardTexts``). A row is
marked ``sending`` (with the card's text) before its post and ``sent`` (with the
message id) after, each committed before the delivery goes on (``MarkQueue``), so a
run killed at any point resumes on the next call with the same cards: rows left
``sending`` or ``unknown`` are first looked up on the platform by their idempotency
key and posted only if they are not there. ``plan_many`` and ``deliver_many`` do the
same for a tick of many subscriptions with one store read or write where each would
make its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from digest.delivery.marks import MarkQueue
from digest.models import (
    HEADER,
    NO_SUBSCRIPTION,
    PAPER_TOPIC,
    Card,
    CardText,
    ChannelRef,
    DigestRun,
    Delivery,
    Digest,
    Held,
    MessageRef,
    Paper,
    Subscription,
    Window,
)
from digest.engine import Engine
from digest.text.ranking import Scored
from digest.delivery.ports import ChatError, ChatPermissionError, DigestPort, ChatReplyLost
from digest.store import Store
from digest.store.ledger import RunLost
from digest.store.ledger_rows import has_header

log = logging.getLogger(__name__)
CARDS_AHEAD = 2  # texts being written beyond the card about to be posted
POST_SETTLE_SECONDS = 30.0  # a post in flight when its delivery is cancelled may still land this long


@dataclass
class Deliverer:
    engine: Engine
    store: Store
    ports: Mapping[str, DigestPort]
    bullets: int = 4
    # This process's identity as a run owner (bot/instances.py gives a live one its
    # heartbeat); runs it plans are its own, others it takes over (``Store.take_over``).
    owner: str = field(default_factory=lambda: f"deliverer:{uuid.uuid4().hex[:12]}")
    delivering: set[str] = field(init=False, repr=False)  # keys of the runs being delivered here now
    _marks: MarkQueue = field(init=False, repr=False)
    # post_paper's runs being posted by this Deliverer, with how many callers wait on each.
    _papers: dict[str, tuple[asyncio.Lock, int]] = field(default_factory=dict, init=False, repr=False)
    # Ledger rows and papers of runs this Deliverer just planned, handed to their delivery
    # so that a tick does not read back thousands of rows it has just written.
    _planned: dict[str, tuple[list[Delivery], dict[tuple[str, int], Paper]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._marks = MarkQueue(self.store)
        self.delivering = set()
        self._channels: defaultdict[ChannelRef, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._unreleased: dict[str, int] = {}
        self._planned = {}

    async def plan(self, subscription: Subscription, window: Window, key: str) -> DigestRun:
        """The run ``key`` of ``subscription``, planned now unless it already was."""
        result = (await self.plan_many([(subscription, window, key)]))[0]
        if isinstance(result, Exception):
            raise result
        return result

    async def plan_many(self, wanted: Sequence[tuple[Subscription, Window, str]]) -> list[DigestRun | Exception]:
        """``plan`` for many subscriptions at once, as a tick of many does: the store is read
        and written once for all, and a digest that cannot be built (arXiv down) is that
        subscription's exception in the result, not everyone's."""
        runs = self.store.get_runs([key for _, _, key in wanted])
        todo = [(sub, window, key) for sub, window, key in wanted if key not in runs]
        # Only ranked here, every candidate: the store claims each paper for the channel
        # as it plans (a channel never gets one twice) and takes the next ranked instead.
        # Each card is summarised just ahead of its post (``_deliver``).
        selections = await asyncio.gather(
            *(self.engine.select(sub.topic, window, max_papers=None) for sub, window, _ in todo),
            return_exceptions=True,
        )
        failed: dict[str, Exception] = {}
        subs = {key: sub for sub, _, key in todo}
        planned: list[tuple[DigestRun, list[Scored]]] = []
        for (sub, window, key), selection in zip(todo, selections):
            if isinstance(selection, Exception):
                failed[key] = selection
            elif isinstance(selection, BaseException):  # cancelled: stop planning altogether
                raise selection
            else:
                ranked, candidates = selection
                planned.append((_new_run(sub, window, key, candidates, self.owner), ranked))
        if planned:
            stored, written = self.store.plan_runs(planned, {run.key: subs[run.key].max_papers for run, _ in planned})
            runs.update(stored)
            self._planned.update((key, _pending(stored[key], items)) for key, items in written.items())
        return [runs.get(key) or failed[key] for _, _, key in wanted]

    async def deliver_many(self, runs: Sequence[DigestRun]) -> list[DigestRun | BaseException]:
        """``deliver`` of many runs concurrently, their ledger and papers read in one go.

        A run this process does not own is first taken over (``Store.take_over``); one
        that another process wins meanwhile comes back as it is, undelivered."""
        busy = {run.key for run in runs if run.key in self.delivering}  # being delivered here already
        mine = {run.key: run for run in runs if run.owner == self.owner and run.key not in busy}
        for run in runs:
            if run.key not in mine and run.key not in busy and (taken := await self._take_over(run)):
                log.info("taking over digest %s from %s", run.key, run.owner or "nobody")
                mine[run.key] = taken
        runs = [mine.get(run.key, run) for run in runs]
        ledgers = {run.key: held for run in runs if (held := self._planned.pop(run.key, None))}
        if unread := [run.key for run in runs if run.key not in ledgers]:
            rows = self.store.deliveries_of(unread)
            keys = ((r.arxiv_id, r.version) for rs in rows.values() for r in rs if r.position != HEADER)
            papers = self.store.get_papers(keys)
            ledgers.update((key, (rows.get(key, []), papers)) for key in unread)
        return await asyncio.gather(
            *(self._deliver(run, *ledgers[run.key]) if run.key in mine else _as_is(run) for run in runs),
            return_exceptions=True,
        )

    async def _take_over(self, run: DigestRun) -> DigestRun | None:
        """``Store.take_over``; cancelled meanwhile, a run it won anyway is freed again."""
        taking = asyncio.ensure_future(asyncio.to_thread(self.store.take_over, run.key, self.owner, run.fence))
        try:
            return await asyncio.shield(taking)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                if (taken := await taking) is not None:
                    await asyncio.to_thread(self.store.release, run.key, self.owner, taken.fence)
            raise

    async def deliver(self, run: DigestRun) -> DigestRun:
        """Post the run's missing messages in order; the returned run says how it ended."""
        [result] = await self.deliver_many([run])
        if isinstance(result, BaseException):
            raise result
        return result

    async def _deliver(self, run: DigestRun, rows: list[Delivery], papers: Mapping[tuple[str, int], Paper]) -> DigestRun:
        self.delivering.add(run.key)
        try:
            # One digest at a time per channel: two of the same moment (two subscriptions,
            # two /arxiv now) read as two blocks, not interleaved cards. Chat platforms
            # pace posts per channel anyway, so this costs no time.
            async with self._channels[run.channel]:
                return await self._post_missing(run, rows, papers)
        except RunLost:
            log.warning("digest %s was taken over by another process: this one stops posting it", run.key)
            return (await asyncio.to_thread(self.store.get_runs, [run.key]))[run.key]
        except BaseException:
            # Stopped mid-delivery (the lead lost, a shutdown, the database gone at the
            # ending): free the run for the next owner at once, rather than leave it to
            # a live process that no longer delivers it. Best effort: if the store is
            # away, ``release_held`` tries again at the next sweep.
            try:
                self.store.release(run.key, self.owner, run.fence)
            except Exception:
                self._unreleased[run.key] = run.fence
            raise
        finally:
            self.delivering.discard(run.key)

    async def _post_missing(
        self, run: DigestRun, rows: list[Delivery], papers: Mapping[tuple[str, int], Paper]
    ) -> DigestRun:
        port = self.ports[run.channel.platform]
        fenced = {"owner": self.owner, "fence": run.fence}
        cards = [row for row in rows if row.position != HEADER]
        digest = Digest(
            run.topic, run.window, run.language, (), candidates=run.candidates, planned=len(cards), skipped=run.skipped
        )
        texts = _CardTexts(self.engine, run.language, self.bullets, cards, papers)
        try:
            for row in rows:
                if row.state == "sent":
                    continue
                if row.state in ("sending", "unknown"):
                    # The last attempt may have posted it: look before posting again.
                    found = await port.find_posted(run.channel, row.idempotency_key)
                    if found is not None:
                        await self._marks.mark(run.key, row.position, "sent", message_id=found.message_id, **fenced)
                        continue
                texts.ahead(row.position)  # from the header on: the first card is written while it goes out
                card = None if row.position == HEADER else await texts.card(row)
                # The text is recorded with "sending": a resumed run posts the same card.
                written = card.text if card is not None and row.text is None else None
                await self._marks.mark(run.key, row.position, "sending", card=written, **fenced)
                posting = asyncio.ensure_future(
                    port.post_header(run.channel, digest, row.idempotency_key)
                    if card is None
                    else port.post_card(run.channel, card, digest, row.idempotency_key)
                )
                try:
                    message = await _landed(posting, lambda m: self._marks.mark(
                        run.key, row.position, "sent", message_id=m.message_id, **fenced))
                except ChatReplyLost as err:
                    await self._marks.mark(run.key, row.position, "unknown", error=str(err), **fenced)
                    raise
                except ChatError as err:
                    await self._marks.mark(run.key, row.position, "failed", error=str(err), **fenced)
                    raise
                await self._marks.mark(run.key, row.position, "sent", message_id=message.message_id, **fenced)
        except ChatPermissionError as err:
            log.warning("pausing subscription %d: %s", run.subscription_id, err)
            self.store.set_paused(run.subscription_id, str(err))
            return await self._marks.finish(run.key, "failed", str(err), **fenced)
        except ChatError as err:
            log.warning("digest %s stopped, to be retried: %s", run.key, err)
            return await self._marks.finish(run.key, "failed", str(err), **fenced)
        finally:
            texts.close()
        return await self._marks.finish(run.key, "done", **fenced)

    async def release_held(self) -> None:
        """Free the runs whose release failed when their delivery stopped (the store was away)."""
        for key, fence in list(self._unreleased.items()):
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.store.release, key, self.owner, fence)
                del self._unreleased[key]

    async def run(self, subscription: Subscription, window: Window, key: str) -> DigestRun:
        return await self.deliver(await self.plan(subscription, window, key))

    # -- one paper on demand (/arxiv paper) ------------------------------------------------

    async def paper_held(self, channel: ChannelRef, arxiv_id: str) -> Held | None:
        """Where ``channel`` holds ``arxiv_id`` already (any run's claim), if it does."""
        return await asyncio.to_thread(self.store.where_held, channel, arxiv_id)

    async def post_paper(self, channel: ChannelRef, paper: Paper, language: str, key: str, tz: str = "UTC") -> PaperPost:
        """``paper``'s card in ``channel``, through the ledger like a digest's, at most once.

        The run ``key`` (one per channel and paper) is planned by ``Store.plan_runs`` with
        one card, no subscription (``NO_SUBSCRIPTION``) and no topic (``PAPER_TOPIC``): the
        paper is claimed for the channel, and the card's thread is answered like any card's.
        A single paper gets no header (``ledger_rows`` writes none for a run without topic).
        A channel that holds the paper already (this run posted it, a digest did, or
        another process is posting it) gets nothing: ``held`` says where it is. A run that
        failed is delivered again (a card whose post may have gone out is looked up first).
        Its own store calls run off the event loop.
        """
        lock, waiting = self._papers.get(key) or (asyncio.Lock(), 0)
        self._papers[key] = (lock, waiting + 1)
        try:
            async with lock:  # the same paper asked twice at once here: the second sees the first's run
                return await self._post_paper(channel, paper, language, key, tz)
        finally:
            lock, waiting = self._papers[key]
            if waiting > 1:
                self._papers[key] = (lock, waiting - 1)
            else:
                del self._papers[key]

    async def _post_paper(self, channel: ChannelRef, paper: Paper, language: str, key: str, tz: str) -> PaperPost:
        store = self.store
        run = (await asyncio.to_thread(store.get_runs, [key])).get(key)
        if run is None:
            if held := await self.paper_held(channel, paper.arxiv_id):
                return PaperPost(None, held)  # nothing planned: the channel has it from elsewhere
            await asyncio.to_thread(store.put_papers, [paper])
            day = paper.published.astimezone(ZoneInfo(tz)).date()
            new = DigestRun(key, NO_SUBSCRIPTION, channel, PAPER_TOPIC, language, Window(day, day, tz), 1, "delivering",
                            owner=self.owner)  # fmt: skip
            stored, written = await asyncio.to_thread(store.plan_runs, [(new, [Scored(paper, 0.0)])])
            run = stored[key]
            if key not in written:  # another process planned it first: it posts it
                return PaperPost(None, await self.paper_held(channel, paper.arxiv_id))
            if not written[key]:  # a digest claimed the paper meanwhile: the empty run just ends
                await self.deliver(run)
                return PaperPost(None, await self.paper_held(channel, paper.arxiv_id))
        elif run.state != "failed":  # done, or being posted (by another process, or a resume)
            return PaperPost(None, await self.paper_held(channel, paper.arxiv_id))
        return PaperPost(await self.deliver(run))


def _new_run(sub: Subscription, window: Window, key: str, candidates: int, owner: str) -> DigestRun:
    return DigestRun(
        key=key,
        subscription_id=sub.id,
        channel=sub.channel,
        topic=sub.topic,
        language=sub.language,
        window=window,
        candidates=candidates,
        state="delivering",
        owner=owner,
    )


async def _landed(posting: asyncio.Future[MessageRef], record: Callable[[MessageRef], Awaitable[None]]) -> MessageRef:
    """The post's message, even when the delivery is cancelled meanwhile.

    A request already sent cannot be called back: cancelled (the lead lost, a shutdown),
    the delivery lets it land for up to ``POST_SETTLE_SECONDS`` and records it before it
    stops, so that the next owner, looking the post up, finds it instead of posting it
    again before the first one lands."""
    try:
        return await asyncio.shield(posting)
    except asyncio.CancelledError:
        done, _ = await asyncio.wait([posting], timeout=POST_SETTLE_SECONDS)
        if done and not posting.cancelled() and posting.exception() is None:
            with contextlib.suppress(Exception):
                await record(posting.result())
        else:
            posting.cancel()
        raise


async def _as_is(run: DigestRun) -> DigestRun:
    return run


def _pending(run: DigestRun, ranked: Sequence[Scored | Card]) -> tuple[list[Delivery], dict[tuple[str, int], Paper]]:
    """The ledger rows ``plan_runs`` just wrote for ``run`` (as ``Store.deliveries`` would
    read them back), and their papers."""
    rows = [Delivery(run.key, HEADER, "", 0, 0.0, None, "pending")] * has_header(run, ranked)
    rows += [Delivery(run.key, i, s.paper.arxiv_id, s.paper.version, s.score, s.text if isinstance(s, Card) else None,
                      "pending") for i, s in enumerate(ranked, start=1)]  # fmt: skip
    return rows, {(s.paper.arxiv_id, s.paper.version): s.paper for s in ranked}


class _CardTexts:
    """One delivery's cards, each text summarised ``CARDS_AHEAD`` posts before it is due.

    Asking just ahead (rather than for every card up front) orders the LLM's queue by
    rank across a tick's digests: every channel's first cards are written before anyone's
    last, so no channel waits for the whole tick's summaries before it starts.
    """

    def __init__(
        self, engine: Engine, language: str, bullets: int, rows: list[Delivery], papers: Mapping[tuple[str, int], Paper]
    ) -> None:
        self._engine, self._language, self._bullets = engine, language, bullets
        self._rows, self._papers = rows, papers
        self._writing: dict[int, asyncio.Future[CardText]] = {}

    def _paper(self, row: Delivery) -> Paper:
        paper = self._papers.get((row.arxiv_id, row.version))
        if paper is None:
            raise LookupError(f"run {row.run_key}: paper {row.arxiv_id}v{row.version} is missing from the store")
        return paper

    def ahead(self, position: int) -> None:
        """Start writing the texts of the card at ``position`` and of the ``CARDS_AHEAD``
        after it, where not written or being written already. At the header, only the
        first card's: a tick's first wave of summaries is then one per digest."""
        first, last = (1, 1) if position == HEADER else (position, position + CARDS_AHEAD)
        for row in self._rows:
            if first <= row.position <= last and row.text is None and row.position not in self._writing:
                summary = self._engine.card_text(self._paper(row), self._language, self._bullets)
                self._writing[row.position] = asyncio.ensure_future(summary)

    async def card(self, row: Delivery) -> Card:
        self.ahead(row.position)
        text = row.text if row.text is not None else await self._writing[row.position]
        return Card(self._paper(row), text, rank=row.position, score=row.score)

    def close(self) -> None:
        """Stop waiting for texts no longer wanted (the engine's own summary goes on and is cached)."""
        for writing in self._writing.values():
            writing.cancel()


# -- /arxiv paper (``Deliverer.post_paper``) ------------------------------------------------


@dataclass(frozen=True)
class PaperPost:
    """What ``Deliverer.post_paper`` did: delivered ``run`` now, or nothing (``held``)."""

    run: DigestRun | None  # the run delivered by this call ("done", or "failed" with its error)
    held: Held | None = None  # the channel held the paper already: where
