"""The LLM client's request slots, served by priority: a person's question first, then a
digest's week at a glance, then cards.

A tick asks for hundreds of cards at once, more than the client's ``llm.concurrency``
slots: with plain FIFO slots a thread question asked meanwhile waits behind all of them,
and each digest's week at a glance (asked once its cards are written, and every post of
the digest waits on it) waits behind every other topic's queued cards, so the digests'
posts bunch up at the tick's end. Lower numbers go first, FIFO within one; the priority
in force is a context variable, set for a block of work (and the tasks it starts) by
``first``, as ``usage.charged_to`` names the account.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import heapq
import itertools
from collections.abc import AsyncIterator, Iterator

QUESTION = 0  # a person is waiting for the answer
OVERVIEW = 1  # a digest's week at a glance: its header, and so all of its posts, wait on it
CARD = 2  # the default: a card of a digest, written ahead of its post

_PRIORITY: contextvars.ContextVar[int] = contextvars.ContextVar("llm_priority", default=CARD)


@contextlib.contextmanager
def first(priority: int) -> Iterator[None]:
    """LLM calls made in the block (and in tasks it starts) wait at ``priority``."""
    token = _PRIORITY.set(priority)
    try:
        yield
    finally:
        _PRIORITY.reset(token)


class PrioritySlots:
    """``n`` slots; a waiter of lower priority is served first, FIFO within one priority.
    A waiter cancelled while queued gives up its place; one cancelled just as it was
    handed a slot passes it on."""

    def __init__(self, n: int) -> None:
        self._free = n
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @property
    def waiting(self) -> int:
        return sum(not future.done() for _, _, future in self._queue)

    @contextlib.asynccontextmanager
    async def take(self, priority: int | None = None) -> AsyncIterator[None]:
        """Hold a slot for the block; ``priority``: the one in force (``first``) by default."""
        if self._free > 0:  # free only while nobody waits: a release hands its slot to a waiter
            self._free -= 1
        else:
            future = asyncio.get_running_loop().create_future()
            heapq.heappush(self._queue, (_PRIORITY.get() if priority is None else priority, next(self._order), future))
            try:
                await future
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    self._release()  # handed a slot as it was cancelled: the next one gets it
                raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        while self._queue:
            _, _, future = heapq.heappop(self._queue)
            if not future.done():  # not a waiter cancelled meanwhile
                future.set_result(None)
                return
        self._free += 1
