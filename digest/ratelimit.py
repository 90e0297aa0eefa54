"""Spacing: the one pacing primitive, a minimum interval between calls to one service.

Used three ways, by threads and by coroutines alike:

- arXiv asks for 3 s between requests from one host: every request to arxiv.org waits
  at the process-wide ``shared_spacing("arxiv")``, and work a person waits for (a
  thread question's full text, ``/arxiv paper``) asks with ``INTERACTIVE`` priority, so
  it takes the next free slot ahead of a tick's queued searches and the harvest (``BULK``).
- Discord's global limit: ``await spacing.pause()`` just before each request leaves.
- Slack's per-channel limit: ``async with spacing.turn()`` holds a channel's gate
  through the whole call, and the next call starts an interval after its answer came.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

INTERACTIVE = 0  # a person is waiting for it: served first
BULK = 1  # nobody watches it happen (a tick's searches, the harvest): the default


@dataclass(order=True)
class _Waiter:
    """A caller queued at the gate: ordered by priority, then by arrival (FIFO)."""

    priority: int
    arrival: int
    wake: Callable[[], None] = field(compare=False)  # "look again": the head changed


class Spacing:
    """Lets callers through at least ``min_interval`` seconds apart: by priority, lower
    first (``INTERACTIVE`` before ``BULK``), and in the order they asked within one.

    A caller that finds the gate free goes at once; the others queue. Only the head of
    the queue sleeps towards the next slot, and a slot is handed out when it comes, not
    when asked for, so an interactive caller arriving behind 50 bulk ones takes the very
    next slot. N callers still go N intervals apart, never in a burst, and a coroutine
    never blocks the event loop (the lock is held only to look at the queue). Times are
    ``time.monotonic()`` seconds.
    """

    def __init__(self, min_interval: float) -> None:
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._last: float | None = None  # when the latest caller went (or a turn ended)
        self._queue: list[_Waiter] = []  # a heap
        self._arrivals = itertools.count()
        self._turns: asyncio.Lock | None = None  # made on first use, inside a running loop

    @property
    def waiting(self) -> int:
        """Callers queued at the gate now."""
        with self._lock:
            return len(self._queue)

    def wait(self, priority: int = BULK) -> float:
        """Block this thread until its slot; returns the seconds it waited."""
        started, woken = time.monotonic(), threading.Event()
        with self._lock:
            waiter = self._enter(priority, woken.set)
        if waiter is None:
            return 0.0
        granted = False
        try:
            while True:
                with self._lock:
                    woken.clear()
                    delay = self._poll(waiter)
                if delay == 0.0:
                    granted = True
                    return time.monotonic() - started
                woken.wait(delay)
        finally:
            if not granted:  # interrupted (KeyboardInterrupt): out of the queue
                with self._lock:
                    self._leave(waiter)

    async def pause(self, priority: int = BULK) -> float:
        """Sleep this coroutine until its slot; returns the seconds it waited."""
        started, woken, loop = time.monotonic(), asyncio.Event(), asyncio.get_running_loop()

        def wake() -> None:  # called from whichever thread let the previous caller through
            with contextlib.suppress(RuntimeError):  # its loop closed meanwhile
                loop.call_soon_threadsafe(woken.set)

        with self._lock:
            waiter = self._enter(priority, wake)
        if waiter is None:
            return 0.0
        granted = False
        try:
            while True:
                with self._lock:
                    woken.clear()
                    delay = self._poll(waiter)
                if delay == 0.0:
                    granted = True
                    return time.monotonic() - started
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), delay)
        finally:
            if not granted:  # cancelled: its place goes to the next
                with self._lock:
                    self._leave(waiter)

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
                self.restart()

    def restart(self) -> None:
        """The interval counts from now: the caller let through went later than its slot
        (its answer came, or a shared slot further on was its to wait for)."""
        with self._lock:
            self._last = time.monotonic()

    # -- under the lock ---------------------------------------------------------------

    def _enter(self, priority: int, wake: Callable[[], None]) -> _Waiter | None:
        """None: the gate is free and nobody queues, go now; else the caller, queued."""
        now = time.monotonic()
        if not self._queue and (self._last is None or now >= self._last + self.min_interval):
            self._last = now
            return None
        waiter = _Waiter(priority, next(self._arrivals), wake)
        heapq.heappush(self._queue, waiter)
        return waiter

    def _poll(self, waiter: _Waiter) -> float | None:
        """0.0: ``waiter`` goes now (dequeued, the next head woken to time its slot); else
        the seconds until its slot while it heads the queue; None while others are ahead
        (it is woken when it becomes the head). From the last slot, not a stored "next":
        a changed ``min_interval`` applies at once."""
        if self._queue[0] is not waiter:
            return None
        now = time.monotonic()
        ready = now if self._last is None else self._last + self.min_interval
        if ready > now:
            return ready - now
        heapq.heappop(self._queue)
        self._last = now
        if self._queue:
            self._queue[0].wake()
        return 0.0

    def _leave(self, waiter: _Waiter) -> None:
        """A caller given up out of the queue; if it was the head, the next one is woken."""
        if waiter not in self._queue:
            return
        was_head = self._queue[0] is waiter
        self._queue.remove(waiter)
        heapq.heapify(self._queue)
        if was_head and self._queue:
            self._queue[0].wake()


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
