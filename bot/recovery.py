"""Finishing what the tick left unfinished: failed runs, runs of dead owners, retries.

``resume`` runs when this process takes the lead, before any new digest (their cards
come before new ones): every failed scheduled run with attempts left, and every run
whose owner is gone (``orphans``: a process killed mid-delivery, a scheduled digest or
an ``/arxiv now`` one). The sweep then calls ``retry_due`` (failed runs whose backoff
passed) and ``adopt_orphans`` (runs whose owner died since). A run is delivered again
from its ledger: what was posted is found, not posted twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.concurrency import SubscriptionLocks, gather_logged
from bot.instances import Instances
from bot.retries import Backoff, settled
from digest.delivery.deliverer import Deliverer
from digest.engine import utc_now
from digest.models import DigestRun, Subscription
from digest.store import Store

if TYPE_CHECKING:
    from bot.jobs import Queue

log = logging.getLogger(__name__)
OWN_IDLE = timedelta(seconds=30)  # a run of ours untouched this long, and not being delivered, is picked up


class Recovery:
    """Finishes runs left failed or ownerless, under the same per-subscription locks as the tick."""

    def __init__(
        self,
        store: Store,
        deliverer: Deliverer,
        clock: Callable[[], datetime],
        locks: SubscriptionLocks,
        backoff: Backoff,
        instances: Instances,
    ) -> None:
        self.store, self.deliverer, self.clock, self.locks = store, deliverer, clock, locks
        self.backoff, self.instances = backoff, instances
        self.queue: Queue | None = None  # the job queue on: runs are finished by ``deliver`` jobs

    async def resume(self) -> list[DigestRun]:
        """Finish every run left unfinished: scheduled runs that failed with attempts left,
        and every run whose owner is gone. A subscription's runs go oldest first;
        subscriptions in parallel."""
        keys: dict[int, list[str]] = defaultdict(list)
        for run in self.store.scheduled_runs(states=("failed",)):
            if run.attempts < self.backoff.settings.max_attempts:
                keys[run.subscription_id].append(run.key)
        for run in await self.orphans():
            keys[run.subscription_id].append(run.key)

        async def finish(sub_id: int, run_keys: list[str]) -> list[DigestRun]:
            return [run for key in run_keys if (run := await self._resume_one(sub_id, key, force=True))]

        results = await gather_logged(finish(sub_id, run_keys) for sub_id, run_keys in keys.items())
        return [run for runs in results for run in runs]

    async def retry_due(self) -> list[DigestRun]:
        """Try again every failed run whose backoff has passed."""
        now, runs = self.clock(), self.store.scheduled_runs(states=("failed",))
        due = [r for r in runs if r.retry_at and r.retry_at <= now and not self.locks.busy(r.subscription_id)]
        return await gather_logged(self._resume_one(r.subscription_id, r.key, force=False) for r in due)

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
        orphans = [run for run in await self.orphans() if not self.locks.busy(run.subscription_id)]
        if self.queue is not None:  # a run whose deliver job waits or runs is in hand already
            queued = await self.queue.queued([run.key for run in orphans])
            orphans = [run for run in orphans if run.key not in queued]
        return await gather_logged(self._resume_one(run.subscription_id, run.key, force=True) for run in orphans)

    async def _resume_one(self, sub_id: int, key: str, *, force: bool) -> DigestRun | None:
        async with self.locks.of(sub_id):
            run, sub = self.store.get_run(key), self.store.get_subscription(sub_id)
            if run is None or not resumable(run, sub, self.clock(), force=force):
                return None
            if self.queue is not None:  # finished by whichever process takes the job
                await self.queue.deliver(run, retry=not force)
                return None
            log.info("resuming digest %s (%s, %d failed attempts)", key, run.state, run.attempts)
            return settled(await self.deliverer.deliver(run, retry=self.backoff.next_try))


def resumable(run: DigestRun, sub: Subscription | None, now: datetime, *, force: bool) -> bool:
    """Whether ``run`` is to be delivered again now: not done, its subscription there and
    not paused (a run of no subscription, ``/arxiv paper``'s id 0, is finished all the
    same); a retry (``force`` off) only while still failed with its next try passed."""
    if run.state == "done" or (sub is None and run.subscription_id) or (sub is not None and sub.paused):
        return False
    return force or (run.state == "failed" and run.retry_at is not None and run.retry_at <= now)
