"""Weekly digests fired on time: one APScheduler job per subscription, in step with the store.

The only module importing ``apscheduler``. Jobs live in memory, carry only a subscription
id and are derived from the subscriptions table (``sync``). A job only wakes the tick
(``bot/tick.py``), which asks the store what is owed, so a trigger firing late or twice
(DST), a restart or a brief second leader cannot post a week twice. The jobs of one
instant are gathered for a moment and fired as one batch. On taking the lead, unfinished
runs are finished first (``bot/recovery.py``), then what was missed is fired: one digest
for the gap. A sweep every ``sweep_seconds`` re-reads the table, retries what is due,
adopts the runs of dead processes and catches up; hourly it prunes.
What is due is judged by an injected clock (the tick's, recovery's retries); APScheduler
only decides when to look. Housekeeping (the prune's hour, orphans' heartbeat age) reads
the wall clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta, timezone
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.concurrency import SubscriptionLocks, log_failure
from bot.instances import Instances
from bot.recovery import Recovery
from bot.retries import Backoff
from bot.schedule import WeeklySchedule, cron_fields
from bot.tick import Tick
from config.settings import SchedulerSettings
from digest.arxiv.harvest import Harvester
from digest.delivery.versions import VersionNotes
from digest.related import RelatedIndex
from digest.delivery.deliverer import Deliverer
from digest.engine import utc_now
from digest.store import Store

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0  # the leader's look at changes made elsewhere, retries, anything owed
WAKE_GATHER_SECONDS = 0.5  # a tick's jobs all fire within this; they are planned as one batch
PRUNE_EVERY = timedelta(hours=1)
# Slack retries an event for about an hour, Discord an interaction for minutes: a week
# of handled ids is ample; heartbeats of processes gone that long are history.
KEEP_EVENTS = timedelta(days=7)


class DigestScheduler:
    """Implements the handlers' ``Scheduling``; ``start``/``stop`` follow the lease."""

    def __init__(
        self,
        store: Store,
        deliverer: Deliverer,
        settings: SchedulerSettings,
        clock: Callable[[], datetime] = utc_now,
        *,
        sweep_seconds: float = SWEEP_SECONDS,
        instances: Instances | None = None,
        cache_hours: float = 24.0,
        harvester: Harvester | None = None,
        versions: VersionNotes | None = None,
        related: RelatedIndex | None = None,
    ) -> None:
        self.store, self.deliverer = store, deliverer
        self.sweep_seconds = sweep_seconds
        self.cache_hours = cache_hours  # arXiv answers older than this are of no more use
        locks, backoff = SubscriptionLocks(), Backoff(settings, clock)
        self.tick = Tick(store, deliverer, settings, clock, locks, backoff, self._spawn, harvester, versions, related)
        # Who is alive among run owners; this process owns runs as its deliverer does.
        instances = instances or Instances(store, deliverer.owner)
        self.recovery = Recovery(store, deliverer, clock, locks, backoff, instances)
        self._pruned: datetime | None = None
        self._aps: AsyncIOScheduler | None = None
        self._jobs: dict[int, WeeklySchedule] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sweeping: asyncio.Task[Any] | None = None
        self._woken: set[int] = set()  # subscriptions whose jobs fired, gathered for one batch

    # -- leadership ------------------------------------------------------------------

    @property
    def leading(self) -> bool:
        return self._aps is not None

    async def start(self) -> None:
        """Start firing (``on_gain``): jobs now, then unfinished runs, then missed ones."""
        if self._aps is not None:
            return
        self.tick.ready.clear()  # new runs wait until unfinished ones are done
        # Late is fine (the tick asks what is owed), so a busy loop never drops a tick.
        defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        self._aps = AsyncIOScheduler(timezone=timezone.utc, job_defaults=defaults)
        self._aps.start()
        self.sync()
        self._aps.add_job(self._wake, IntervalTrigger(seconds=self.sweep_seconds), id="sweep", name="sweep")
        self._spawn(self._begin())

    async def stop(self) -> None:
        """Stop firing at once (``on_loss``): another process may be leading already, so
        work in flight is cancelled; a row left ``sending`` is reconciled by the next leader."""
        self._stop_jobs()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.tick.ready.set()

    async def drain(self, timeout: float) -> None:
        """Stop firing and give work in flight ``timeout`` seconds to end, then cancel it."""
        self._stop_jobs()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)
        await self.stop()

    async def idle(self) -> None:
        """Wait until everything fired so far has finished."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    def _stop_jobs(self) -> None:
        aps, self._aps = self._aps, None
        if aps is not None and aps.running:
            aps.shutdown(wait=False)
        self._jobs = {}

    # -- jobs ------------------------------------------------------------------------

    async def changed(self) -> None:
        """Subscriptions changed here: bring the jobs in step. (A process that does not
        lead has no jobs; the leader's sweep picks the change up.)"""
        self.sync()

    def sync(self) -> None:
        """One cron job per unpaused subscription, derived from the subscriptions table."""
        if self._aps is None:
            return
        wanted = {s.id: WeeklySchedule.of(s) for s in self.store.list_subscriptions() if not s.paused}
        for gone in self._jobs.keys() - wanted.keys():
            self._aps.remove_job(f"sub:{gone}")
        for sub_id, schedule in wanted.items():
            if self._jobs.get(sub_id) != schedule:
                self._aps.add_job(
                    self._wake,
                    CronTrigger(**cron_fields(schedule)),
                    args=[sub_id],
                    id=f"sub:{sub_id}",
                    name=f"weekly digest of subscription {sub_id} ({schedule})",
                    replace_existing=True,
                )
        self._jobs = wanted

    def jobs(self) -> dict[int, datetime | None]:
        """Subscription id -> the job's next fire time, as APScheduler holds them."""
        jobs = self._aps.get_jobs() if self._aps is not None else []
        return {int(job.id[4:]): job.next_run_time for job in jobs if job.id.startswith("sub:")}

    async def _wake(self, subscription_id: int | None = None) -> None:
        # APScheduler cancels its running coroutine jobs on shutdown: the work runs as
        # our own task instead, so that a stop can let it finish (``drain``).
        if subscription_id is not None:
            # The jobs of one tick (all subscriptions due at 09:00 Monday) wake one by one:
            # gathered for a moment, they are fired together (``Tick.fire_many``).
            if not self._woken:
                asyncio.get_running_loop().call_later(WAKE_GATHER_SECONDS, self._fire_woken)
            self._woken.add(subscription_id)
        elif self._sweeping is None or self._sweeping.done():  # sweeps never pile up
            self._sweeping = self._spawn(self.sweep())

    def _fire_woken(self) -> None:
        woken, self._woken = self._woken, set()
        if self._aps is not None:  # stopped meanwhile: what is owed is fired on the next start
            self._spawn(self.tick.fire_many(sorted(woken)))

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (err := task.exception()) is not None:
            log_failure(err)

    async def _begin(self) -> None:
        try:
            await self.recovery.resume()  # unfinished runs first: their cards come before new ones
        finally:
            self.tick.ready.set()
        await self.tick.catch_up()

    async def sweep(self) -> None:
        """The periodic look: jobs in step with the table, then retries, runs whose owner
        is gone and anything still owed, as tasks of their own: a long delivery never
        delays the next look."""
        self.sync()
        self._spawn(self.recovery.retry_due())
        self._spawn(self.deliverer.release_held())
        self._spawn(self.recovery.adopt_orphans())
        self._spawn(self.tick.catch_up())
        if self.tick.queue is not None:  # jobs of processes gone: failed, their work re-queued above
            self._spawn(self.tick.queue.unstall())
        if self._pruned is None or utc_now() - self._pruned >= PRUNE_EVERY:
            self._pruned = utc_now()
            self._spawn(self.prune())
            if self.tick.queue is not None:
                self._spawn(self.tick.queue.prune())

    async def prune(self) -> dict[str, int]:
        """Delete what the store keeps only for a while (``Store.prune``), at most hourly."""
        now = utc_now()
        pruned = await asyncio.to_thread(
            self.store.prune,
            events_before=now - KEEP_EVENTS,
            queries_before=now - timedelta(hours=self.cache_hours),
            instances_before=now - KEEP_EVENTS,
        )
        if any(pruned.values()):
            log.info("pruned %s", ", ".join(f"{n} {table}" for table, n in pruned.items() if n))
        return pruned
