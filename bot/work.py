"""The queue's jobs as this process runs them, and procrastinate's worker in its loop.

``Work`` is what a job needs of the process (store, deliverer, the tick's planning and
plan-failure handling, the backoff); procrastinate hands it to each job through the
worker's context. ``Jobs`` is the queue of one process: the app opened, the worker
taking jobs (``concurrency`` at once), then stopped: no new job taken, the ones running
given ``DRAIN_SECONDS`` (a closed post gate ends a delivery at its next post), then
cancelled. ``digest-bot run`` (queue on) and ``digest-bot worker`` both build one
(``build_jobs``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate.job_context import JobContext

from bot.gate import ShuttingDown
from bot.instances import STALE_BEATS
from bot.jobs import QUEUE, Queue, owed_of, queue_app
from bot.recovery import OWN_IDLE, resumable
from bot.retries import Backoff, settled
from bot.scheduler import DigestScheduler
from bot.tick import Tick
from config.settings import Settings
from digest.delivery.deliverer import Deliverer
from digest.engine import utc_now
from digest.models import Owed
from digest.store import Store

log = logging.getLogger(__name__)

DRAIN_SECONDS = 20.0  # a stop waits this long for running jobs (docker-compose: 30 s before SIGKILL)
UPKEEP_SECONDS = OWN_IDLE.total_seconds() / 3  # how often a process frees the runs it no longer delivers


@dataclass
class Work:
    """What the ``plan`` and ``deliver`` jobs run with in this process."""

    store: Store
    deliverer: Deliverer
    tick: Tick  # its ``plan``: Deliverer.plan_many, then failures kept and channels told
    backoff: Backoff
    queue: Queue  # where a plan job's deliveries go
    clock: Callable[[], datetime]

    async def plan(self, args: dict[str, Any]) -> None:
        """Plan and deliver the digests of one ``plan`` job (the leader's ``plan_args``: the
        topic groups sharing channels), their subscriptions read again (one paused or gone
        since is left out), here: ``Tick.topics``, as one process's tick does.

        Delivered by the process that planned them, not by a job per run: a group's cards
        and week at a glance are then written once (the engine's memo), its ledger is not
        read back, and one job is taken instead of one per channel (a job per run cost
        about 4 times the CPU a subscription and wrote each card again in every process
        that delivered one: bench/scale_workers.py). Only the runs planned here: one
        planned before (a second job of the same digests) is another process's, or
        recovery's, whose ``deliver`` job holds the channel's lock. A run cut short (this
        process stopping or killed) is adopted by the leader's sweep as a ``deliver`` job."""
        owed = owed_of(args)
        subs = await asyncio.to_thread(self.store.get_subscriptions, [sub_id for sub_id, *_ in owed])
        group = [Owed(subs[i], window, key, due) for i, window, key, due in owed if i in subs and not subs[i].paused]
        if group:
            await self.tick.topics(group, datetime.fromisoformat(args["now"]), adopt=False)

    async def deliver(self, key: str, retry: bool) -> None:
        """Take the run over (the fence) and post what is missing, then settle it; a run
        done, paused or (``retry``) no longer due is left alone."""
        run = await asyncio.to_thread(self.store.get_run, key)
        if run is None:
            return
        sub = await asyncio.to_thread(self.store.get_subscription, run.subscription_id) if run.subscription_id else None
        if not resumable(run, sub, self.clock(), force=not retry):
            return
        try:
            settled(await self.deliverer.deliver(run, retry=self.backoff.next_try))
        except ShuttingDown:
            log.info("digest %s stopped: this process is stopping, the run is free for another", key)

    async def upkeep(self) -> None:
        """This process's runs that nothing delivers any more (a release or an ending the
        store missed, a deliver job not queued): freed, so that the leader's sweep adopts
        and queues them; workers run no recovery of their own."""
        await self.deliverer.release_held()
        idle = await asyncio.to_thread(self.store.idle_runs_of, self.deliverer.owner, utc_now() - OWN_IDLE)
        idle = [run for run in idle if run.key not in self.deliverer.delivering]
        queued = await self.queue.queued([run.key for run in idle])
        for run in idle:
            if run.key not in queued:
                log.info("freeing digest %s: nothing here delivers it, the leader queues it again", run.key)
                await asyncio.to_thread(self.store.release, run.key, self.deliverer.owner, run.fence)


def _work(context: JobContext) -> Work:
    return context.additional_context["work"]


async def plan_job(context: JobContext, **args: Any) -> None:
    await _work(context).plan(args)


async def deliver_job(context: JobContext, key: str, retry: bool = False) -> None:
    await _work(context).deliver(key, retry)


@dataclass
class Jobs:
    """This process's side of the queue: deferring (``queue``) and taking jobs (``start``)."""

    app: procrastinate.App
    queue: Queue
    work: Work
    concurrency: int
    heartbeat: float  # seconds between procrastinate's heartbeats of this worker
    name: str  # the worker's name in procrastinate's logs: the run owner id
    taking: asyncio.Task[None] | None = field(default=None, init=False)
    upkeeping: asyncio.Task[None] | None = field(default=None, init=False)

    async def open(self) -> None:
        """Open the app's connection pool: enough to defer (the leader)."""
        await self.app.open_async()

    def start(self) -> asyncio.Task[None]:
        """Take jobs in this loop until ``stop``; the task ends early only on a failure."""
        self.taking = asyncio.ensure_future(self.app.run_worker_async(
            queues=[QUEUE], concurrency=self.concurrency, name=self.name, install_signal_handlers=False,
            additional_context={"work": self.work}, update_heartbeat_interval=self.heartbeat,
            stalled_worker_timeout=self.queue.stale_seconds, shutdown_graceful_timeout=DRAIN_SECONDS,
            delete_jobs="successful", fetch_job_polling_interval=max(self.heartbeat, 0.5),
        ))  # fmt: skip
        self.taking.add_done_callback(_ended)
        self.upkeeping = asyncio.ensure_future(self._upkeep())
        return self.taking

    async def _upkeep(self) -> None:
        while True:
            await asyncio.sleep(UPKEEP_SECONDS)
            try:
                await self.work.upkeep()
            except Exception as err:  # the database away for a moment: the next turn tries again
                log.warning("queue upkeep failed: %s", err)

    async def stop(self) -> None:
        """No new job; the running ones finish (or are cancelled after ``DRAIN_SECONDS``)."""
        if self.upkeeping is not None:
            self.upkeeping.cancel()
        if self.taking is not None:
            self.taking.cancel()  # procrastinate: stop fetching, wait for the running jobs
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.taking

    async def close(self) -> None:
        """The pool closed: nothing deferred any more."""
        with contextlib.suppress(Exception):
            await self.app.close_async()


def _ended(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (err := task.exception()) is not None:
        log.error("the job queue's worker stopped: %s", err, exc_info=err)


def with_queue(settings: Settings, scheduler: DigestScheduler, clock: Callable[[], datetime]) -> Jobs:
    """``digest-bot run`` with the queue on: its tick and recovery defer jobs, and the
    process takes jobs too, with its own deliverer and the tick's planning."""
    jobs = build_jobs(settings, scheduler.store, scheduler.deliverer, scheduler.tick, clock)
    scheduler.tick.queue = scheduler.recovery.queue = jobs.queue
    return jobs


def build_jobs(
    settings: Settings, store: Store, deliverer: Deliverer, tick: Tick, clock: Callable[[], datetime]
) -> Jobs:
    """The queue of ``settings`` over this process's deliverer and tick (not opened)."""
    beat = settings.scheduler.heartbeat_seconds
    app = queue_app(settings.database.url, pool_size=settings.queue.concurrency + 2)
    queue = Queue(app, STALE_BEATS * beat)
    work = Work(store, deliverer, tick, tick.backoff, queue, clock)
    return Jobs(app, queue, work, settings.queue.concurrency, beat, deliverer.owner)
