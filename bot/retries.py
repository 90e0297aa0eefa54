"""How long a failed digest waits before its next try, and the digests that could not even be planned.

A run that failed while posting has a row in the store, which holds its attempts and
``retry_at``: the deliverer writes the next try with the run's ending
(``Deliverer.deliver_many(retry=Backoff.next_try)``). A digest that could not be planned
(arXiv down, the LLM server gone) has no run yet: ``PlanFailures`` keeps its tries in the
store too (``digest_failures``, one row per subscription: its failing due instant and tries), so the backoff
and the giving up survive a restart, and ``digest-bot status`` and ``/arxiv list`` show them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from config.settings import SchedulerSettings
from digest.models import DigestRun
from digest.store import Store
from digest.store.plan_failures import PlanFailure

log = logging.getLogger(__name__)
ERROR_CHARS = 500  # of an error kept in the store and shown by status


def retry_delay(settings: SchedulerSettings, attempts: int) -> timedelta | None:
    """Wait before the next try after ``attempts`` failures; None once they are used up."""
    return None if attempts >= settings.max_attempts else timedelta(minutes=settings.retry_minutes * 2 ** (attempts - 1))


class Backoff:
    """Exponential backoff (``retry_minutes``, doubled per failure, ``max_attempts`` tries) on a clock."""

    def __init__(self, settings: SchedulerSettings, clock: Callable[[], datetime]) -> None:
        self.settings, self.clock = settings, clock

    def next_try(self, attempts: int, now: datetime | None = None) -> datetime | None:
        """When to try again after ``attempts`` failures, counted from ``now`` (default:
        the clock's now), UTC; None: given up."""
        delay = retry_delay(self.settings, attempts)
        return (now or self.clock()) + delay if delay is not None else None


def settled(run: DigestRun) -> DigestRun:
    """A delivered run as it ended, its failure logged with the next try its ending wrote."""
    if run.state == "failed":
        then = f"retry at {run.retry_at:%Y-%m-%d %H:%M} UTC" if run.retry_at else "giving up"
        log.warning("digest %s failed (attempt %d), %s: %s", run.key, run.attempts, then, run.error)
    return run


class PlanFailures:
    """The digests that could not be built, as the store holds them."""

    def __init__(self, store: Store, backoff: Backoff) -> None:
        self._store, self._backoff = store, backoff

    def of(self, subscription_ids: Collection[int]) -> dict[int, PlanFailure]:
        return self._store.plan_failures(subscription_ids)

    @staticmethod
    def held_off(failure: PlanFailure | None, due: datetime, now: datetime) -> bool:
        """Whether the digest owed for ``due`` waits out a backoff, or was given up."""
        return failure is not None and failure.due_at == due and (failure.retry_at is None or now < failure.retry_at)

    def failed(self, failures: Sequence[tuple[int, datetime, Exception]], now: datetime) -> list[PlanFailure]:
        """Record one more failed try of each (subscription id, due instant, error)."""
        errors = [(sub_id, due, (str(err) or type(err).__name__)[:ERROR_CHARS]) for sub_id, due, err in failures]
        recorded = self._store.record_plan_failures(errors, now, lambda attempts: self._backoff.next_try(attempts, now))
        for failure in recorded:
            then = f"retry at {failure.retry_at:%Y-%m-%d %H:%M} UTC" if failure.retry_at else "giving up"
            log.warning(
                "digest of subscription %d due %s could not be built (try %d), %s: %s",
                failure.subscription_id, failure.due_at, failure.attempts, then, failure.error,
            )  # fmt: skip
        return recorded

    def planned(self, subscription_ids: Collection[int]) -> list[PlanFailure]:
        """These digests are planned: their failures are over (returned, to be resolved)."""
        return self._store.clear_plan_failures(subscription_ids)
