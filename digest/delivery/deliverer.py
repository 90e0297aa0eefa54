"""A subscription's digest delivered through the ledger: every card at most once, in order.

``plan`` ranks the digest's papers and writes its ledger rows (header and cards, all
pending) before anything is sent; ``deliver`` walks the rows in order and posts what
is missing, each card summarised just ahead of its post (``CardTexts``). A row is
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from digest.delivery import feedback
from digest.delivery.budget import Budgets
from digest.delivery.card_texts import CardTexts
from digest.delivery.keys import post_key
from digest.delivery.landing import landed
from digest.delivery.marks import MarkQueue
from digest.delivery.overview import run_overview
from digest.delivery.paper import PaperPost, PaperPosts
from digest.delivery.ports import ChatError, ChatPermissionError, ChatReplyLost, DigestPort
from digest.engine import Engine
from digest.i18n import label
from digest.models import (
    HEADER, ChannelRef, Delivery, Digest, DigestRun, Held, Owed, Paper, Subscription, Window,
)  # fmt: skip
from digest.store import Store
from digest.store.ledger import RunLost
from digest.store.ledger_rows import Ranked, has_header
from digest.text.ranking import Scored

log = logging.getLogger(__name__)
# When a failed scheduled run is tried again, given its failed attempts counting this
# one (None: given up); the scheduler's backoff (``bot.retries.Backoff.next_try``).
Retry = Callable[[int], datetime | None]


@dataclass
class Deliverer:
    engine: Engine
    store: Store
    ports: Mapping[str, DigestPort]
    bullets: int = 4
    learning: float = feedback.WEIGHT  # a channel's reactions in its ranking (``digest.text.feedback``; 0: off)
    budgets: Budgets = field(default_factory=Budgets)  # monthly LLM budgets (default: unlimited)
    # This process's identity as a run owner (bot/instances.py gives a live one its
    # heartbeat); runs it plans are its own, others it takes over (``Store.take_over``).
    owner: str = field(default_factory=lambda: f"deliverer:{uuid.uuid4().hex[:12]}")
    delivering: set[str] = field(init=False, repr=False)  # keys of the runs being delivered here now
    _marks: MarkQueue = field(init=False, repr=False)
    _papers: PaperPosts = field(init=False, repr=False)  # /arxiv paper's runs being posted here
    # Ledger rows and papers of runs this Deliverer just planned, handed to their delivery
    # so that a tick does not read back thousands of rows it has just written.
    _planned: dict[str, tuple[list[Delivery], dict[tuple[str, int], Paper]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._marks = MarkQueue(self.store)
        self._papers = PaperPosts(self)
        self.delivering = set()
        self._channels: defaultdict[ChannelRef, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._unreleased: dict[str, int] = {}
        self._planned = {}

    async def plan(
        self, subscription: Subscription, window: Window, key: str, due_at: datetime | None = None
    ) -> DigestRun:
        """The run ``key`` of ``subscription`` (for the weekly instant ``due_at``; None: on
        demand), planned now unless it already was."""
        result = (await self.plan_many([Owed(subscription, window, key, due_at)]))[0]
        if isinstance(result, Exception):
            raise result
        return result

    async def plan_many(self, owed: Sequence[Owed]) -> list[DigestRun | Exception]:
        """``plan`` for many subscriptions at once, as a tick of many does: the store is read
        and written once for all, and a digest that cannot be built (arXiv down) is that
        subscription's exception in the result, not everyone's. Each run's row is written
        whole: owned by this process, with its due instant."""
        runs = self.store.get_runs([o.key for o in owed])
        todo = [o for o in owed if o.key not in runs]
        # Only ranked here, every candidate: the store claims each paper for the channel
        # as it plans (a channel never gets one twice) and takes the next ranked instead.
        # Each card is summarised just ahead of its post (``_deliver``).
        selections = await asyncio.gather(
            *(self.engine.select(o.subscription.topic, o.window, max_papers=None,
                                 search_terms=o.subscription.search_terms) for o in todo),  # fmt: skip
            return_exceptions=True,
        )
        failed: dict[str, Exception] = {}
        planned: list[tuple[DigestRun, list[Scored]]] = []
        for o, selection in zip(todo, selections):
            if isinstance(selection, Exception):
                failed[o.key] = selection
            elif isinstance(selection, BaseException):  # cancelled: stop planning altogether
                raise selection
            else:
                ranked, candidates, missing = selection
                planned.append((_new_run(o, candidates, missing, self.owner), ranked))
        if planned:
            planned = await asyncio.to_thread(feedback.learned, self.store, planned, todo, self.learning)
            wanted = {o.key: o.subscription.max_papers for o in todo}
            stored, written = self.store.plan_runs(planned, wanted)
            runs.update(stored)
            self._planned.update((key, _pending(stored[key], items)) for key, items in written.items())
        return [runs.get(o.key) or failed[o.key] for o in owed]

    async def deliver_many(
        self, runs: Sequence[DigestRun], *, retry: Retry | None = None
    ) -> list[DigestRun | BaseException]:
        """``deliver`` of many runs concurrently, their ledger and papers read in one go.

        A run this process does not own is first taken over (``Store.take_over``); one
        that another process wins meanwhile comes back as it is, undelivered. A scheduled
        run that fails ends with its next try (``retry``; none without it) written."""
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
        # The headers' announcement days, read for all at once (per run: three queries).
        days = dict(zip(mine, self.engine.announced_days_of([(r.window, r.subscription_id) for r in mine.values()])))
        return await asyncio.gather(
            *(self._deliver(run, *ledgers[run.key], days[run.key], retry) if run.key in mine else _as_is(run)
              for run in runs),  # fmt: skip
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

    async def deliver(self, run: DigestRun, *, retry: Retry | None = None) -> DigestRun:
        """Post the run's missing messages in order; the returned run says how it ended."""
        [result] = await self.deliver_many([run], retry=retry)
        if isinstance(result, BaseException):
            raise result
        return result

    async def _deliver(
        self, run: DigestRun, rows: list[Delivery], papers: Mapping[tuple[str, int], Paper],
        announced: tuple[date, ...] | None, retry: Retry | None,
    ) -> DigestRun:  # fmt: skip
        self.delivering.add(run.key)
        try:
            # One digest at a time per channel: two of the same moment (two subscriptions,
            # two /arxiv now) read as two blocks, not interleaved cards. Chat platforms
            # pace posts per channel anyway, so this costs no time.
            async with self._channels[run.channel]:
                return await self._post_missing(run, rows, papers, announced, retry)
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
        self, run: DigestRun, rows: list[Delivery], papers: Mapping[tuple[str, int], Paper],
        announced: tuple[date, ...] | None, retry: Retry | None,
    ) -> DigestRun:  # fmt: skip
        port = self.ports[run.channel.platform]
        fenced = {"owner": self.owner, "fence": run.fence}
        cards = [row for row in rows if row.position != HEADER]
        short = (label(run.language, "arxiv_short", got=run.candidates, total=run.candidates + run.missing),)
        digest = Digest(
            run.topic, run.window, run.language, (), candidates=run.candidates, planned=len(cards), skipped=run.skipped,
            notes=short if run.missing else (), announced=announced,
        )  # arXiv's shortfall said; the announcement days it covers
        texts = CardTexts(self.engine, run.language, self.bullets, cards, papers, self.budgets.run(self.store, run, port))
        try:
            for row in rows:
                if row.state == "sent":
                    continue
                key = post_key(run.key, row.position)  # carried by the post: found again by it
                if row.state in ("sending", "unknown"):
                    # The last attempt may have posted it: look before posting again.
                    found = await port.find_posted(run.channel, key)
                    if found is not None:
                        await self._marks.mark(run.key, row.position, "sent", message_id=found.message_id, **fenced)
                        continue
                texts.ahead(row.position)  # from the header on: the first card is written while it goes out
                glance = await run_overview(self.engine, self.store, run, texts, row) if row.position == HEADER else None
                digest = replace(digest, overview=glance.sentences) if glance else digest  # the week at a glance
                card = None if row.position == HEADER else await texts.card(row)
                # The text is recorded with "sending": a resumed run posts the same card.
                written = card.text if card is not None and row.text is None else None
                await self._marks.mark(run.key, row.position, "sending", card=written, overview=glance, **fenced)
                posting = asyncio.ensure_future(
                    port.post_header(run.channel, digest, key)
                    if card is None
                    else port.post_card(run.channel, card, digest, key)
                )
                try:
                    message = await landed(posting, lambda m: self._marks.mark(
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
            return await self._marks.finish(run.key, "failed", str(err), **fenced)  # no retry while paused
        except ChatError as err:
            log.warning("digest %s stopped, to be retried: %s", run.key, err)
            # A scheduled run's next try is written with its ending (its attempts: this one too).
            retry_at = retry(run.attempts + 1) if retry is not None and run.due_at is not None else None
            return await self._marks.finish(run.key, "failed", str(err), **fenced, retry_at=retry_at)
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
        """``paper``'s card in ``channel`` through the ledger, at most once (``PaperPosts.post``)."""
        return await self._papers.post(channel, paper, language, key, tz)


def _new_run(owed: Owed, candidates: int, missing: int, owner: str) -> DigestRun:
    """The run ``owed`` is, as planned now: owned by ``owner``, for its due instant."""
    sub = owed.subscription
    return DigestRun(owed.key, sub.id, sub.channel, sub.topic, sub.language, owed.window, candidates, "delivering",
                     owner=owner, due_at=owed.due_at, missing=missing)  # fmt: skip


async def _as_is(run: DigestRun) -> DigestRun:
    return run


def _pending(run: DigestRun, ranked: Sequence[Ranked]) -> tuple[list[Delivery], dict[tuple[str, int], Paper]]:
    """The ledger rows ``plan_runs`` just wrote for ``run`` (as ``Store.deliveries`` would
    read them back), and their papers."""
    rows = [Delivery(run.key, HEADER, "", 0, 0.0, None, "pending")] * has_header(run, ranked)
    rows += [Delivery(run.key, i, s.paper.arxiv_id, s.paper.version, s.score, None, "pending")
             for i, s in enumerate(ranked, start=1)]  # fmt: skip
    return rows, {(s.paper.arxiv_id, s.paper.version): s.paper for s in ranked}
