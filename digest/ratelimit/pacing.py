"""Pacer: named gates, each a minimum interval between calls to one service, one
interface whichever processes share the limit.

A ``Pacer`` hands out ``Gate``s by name; the callers do not know the backend:

- ``LocalPacer``: ``digest.ratelimit.Spacing`` gates in this process, as the bot always
  paced (SQLite: one process).
- ``digest.store.pacing.SharedPacer``: the same interface over PostgreSQL, so that every
  process sharing the database (the leader and the workers) together keeps each limit.

The limits paced: Slack's per channel (``slack:<team>:<channel>``, ``turn``) and per
workspace (``slack:<team>``, ``pause``), Discord's global one (``discord``, ``pause``)
and arXiv's 3 s between requests from one client (``arxiv``, ``wait``, interactive first).

``next_slot`` is the rule a shared gate applies: GCRA's virtual scheduling with no burst
allowance (ITU-T I.371; the "theoretical arrival time" of the next caller): each
caller goes at the later of now and the stored next slot, and moves the slot an interval
past its own.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from digest.ratelimit.spacing import BULK, Spacing, shared_spacing


class Gate(Protocol):
    """One limit: callers through at least ``min_interval`` seconds apart.

    ``wait`` blocks a thread, ``pause`` sleeps a coroutine, both until the caller's slot
    and returning the seconds waited; ``priority`` (``INTERACTIVE`` before ``BULK``)
    orders the callers of one process. ``turn()`` holds the gate through the body: the
    next caller goes an interval after the body ended. ``Spacing`` is one.
    """

    min_interval: float

    def wait(self, priority: int = BULK) -> float: ...

    async def pause(self, priority: int = BULK) -> float: ...

    def turn(self) -> AbstractAsyncContextManager[None]: ...


Limit = tuple[str, float]  # (name, min_interval in seconds)


class Pacer(Protocol):
    """Gates by name: the same name is the same limit (the latest ``min_interval`` applies).

    ``within``: wider limits each call through the gate counts against too (a Slack
    channel's posts against its workspace's), taken together with the gate's own slot:
    a slot of one limit taken, then waited past for another's, would let the next caller
    of the first come closer than its interval.
    """

    def gate(self, name: str, min_interval: float, *, within: Sequence[Limit] = ()) -> Gate: ...


class LocalPacer:
    """In-process gates: a ``Spacing`` per name, of this pacer alone."""

    def __init__(self) -> None:
        self._gates: dict[str, Spacing] = {}
        self._lock = threading.Lock()

    def spacing(self, name: str, min_interval: float) -> Spacing:
        with self._lock:
            gate = self._gates.setdefault(name, Spacing(min_interval))
            gate.min_interval = min_interval
            return gate

    def gate(self, name: str, min_interval: float, *, within: Sequence[Limit] = ()) -> Gate:
        own = self.spacing(name, min_interval)
        return _Within(own, [self.spacing(*limit) for limit in within]) if within else own


class _Within:
    """A ``Spacing`` whose callers also pause at wider ones, in order, once through their own.

    In one process this is exact: ``turn`` holds the gate's own until the body ends, so its
    next caller cannot take a slot before this one's call is over."""

    def __init__(self, own: Spacing, wider: list[Spacing]) -> None:
        self.own, self.wider = own, wider
        self.min_interval = own.min_interval

    def wait(self, priority: int = BULK) -> float:
        return self.own.wait(priority) + sum(gate.wait(priority) for gate in self.wider)

    async def pause(self, priority: int = BULK) -> float:
        waited = await self.own.pause(priority)
        for gate in self.wider:
            waited += await gate.pause(priority)
        return waited

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self.own.turn():
            for gate in self.wider:
                await gate.pause()
            yield


class ProcessPacer:
    """The process-wide gates of ``digest.ratelimit.shared_spacing`` (arXiv's by default)."""

    def gate(self, name: str, min_interval: float, *, within: Sequence[Limit] = ()) -> Gate:
        own = shared_spacing(name, min_interval)
        return _Within(own, [shared_spacing(*limit) for limit in within]) if within else own


_process_pacer: Pacer = ProcessPacer()
_process_lock = threading.Lock()


def use_process_pacer(pacer: Pacer | None) -> None:
    """The pacer of the gates every client in this process shares (arXiv's): a bot sharing
    PostgreSQL with other processes sets its ``SharedPacer`` once at start; None: back
    to the in-process gates."""
    global _process_pacer
    with _process_lock:
        _process_pacer = pacer if pacer is not None else ProcessPacer()


def forget_process_pacer(pacer: Pacer) -> None:
    """Back to the in-process gates if ``pacer`` is this process's (its database closed)."""
    global _process_pacer
    with _process_lock:
        if _process_pacer is pacer:
            _process_pacer = ProcessPacer()


def process_gate(name: str, min_interval: float) -> Gate:
    """The gate ``name`` of this process's pacer (``use_process_pacer``)."""
    with _process_lock:
        pacer = _process_pacer
    return pacer.gate(name, min_interval)


def next_slot(next_at: float | None, now: float, interval: float) -> tuple[float, float]:
    """``(go, next_at')``: when a caller asking at ``now`` goes, and the next caller's
    earliest slot. ``next_at`` None: nobody went yet. Seconds on one clock (the database's
    for a shared gate); ``go - now`` is the caller's wait. The SQL of ``SharedPacer``
    computes exactly this, in one statement per acquisition."""
    go = now if next_at is None else max(next_at, now)
    return go, go + interval
