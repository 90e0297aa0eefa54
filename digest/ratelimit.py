"""Spacing: the one pacing primitive, a minimum interval between calls to one service.

Used three ways, by threads and by coroutines alike:

- arXiv asks for 3 s between requests from one host: the API client and the
  full-text fetcher (threads) wait at the process-wide ``shared_spacing("arxiv")``.
- Discord's global limit: ``await spacing.pause()`` just before each request leaves.
- Slack's per-channel limit: ``async with spacing.turn()`` holds a channel's gate
  through the whole call, and the next call starts an interval after its answer came.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Spacing:
    """Lets callers through in the order they ask, at least ``min_interval`` seconds apart.

    Each caller reserves its slot under a short lock and then sleeps outside it, so
    N callers are let through N intervals apart, never in a burst, and a coroutine
    never blocks the event loop on the lock. Times are ``time.monotonic()`` seconds.
    """

    def __init__(self, min_interval: float) -> None:
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._last: float | None = None  # the latest slot handed out (or turn ended)
        self._turns: asyncio.Lock | None = None  # made on first use, inside a running loop

    def reserve(self) -> float:
        """Take the next slot; returns the seconds to wait for it (0.0: go now)."""
        with self._lock:
            now = time.monotonic()
            # From the last slot, not a stored "next": a changed min_interval applies at once.
            slot = now if self._last is None else max(now, self._last + self.min_interval)
            self._last = slot
            return slot - now

    def wait(self) -> float:
        """Block this thread until its slot; returns the seconds slept."""
        delay = self.reserve()
        if delay > 0:
            time.sleep(delay)
        return delay

    async def pause(self) -> float:
        """Sleep this coroutine until its slot; returns the seconds slept."""
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
        return delay

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """The gate held through the body: calls stay in order, one at a time, and the next
        starts ``min_interval`` after this body ended (a reply that came back late under
        a busy event loop never lets two requests arrive closer than the interval)."""
        if self._turns is None:
            self._turns = asyncio.Lock()
        async with self._turns:
            await self.pause()
            try:
                yield
            finally:
                with self._lock:
                    self._last = time.monotonic()


_registry: dict[str, Spacing] = {}
_registry_lock = threading.Lock()


def shared_spacing(name: str, min_interval: float) -> Spacing:
    """The one gate called ``name`` in this process; the latest ``min_interval`` applies."""
    with _registry_lock:
        gate = _registry.setdefault(name, Spacing(min_interval))
        # Every component reads the same settings, so this only changes in tests; keeping
        # the first value would let one test's interval slow down all the others.
        gate.min_interval = min_interval
        return gate
