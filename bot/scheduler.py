"""Weekly digests fired on time: one APScheduler job per subscription, the store for truth.

The only module importing ``apscheduler``. Jobs live in memory, carry only a subscription
id and are derived from the subscriptions table (``sync``). A job only wakes ``fire``,
which asks the store what is owed (``due_since`` after the last due instant fired), so a
trigger firing late or twice (DST), a restart or a brief second leader cannot post a week
twice: the run key is ``sub<id>@<due instant>`` and the ledger posts a key once. Failed
runs are retried with exponential backoff (``retry_at`` in the store). On taking the lead,
unfinished runs are finished first, then what was missed is fired: one digest for the gap.
Subscriptions due at one tick are fired together (``fire_many``): planned with one store
read and write, each topic's channels posting as soon as its papers are ranked.
Time comes from an injected clock; APScheduler only decides when to look.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.gate import ShuttingDown
from bot.instances import Instances
from bot.notices import FailureNotices
from bot.retries import PlanFailures, retry_delay
from bot.schedule import WeeklySchedule, cron_fields, digest_window, due_since
from config.settings import SchedulerSettings
from digest.delivery.deliverer import Deliverer
from digest.models import DigestRun, Subscription, Window
from digest.engine import utc_now
from digest.store import Store

log = logging.getLogger(__name__)

Wanted = tuple[Subscription, Window, str]  # a digest owed: whose, of what window, its run key
SWEEP_SECONDS = 30.0  # the leader's look at changes made elsewhere, retries, anything owed
WAKE_GATHER_SECONDS = 0.5  # a tick's jobs all fire within this; they are planned as one batch
PRUNE_EVERY = timedelta(hours=1)
OWN_IDLE = timedelta(seconds=30)  # a run of ours untouched this long, and not being delivered, is picked up
# Slack retries an event for about an hour, Discord an interaction for minutes: a week
# of handled ids is ample; heartbeats of processes gone that long are history.
KEEP_EVENTS = timedelta(days=7)


def run_key(subscription_id: int, due: datetime) -> str:
    """The idempotency key of the digest owed for the weekly instant ``due``."""
    return f"sub{subscription_id}@{due.astimezone(timezone.utc).isoformat()}"


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
    ) -> None:
        self.store, self.deliverer, self.settings, self.clock = store, deliverer, settings, clock
        self.grace = timedelta(hours=settings.grace_hours)
        self.sweep_seconds = sweep_seconds
        # Who is alive among run owners; this process owns runs as its deliverer does.
        self.instances = instances or Instances(store, deliverer.owner)
        self.cache_hours = cache_hours  # arXiv answers older than this are of no more use
        self._pruned: datetime | None = None
        self._aps: AsyncIOScheduler | None = None
        self._jobs: dict[int, WeeklySchedule] = {}
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sweeping: asyncio.Task[Any] | None = None
        self._resumed = asyncio.Event()  # new runs wait until unfinished ones are done
        self._resumed.set()
        self._woken: set[int] = set()  # subscriptions whose jobs fired, gathered for one batch
        self._plan_failures = PlanFailures(store, settings)  # digests not even planned: no run row yet
        self._notices = FailureNotices(store, deliverer)  # ... of which the channel is told once

    # -- leadership ------------------------------------------------------------------

    @property
    def leading(self) -> bool:
        return self._aps is not None

    async def start(self) -> None:
        """Start firing (``on_gain``): jobs now, then unfinished runs, then missed ones."""
        if self._aps is not None:
            return
        self._resumed.clear()
        # Late is fine (``fire`` asks what is owed), so a busy loop never drops a tick.
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
        self._resumed.set()

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
            # gathered for a moment, they are fired together (``fire_many``).
            if not self._woken:
                asyncio.get_running_loop().call_later(WAKE_GATHER_SECONDS, self._fire_woken)
            self._woken.add(subscription_id)
        elif self._sweeping is None or self._sweeping.done():  # sweeps never pile up
            self._sweeping = self._spawn(self.sweep())

    def _fire_woken(self) -> None:
        woken, self._woken = self._woken, set()
        if self._aps is not None:  # stopped meanwhile: what is owed is fired on the next start
            self._spawn(self.fire_many(sorted(woken)))

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (err := task.exception()) is not None:
            _log_failure(err)

    async def _begin(self) -> None:
        try:
            await self.resume()  # unfinished runs first: their cards come before new ones
        finally:
            self._resumed.set()
        await self.catch_up()

    # -- firing ----------------------------------------------------------------------

    async def fire(self, subscription_id: int) -> DigestRun | None:
        """Deliver the digest ``subscription_id`` is owed now, if any (at most one)."""
        runs = await self.fire_many([subscription_id])
        return runs[0] if runs else None

    async def fire_many(self, subscription_ids: Iterable[int]) -> list[DigestRun]:
        """Deliver what each subscription is owed now, planned together: one store read
        and write for all, and those sharing a topic and window fetch and summarise once
        (the engine's in-flight dedup). A subscription busy right now is waited for
        apart from the others, so that it holds no one up."""
        await self._resumed.wait()
        ids = list(dict.fromkeys(subscription_ids))
        free = [i for i in ids if not self._locks[i].locked()]
        busy = [[i] for i in ids if self._locks[i].locked()]
        batches = await self._each(self._fire_batch(batch) for batch in [free, *busy] if batch)
        return [run for runs in batches for run in runs]

    async def _fire_batch(self, ids: list[int]) -> list[DigestRun]:
        async with contextlib.AsyncExitStack() as held:
            for sub_id in sorted(ids):  # one order everywhere: batches never deadlock
                await held.enter_async_context(self._locks[sub_id])
            now, subs = self.clock(), self.store.get_subscriptions(ids)
            last, failing = self.store.last_fired(list(subs)), self._plan_failures.of(list(subs))
            owed = {
                sub.id: due
                for sub in subs.values()
                if not sub.paused
                and (due := self._due(sub, last.get(sub.id), now)) is not None
                and not self._plan_failures.held_off(failing.get(sub.id), due, now)
            }
            if not owed:
                return []
            done = self.store.last_windows(list(owed))
            wanted = [
                # Everything since the last digest delivered, however many weeks were missed
                # (and, before the first, since the first due one that could not be built).
                (subs[i], digest_window(done.get(i), _local(due, subs[i].tz), subs[i].tz,
                                        _local(failing[i].due_at, subs[i].tz) if i in failing else None), run_key(i, due))
                for i, due in owed.items()
            ]  # fmt: skip
            # A topic's digests go out as soon as they are ready, not after every topic's.
            topics: defaultdict[tuple[str, str, Window], list[Wanted]] = defaultdict(list)
            for sub, window, key in wanted:
                topics[sub.topic, sub.language, window].append((sub, window, key))
            runs = await self._each(self._plan_and_deliver(group, owed, now) for group in topics.values())
            return [run for group_runs in runs for run in group_runs]

    async def _plan_and_deliver(self, wanted: list[Wanted], owed: dict[int, datetime], now: datetime) -> list[DigestRun]:
        planned: list[DigestRun] = []
        failed: list[tuple[Subscription, Exception]] = []
        for (sub, window, _), result in zip(wanted, await self.deliverer.plan_many(wanted)):
            if isinstance(result, Exception):  # arXiv down, the LLM server gone: try again later
                failed.append((sub, result))
                continue
            planned.append(result)
            log.info("digest %s planned for %s (%s to %s)", result.key, sub.channel.channel_id, window.start, window.end)
        self.store.record_dues([(run.key, owed[run.subscription_id]) for run in planned])
        # Failures kept in the store (backoff and giving up survive a restart); the channel
        # is told at the first failed try, and once more when it is back or given up.
        if failed:
            failures = self._plan_failures.failed([(sub.id, owed[sub.id], err) for sub, err in failed], now)
            await self._notices.failed([(sub, f, err) for (sub, err), f in zip(failed, failures)], now)
        if planned and (cleared := self._plan_failures.planned([run.subscription_id for run in planned])):
            await self._notices.planned(cleared, planned, {sub.id: sub for sub, _, _ in wanted})
        delivered = await self.deliverer.deliver_many(planned)
        return [self._settle(run) for run in delivered if self._delivered(run)]

    async def catch_up(self) -> list[DigestRun]:
        """Fire every subscription owed a digest now, all at once (``fire_many``)."""
        now, last = self.clock(), self.store.last_fired()
        subs = [s for s in self.store.list_subscriptions() if not s.paused]
        # A subscription busy right now is looked at again by the next sweep.
        owed = [s.id for s in subs if not self._locks[s.id].locked() and self._due(s, last.get(s.id), now)]
        return await self.fire_many(owed)

    async def resume(self) -> list[DigestRun]:
        """Finish every run left unfinished: scheduled runs that failed with attempts left,
        and every run whose owner is gone (``orphans``: a process killed mid-delivery, a
        scheduled digest or an /arxiv now one). A subscription's runs go oldest first;
        subscriptions in parallel."""
        keys: dict[int, list[str]] = defaultdict(list)
        for t in self.store.scheduled_runs(states=("failed",)):
            if t.attempts < self.settings.max_attempts:
                keys[t.subscription_id].append(t.key)
        for run in await self.orphans():
            keys[run.subscription_id].append(run.key)

        async def finish(sub_id: int, run_keys: list[str]) -> list[DigestRun]:
            return [run for key in run_keys if (run := await self._resume_one(sub_id, key, force=True))]

        results = await self._each(finish(sub_id, run_keys) for sub_id, run_keys in keys.items())
        return [run for runs in results for run in runs]

    async def retry_due(self) -> list[DigestRun]:
        """Try again every failed run whose backoff has passed."""
        now, runs = self.clock(), self.store.scheduled_runs(states=("failed",))
        due = [t for t in runs if t.retry_at and t.retry_at <= now and not self._locks[t.subscription_id].locked()]
        return await self._each(self._resume_one(t.subscription_id, t.key, force=False) for t in due)

    async def orphans(self) -> list[DigestRun]:
        """Runs being delivered whose owner is gone (``bot/instances.py``), oldest first;
        and this process's own runs that nothing here delivers any more (a database error
        at the wrong moment), once idle for ``OWN_IDLE``."""
        in_flight = await asyncio.to_thread(self.store.runs_in_flight)
        gone = await asyncio.to_thread(self.instances.gone, {run.owner for run in in_flight})
        idle = await asyncio.to_thread(self.store.idle_runs_of, self.deliverer.owner, utc_now() - OWN_IDLE)
        orphans = [run for run in in_flight if run.owner in gone]
        return orphans + [run for run in idle if run.key not in self.deliverer.delivering]

    async def adopt_orphans(self) -> list[DigestRun]:
        """Finish the runs whose process died mid-delivery, as soon as that is known."""
        orphans = [run for run in await self.orphans() if not self._locks[run.subscription_id].locked()]
        return await self._each(self._resume_one(run.subscription_id, run.key, force=True) for run in orphans)

    async def sweep(self) -> None:
        """The periodic look: jobs in step with the table, then retries, runs whose owner
        is gone and anything still owed, as tasks of their own: a long delivery never
        delays the next look."""
        self.sync()
        self._spawn(self.retry_due())
        self._spawn(self.deliverer.release_held())
        self._spawn(self.adopt_orphans())
        self._spawn(self.catch_up())
        if self._pruned is None or utc_now() - self._pruned >= PRUNE_EVERY:
            self._pruned = utc_now()
            self._spawn(self.prune())

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

    async def _resume_one(self, sub_id: int, key: str, *, force: bool) -> DigestRun | None:
        async with self._locks[sub_id]:
            run, sub = self.store.get_run(key), self.store.get_subscription(sub_id)
            if run is None or run.state == "done" or (sub is None and sub_id) or (sub is not None and sub.paused):
                return None  # a run of no subscription (``/arxiv paper``: id 0) is finished all the same
            if not force:  # a retry: still failed and still due? (checked under the lock)
                timing = self.store.scheduled_runs(states=("failed",), subscription_id=sub_id)
                if not any(t.key == key and t.retry_at and t.retry_at <= self.clock() for t in timing):
                    return None
            log.info("resuming digest %s (%s, %d failed attempts)", key, run.state, run.attempts)
            return await self._deliver(run)

    async def _deliver(self, run: DigestRun) -> DigestRun:
        return self._settle(await self.deliverer.deliver(run))

    @staticmethod
    def _delivered(result: DigestRun | BaseException) -> bool:
        if isinstance(result, BaseException):
            _log_failure(result)
            return False
        return True

    def _settle(self, run: DigestRun) -> DigestRun:
        """A failed run's next try (with backoff) recorded; given up once attempts are spent."""
        retry_at = None
        if run.state == "failed":
            sub = self.store.get_subscription(run.subscription_id)
            delay = retry_delay(self.settings, run.attempts) if sub is not None and not sub.paused else None
            retry_at = self.clock() + delay if delay is not None else None
            then = f"retry at {retry_at:%Y-%m-%d %H:%M} UTC" if retry_at else "giving up"
            log.warning("digest %s failed (attempt %d), %s: %s", run.key, run.attempts, then, run.error)
        if run.state == "failed" or run.attempts:  # a run that never failed never had a retry_at
            self.store.set_retry(run.key, retry_at)
        return run

    async def _each(self, work: Iterable[Awaitable[Any]]) -> list[Any]:
        """Run concurrently; one subscription's failure is logged, never stops the others."""
        results = await asyncio.gather(*work, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                _log_failure(result)
        return [r for r in results if r is not None and not isinstance(r, BaseException)]

    def _due(self, sub: Subscription, last_fired: datetime | None, now: datetime) -> datetime | None:
        return due_since(WeeklySchedule.of(sub), last_fired, now, self.grace)


def _local(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def _log_failure(err: BaseException) -> None:
    if isinstance(err, ShuttingDown):
        log.info("%s; the next start finishes the digest", err)
    else:
        log.error("a scheduled digest failed", exc_info=err)
