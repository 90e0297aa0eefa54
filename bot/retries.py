"""How long a failed digest waits before its next try, and the digests that could not even be planned.

A run that failed while posting has a row in the store, which holds its attempts and
``retry_at``. A digest that could not be planned (arXiv down, the LLM server gone) has
no row yet: ``PlanFailures`` keeps its tries in memory, per subscription and due
instant, so the next start simply tries again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from config.settings import SchedulerSettings

log = logging.getLogger(__name__)


def retry_delay(settings: SchedulerSettings, attempts: int) -> timedelta | None:
    """Wait before the next try after ``attempts`` failures; None once they are used up."""
    return None if attempts >= settings.max_attempts else timedelta(minutes=settings.retry_minutes * 2 ** (attempts - 1))


class PlanFailures:
    def __init__(self, settings: SchedulerSettings) -> None:
        self._settings = settings
        self._failed: dict[int, tuple[datetime, int, datetime]] = {}  # sub id -> (due, failures, not before)

    def held_off(self, sub_id: int, due: datetime, now: datetime) -> bool:
        """Whether the digest ``sub_id`` owes for ``due`` waits out a backoff, or was given up."""
        due_failed, failures, not_before = self._failed.get(sub_id, (None, 0, now))
        return due_failed == due and (failures >= self._settings.max_attempts or now < not_before)

    def failed(self, sub_id: int, due: datetime, now: datetime, err: Exception) -> None:
        previous = self._failed.get(sub_id)
        failures = previous[1] + 1 if previous and previous[0] == due else 1
        delay = retry_delay(self._settings, failures)
        self._failed[sub_id] = (due, failures, now + (delay or timedelta(0)))
        log.warning("digest of subscription %d due %s could not be built (try %d): %s", sub_id, due, failures, err)

    def planned(self, sub_id: int) -> None:
        self._failed.pop(sub_id, None)
