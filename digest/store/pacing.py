"""SharedPacer: ``digest.pacing.Pacer`` gates that hold across processes, in PostgreSQL.

Every process sharing the database (the leader, the workers) reserves its slots in one
row per limit (``pacing_slots``): one UPSERT per acquisition computes
``digest.pacing.next_slot`` on the database's clock under the row's lock and returns the
seconds until the caller's slot; the caller sleeps that long, then goes. Nothing polls,
nothing is held between statements, and no two callers anywhere get slots closer than
the interval.

Within a process a ``Spacing`` stands in front of each shared gate: callers queue there
(``INTERACTIVE`` first, FIFO within a priority, as the in-process gate always did) and
only its head reserves, so a process holds at most one reservation per limit and an
interactive caller waits for at most one slot per other process. That local gate opens
``LEAD`` of an interval after the previous caller went, so the reservation's round trip
is made while the previous slot runs out rather than added to every interval.

Why not ``pyrate-limiter`` (4.5.1, evaluated): its ``PostgresBucket`` is synchronous
(psycopg_pool; no asyncio), takes ``LOCK TABLE ... NOWAIT`` per acquisition and answers
a contended lock with a refusal, so several processes retry in a sleep-and-poll loop
(each retry a round trip, the busier the worse); it keeps a row per admitted request
and deletes them as they age; and it has no priority: whichever process polls first
wins, so an interactive arXiv request cannot be served ahead of queued bulk ones.
Spacing is all these limits need, and one row with one UPSERT per acquisition is GCRA
exactly (``next_slot``), with PostgreSQL's row lock as the queue.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine, Float, String, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from digest.ratelimit import BULK, Spacing
from digest.store.tables import Base

log = logging.getLogger(__name__)

LEAD = 0.9  # the local gate opens at this fraction of the interval (see the module docstring)
NAME_LEN = 200


class PacingSlotRow(Base):
    """A shared limit's next free slot: ``next_at``, seconds since the epoch on the
    database's clock (``clock_timestamp()``)."""

    __tablename__ = "pacing_slots"

    name: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float, nullable=False)


# next_slot (digest/pacing.py) in SQL: go = max(next_at, now); next_at' = go + interval.
# The CTE reads the clock once; the caller's wait is go - now.
RESERVE = text(
    """
    WITH clock AS (SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8 AS now)
    INSERT INTO pacing_slots AS slot (name, next_at)
    SELECT :name, clock.now + :interval FROM clock
    ON CONFLICT (name) DO UPDATE
        SET next_at = GREATEST(slot.next_at, EXCLUDED.next_at - :interval) + :interval
    RETURNING slot.next_at - :interval - (SELECT now FROM clock) AS wait
    """
)
# A turn's end: the next caller goes no sooner than an interval after this answer came.
RELEASE = text(
    """
    UPDATE pacing_slots
    SET next_at = GREATEST(next_at, EXTRACT(EPOCH FROM clock_timestamp())::float8 + :interval)
    WHERE name = :name
    """
)


class SharedGate:
    """One limit shared through ``pacing_slots``; the ``digest.pacing.Gate`` interface."""

    def __init__(self, engine: Engine, name: str, min_interval: float) -> None:
        self.engine = engine
        self.name = name
        self.local = Spacing(min_interval * LEAD)
        self.min_interval = min_interval

    @property
    def min_interval(self) -> float:
        return self._interval

    @min_interval.setter
    def min_interval(self, value: float) -> None:
        self._interval = value
        self.local.min_interval = value * LEAD

    def reserve(self) -> float:
        """The next free slot taken: seconds until it (0.0 when free now). The database
        unreachable: 0.0 and a warning; the local gate still paces this process."""
        try:
            with self.engine.begin() as conn:
                wait = conn.execute(RESERVE, {"name": self.name, "interval": self._interval}).scalar_one()
        except DBAPIError as err:
            log.warning("shared pacing %s: %s; pacing this process only", self.name, type(err.orig or err).__name__)
            return 0.0
        return max(0.0, float(wait))

    def release(self) -> None:
        """A turn ended now: the next slot is at least an interval away."""
        try:
            with self.engine.begin() as conn:
                conn.execute(RELEASE, {"name": self.name, "interval": self._interval})
        except DBAPIError as err:
            log.warning("shared pacing %s: %s", self.name, type(err.orig or err).__name__)

    def wait(self, priority: int = BULK) -> float:
        started = time.monotonic()
        self.local.wait(priority)
        try:
            time.sleep(self.reserve())
        finally:
            self.local.restart()
        return time.monotonic() - started

    async def pause(self, priority: int = BULK) -> float:
        started = time.monotonic()
        await self.local.pause(priority)
        try:
            await asyncio.sleep(await asyncio.to_thread(self.reserve))
        finally:
            self.local.restart()
        return time.monotonic() - started

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self.local.turn():  # this process's callers in order, one at a time
            await asyncio.sleep(await asyncio.to_thread(self.reserve))
            try:
                yield
            finally:
                await asyncio.to_thread(self.release)


class SharedPacer:
    """``digest.pacing.Pacer`` over PostgreSQL (``engine``): gates by name, one per name."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError(f"SharedPacer needs PostgreSQL, not {engine.dialect.name}")
        self.engine = engine
        self._gates: dict[str, SharedGate] = {}
        self._lock = threading.Lock()

    def gate(self, name: str, min_interval: float) -> SharedGate:
        with self._lock:
            gate = self._gates.get(name)
            if gate is None:
                gate = self._gates[name] = SharedGate(self.engine, name[:NAME_LEN], min_interval)
            gate.min_interval = min_interval
            return gate
