"""Retry waits shared by the HTTP clients (arXiv's, the LLM's): Retry-After, else backoff.

Both clients retry with tenacity. A failure worth another attempt is a ``Transient``; when
the server said how long to wait (a 429's or 503's ``Retry-After``), that is the wait,
capped; otherwise the client's exponential backoff decides.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import tenacity


class Transient(Exception):
    """A failure worth another attempt; ``retry_after``: seconds the server asked for, if it said."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds (>= 0) from a Retry-After header value: delta-seconds or an HTTP date.

    None when the header is absent or unreadable. Not capped: ``wait_retry_after`` caps it.
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
        except (TypeError, ValueError):
            return None
    if math.isnan(seconds):  # "nan" parses as a float; no server means it
        return None
    return max(seconds, 0.0)


class wait_retry_after(tenacity.wait.wait_base):  # noqa: N801 (named like tenacity's waits)
    """Waits what the failed attempt's ``Transient.retry_after`` says, at most ``cap`` seconds;
    after any other failure, or a Transient without one, what ``backoff`` says."""

    def __init__(self, backoff: tenacity.wait.wait_base, cap: float) -> None:
        self.backoff, self.cap = backoff, cap

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        failure = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(failure, Transient) and failure.retry_after is not None:
            return min(failure.retry_after, self.cap)
        return self.backoff(retry_state)
