"""Limits of thread Q&A: how often a person and a thread may ask, and what one answer may use.

Sliding one-hour windows kept in memory: a restart forgets them, which errs on the side of
answering. One ``QALimits`` is shared by every adapter of the process (thread-safe), so a
person asking in Slack and in Discord draws on one allowance when the adapters pass the
same user key.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


WINDOW = 3600.0  # seconds: the limits are "per hour"


@dataclass(frozen=True)
class Refusal:
    """A question refused by a limit: which one, its size, and when asking works again."""

    scope: str  # "user" | "thread"
    limit: int
    retry_after: float  # seconds


class QALimits:
    """Rate limits (stateful) and per-answer caps (passages, context tokens, answer length)."""

    def __init__(
        self,
        per_user: int = 20,
        per_thread: int = 40,
        *,
        passages: int = 5,
        max_context_tokens: int = 2500,
        max_answer_chars: int = 1500,
        max_question_chars: int = 1000,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_user, self.per_thread = per_user, per_thread
        self.passages = passages
        self.max_context_tokens = max_context_tokens
        self.max_answer_chars = max_answer_chars
        self.max_question_chars = max_question_chars
        self.window = window
        self._clock = clock
        self._asked: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, user: str, thread: str) -> Refusal | None:
        """Count one question by ``user`` in ``thread``; a Refusal (nothing counted) if over."""
        now = self._clock()
        with self._lock:
            checks = [("user", user, self.per_user), ("thread", thread, self.per_thread)]
            for scope, key, limit in checks:
                if not key:
                    continue  # an adapter that cannot tell who or where: that limit does not apply
                times = self._recent((scope, key), now)
                if len(times) >= limit:
                    return Refusal(scope, limit, max(1.0, times[0] + self.window - now))
            for scope, key, _ in checks:
                if key:
                    self._asked.setdefault((scope, key), deque()).append(now)
            return None

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._asked.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            self._asked.pop(key, None)  # idle keys go, so memory follows active askers only
        return times
