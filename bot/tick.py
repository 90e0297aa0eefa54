"""The digest tick: "these subscriptions are due" to "their cards are posted".

``Tick.fire_batch`` is the whole chain, read top to bottom: which subscriptions owe a
digest now, the window each owes, planning per topic, delivery, settling. The store
is the only memory: what is owed is asked of it (``due_since`` after the last due
instant fired), and the run key (``digest.delivery.keys.run_key``) names the week, so a
trigger firing late or twice (DST), a restart or a brief second leader cannot post a
week twice.

First (step 0) arXiv's announcements are harvested, once for every topic: concurrent
batches share the harvest in flight, and one that fails costs nothing but the store's
help: the engine then searches arXiv per topic for the windows it does not cover.

Batching stays behind it: ``fire_many`` fires a tick's subscriptions as one batch (one
that is busy right now apart, so that it holds no one up), ``catch_up`` every one owed
anything; in a batch, subscriptions sharing a topic, language and window are planned as
one group (one fetch, one ranking), each group posting as soon as it is planned.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Coroutine, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.concurrency import SubscriptionLocks, gather_logged, log_failure
from bot.notices import FailureNotices
from bot.retries import Backoff, PlanFailures, settled
from bot.schedule import WeeklySchedule, due_since, owed_window
from config.settings import SchedulerSettings
from digest.arxiv.announced import archives_needed
from digest.arxiv.harvest import Harvester, HarvestReport
from digest.delivery.versions import VersionNotes
from digest.delivery.deliverer import Deliverer
from digest.delivery.keys import run_key
from digest.models import DigestRun, Owed, Subscription
from digest.related import RelatedIndex
from digest.store import Store
from digest.store.plan_failures import PlanFailure

if TYPE_CHECKING:
    from bot.jobs import Queue

log = logging.getLogger(__name__)
# After a failed harvest (arXiv's retries spent: about a minute), batches plan at once,
# by the per-topic search, instead of each waiting for arXiv again.
HARVEST_PAUSE = timedelta(minutes=10)


class Due(NamedTuple):
    """A subscription owing a digest now: for which weekly instant, and its failure to plan it, if any."""

    subscription: Subscription
    at: datetime
    failing: PlanFailure | None


class Tick:
    """Fires subscriptions' digests: planned together, delivered, settled."""

    def __init__(
        self,
        store: Store,
        deliverer: Deliverer,
        settings: SchedulerSettings,
        clock: Callable[[], datetime],
        locks: SubscriptionLocks,
        backoff: Backoff,
        spawn: Callable[[Coroutine[Any, Any, Any]], object],
        harvester: Harvester | None = None,
        versions: VersionNotes | None = None,
        related: RelatedIndex | None = None,
    ) -> None:
        self.store, self.deliverer, self.clock, self.locks, self.backoff = store, deliverer, clock, locks, backoff
        self.harvester = harvester  # None: no harvest, every digest searched per topic
        self.versions = versions  # new versions of posted papers, noted in their cards' threads
        self.spawn = spawn  # the scheduler's: its tasks are logged, drained and stopped with it
        # Related papers' index, refreshed after each harvest (None: left to its first use).
        self.related = related
        self._indexing: Any = None  # the refresh in flight: one at a time
        self._harvesting: asyncio.Task[HarvestReport | None] | None = None
        self._harvest_failed: datetime | None = None
        self.grace = timedelta(hours=settings.grace_hours)
        self.failures = PlanFailures(store, backoff)  # digests not even planned: no run row yet
        self.notices = FailureNotices(store, deliverer)  # ... of which the channel is told once
        # Cleared while the runs left unfinished are finished first (``DigestScheduler.start``).
        self.ready = asyncio.Event()
        self.ready.set()
        # With the job queue on (bot/jobs.py): steps 3 to 5 run as jobs on any process.
        self.queue: Queue | None = None

    async def fire_batch(self, subscription_ids: Sequence[int]) -> list[DigestRun]:
        """The tick: the digests these subscriptions owe now, posted; the runs as they ended.

        0. Harvest: arXiv's announcements the store lacks, once for every topic
           (``harvest``); failing, the windows it leaves uncovered are searched per topic.
        1. Due subscriptions: those not paused whose weekly instant passed since the last
           one fired, within the grace; a digest whose planning failed waits its backoff.
        2. Owed windows: each digest covers everything since the last one delivered, under
           the run key of its due instant.
        3. Plan per topic: a group sharing topic, language and window is fetched and ranked
           once and written in one transaction (runs with their due instant, ledger rows,
           channel claims); a digest that could not be built is kept as a plan failure and
           its channel told once.
        4. Deliver: each run posts its missing messages, each card summarised just ahead.
        5. Settle: a failed run ended with its next try (backoff) written; logged.

        With the job queue on, steps 3 to 5 become ``plan`` jobs instead (``topics`` on
        whichever process takes one, ``bot/jobs.py``), and nothing is returned.
        """
        async with self.locks.holding(subscription_ids):
            now = self.clock()
            await self.harvest(now)  # 0 (its report's replacements: the version notes' input)
            due = self._due(subscription_ids, now)  # 1
            owed = self._owed(due)  # 2
            if self.queue is not None:
                await self.queue.plan(_by_topic(owed), now)  # 3 to 5: jobs
                return []
            return await self.topics(owed, now)

    async def topics(self, owed: list[Owed], now: datetime, *, adopt: bool = True) -> list[DigestRun]:
        """Steps 3 to 5 for ``owed``: each topic group planned, then delivered as soon as it
        is, in this process (a group's cards and week at a glance written once, by the
        engine's memo); the runs that ended, settled. ``adopt=False`` (a queue's job): a
        run planned before by another process is left to it, or to recovery's deliver
        job once it is gone; taking it over here could post its card in flight again."""

        async def topic(group: list[Owed]) -> list[DigestRun]:
            planned = await self.plan(group, now)  # 3
            if not adopt:
                planned = [run for run in planned if run.owner == self.deliverer.owner]
            delivered = await self.deliverer.deliver_many(planned, retry=self.backoff.next_try)  # 4
            return [settled(run) for run in delivered if _ended(run)]  # 5

        per_topic = await gather_logged(topic(group) for group in _by_topic(owed))
        return [run for runs in per_topic for run in runs]

    async def harvest(self, now: datetime) -> HarvestReport | None:
        """Harvest for every subscription not paused (the union of the archives their topics
        need, all for free text) and return what was stored; None to a batch that joined a
        harvest already in flight (it was reported to the batch that started it), without
        a harvester, or when arXiv failed (logged; what was stored stays) or failed less
        than ``HARVEST_PAUSE`` ago."""
        if self.harvester is None or (self._harvest_failed and now - self._harvest_failed < HARVEST_PAUSE):
            return None
        if self._harvesting is not None and not self._harvesting.done():
            await asyncio.shield(self._harvesting)
            return None
        self._harvesting = asyncio.ensure_future(self._harvest(self.harvester, now))
        return await asyncio.shield(self._harvesting)

    async def _harvest(self, harvester: Harvester, now: datetime) -> HarvestReport | None:
        # Every subscription's archives, not only the due ones': an announcement is stored
        # once, for whoever is due later too.
        subs = [s for s in self.store.list_subscriptions() if not s.paused]
        archives = archives_needed(s.search_terms or s.topic for s in subs)
        try:
            report = await harvester.harvest(now, archives)
        except Exception as exc:  # noqa: BLE001 (arXiv down, a bad answer: the search serves instead)
            log.warning("arXiv harvest failed, digests not covered by the store search arXiv per topic: %s", exc)
            self._harvest_failed = now
            return None
        if self.versions is not None and report.replacements:
            # Beside the digests, not before them: a note is a reply in an old card's thread.
            self.spawn(self.versions.note(report.replacements))
        if self.related is not None and (self._indexing is None or self._indexing.done()):
            # Beside the digests too: embedding new papers takes about 0.3 s each.
            self._indexing = self.spawn(asyncio.to_thread(_refresh_related, self.related))
        return report

    async def fire(self, subscription_id: int) -> DigestRun | None:
        """Deliver the digest ``subscription_id`` is owed now, if any (at most one)."""
        runs = await self.fire_many([subscription_id])
        return runs[0] if runs else None

    async def fire_many(self, subscription_ids: Iterable[int]) -> list[DigestRun]:
        """Deliver what each subscription is owed now, as one batch (``fire_batch``); one
        busy right now is waited for apart from the others, so that it holds no one up."""
        await self.ready.wait()
        ids = list(dict.fromkeys(subscription_ids))
        free = [i for i in ids if not self.locks.busy(i)]
        busy = [[i] for i in ids if self.locks.busy(i)]
        batches = await gather_logged(self.fire_batch(batch) for batch in [free, *busy] if batch)
        return [run for runs in batches for run in runs]

    async def catch_up(self) -> list[DigestRun]:
        """Fire every subscription owed a digest now, all at once (``fire_many``)."""
        now, last = self.clock(), self.store.last_fired()
        subs = [s for s in self.store.list_subscriptions() if not s.paused]
        # A subscription busy right now is looked at again by the next sweep.
        return await self.fire_many(s.id for s in subs if not self.locks.busy(s.id) and self.owes(s, last.get(s.id), now))

    def owes(self, sub: Subscription, last_fired: datetime | None, now: datetime) -> datetime | None:
        """The due instant ``sub`` owes a digest for now, if any (``due_since``)."""
        return due_since(WeeklySchedule.of(sub), last_fired, now, self.grace)

    def _due(self, subscription_ids: Sequence[int], now: datetime) -> list[Due]:
        subs = self.store.get_subscriptions(subscription_ids)
        last, failing = self.store.last_fired(list(subs)), self.failures.of(list(subs))
        return [
            Due(sub, at, failing.get(sub.id))
            for sub in subs.values()
            if not sub.paused
            and (at := self.owes(sub, last.get(sub.id), now)) is not None
            and not self.failures.held_off(failing.get(sub.id), at, now)
        ]

    def _owed(self, due: list[Due]) -> list[Owed]:
        done = self.store.last_windows([d.subscription.id for d in due]) if due else {}
        return [
            Owed(sub, owed_window(sub, at, done.get(sub.id), failing.due_at if failing else None), run_key(sub.id, at), at)
            for sub, at, failing in due
        ]

    async def plan(self, group: list[Owed], now: datetime) -> list[DigestRun]:
        """Step 3 for one topic group: ``Deliverer.plan_many``, then ``_planned``."""
        return await self._planned(group, await self.deliverer.plan_many(group), now)

    async def _planned(
        self, owed: list[Owed], results: list[DigestRun | Exception], now: datetime
    ) -> list[DigestRun]:
        """The runs planned. A digest that could not be (arXiv down, the LLM server gone)
        is a plan failure kept in the store (backoff and giving up survive a restart), its
        channel told at the first failed try; a failure ends once its digest is planned,
        and a channel told of it hears it is back."""
        planned = [run for run in results if isinstance(run, DigestRun)]
        failed = [(o, err) for o, err in zip(owed, results) if isinstance(err, Exception)]
        for o, run in zip(owed, results):
            if isinstance(run, DigestRun):
                log.info("digest %s planned for %s (%s to %s)", run.key, o.subscription.channel.channel_id,
                         o.window.start, o.window.end)  # fmt: skip
        if failed:
            failures = self.failures.failed([(o.subscription.id, o.due_at or now, err) for o, err in failed], now)
            await self.notices.failed([(o.subscription, f, err) for (o, err), f in zip(failed, failures)], now)
        if planned and (cleared := self.failures.planned([run.subscription_id for run in planned])):
            await self.notices.planned(cleared, planned, {o.subscription.id: o.subscription for o in owed})
        return planned


def _refresh_related(index: RelatedIndex) -> int:
    """Index (and embed, storing the vectors) the papers stored since the last refresh:
    in a worker thread, never on the event loop."""
    added = index.refresh()
    log.info("related papers: %d new papers indexed", added)
    return added


def _by_topic(owed: list[Owed]) -> list[list[Owed]]:
    """Digests sharing topic, language and window: planned together, posted as soon as ranked."""
    groups: defaultdict[tuple[object, ...], list[Owed]] = defaultdict(list)
    for o in owed:
        groups[o.subscription.topic, o.subscription.language, o.window].append(o)
    return list(groups.values())


def _ended(result: DigestRun | BaseException) -> bool:
    if isinstance(result, BaseException):
        log_failure(result)
        return False
    return True
