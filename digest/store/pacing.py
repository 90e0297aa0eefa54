"""SharedPacer: ``digest.pacing.Pacer`` gates that hold across processes, in PostgreSQL.

Every process sharing the database (the leader, the workers) reserves its slots in one
row per limit (``pacing_slots``): one UPDATE per acquisition computes
``digest.pacing.next_slot`` on the database's clock under the rows' locks and returns
the seconds until the caller's slot; the caller sleeps that long, then goes. A gate
``within`` wider limits (a Slack channel in its workspace) takes one slot free in all of
them in the same statement. Nothing polls, no lock is held between statements, and no
two callers anywhere get slots of one limit closer than its interval.

Within a process a ``Spacing`` stands in front of each shared gate: callers queue there
(``INTERACTIVE`` first, FIFO within a priority, as the in-process gate always did) and
only its head reserves, so a process holds at most one reservation per limit and an
interactive caller waits for at most one slot per other process. That local gate opens
``LEAD`` of an interval after the previous caller went, so the reservation's round trip
is made while the previous slot runs out rather than added to every interval. A turn
(Slack's per channel) costs one more UPDATE once its body ends: the next slot an
interval after the answer came, as the in-process turn has it.

Why not ``pyrate-limiter`` (4.5.1, evaluated): its ``PostgresBucket`` is synchronous
(psycopg_pool; no asyncio), takes ``LOCK TABLE ... NOWAIT`` per acquisition and answers
a contended lock with a refusal, so several processes retry in a sleep-and-poll loop
(each retry a round trip, the busier the worse); it keeps a row per admitted request
and deletes them as they age; and it has no priority: whichever process polls first
wins, so an interactive arXiv request cannot be served ahead of queued bulk ones.
Spacing is all these limits need, and one row per limit with one UPDATE per acquisition
is GCRA exactly (``next_slot``), with PostgreSQL's row locks as the queue.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, Float, String, TextClause, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from digest.pacing import Limit
from digest.ratelimit import BULK, Spacing
from digest.store.tables import Base

log = logging.getLogger(__name__)

LEAD = 0.5  # the local gate opens at this fraction of the interval (see the module docstring)
NAME_LEN = 200
CONNECT_TIMEOUT = 10  # seconds, as the store's (digest/store/engines.py)


class PacingSlotRow(Base):
    """A shared limit's next free slot: ``next_at``, seconds since the epoch on the
    database's clock (``clock_timestamp()``)."""

    __tablename__ = "pacing_slots"

    name: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float, nullable=False)


ENSURE = text("INSERT INTO pacing_slots (name, next_at) VALUES (:name, 0) ON CONFLICT (name) DO NOTHING")
# A turn's end: the next caller goes no sooner than an interval after this answer came.
RELEASE = text(
    """
    UPDATE pacing_slots
    SET next_at = GREATEST(next_at, EXTRACT(EPOCH FROM clock_timestamp())::float8 + :interval)
    WHERE name = :name
    """
)


def reserve_sql(limits: int) -> TextClause:
    """``next_slot`` (digest/pacing.py) in one statement over ``limits`` rows: locked in
    name order (two callers sharing a workspace never deadlock), go = max(now, every
    row's next_at), each row's next_at' = go + its interval; one row back per limit,
    each with the caller's wait in seconds. The clock is read once the rows are locked."""
    rows = ", ".join(f"(CAST(:n{k} AS varchar), CAST(:i{k} AS float8))" for k in range(limits))
    return text(
        f"""
        WITH ask(name, step) AS (VALUES {rows}),
        locked AS (
            SELECT slot.name, slot.next_at, ask.step FROM pacing_slots AS slot JOIN ask ON ask.name = slot.name
            ORDER BY slot.name FOR UPDATE OF slot
        ),
        go AS (SELECT GREATEST(MAX(next_at), EXTRACT(EPOCH FROM clock_timestamp())::float8) AS at FROM locked)
        UPDATE pacing_slots AS slot SET next_at = go.at + locked.step
        FROM locked, go WHERE slot.name = locked.name
        RETURNING go.at - EXTRACT(EPOCH FROM clock_timestamp())::float8 AS wait
        """
    )


class SharedGate:
    """One limit (and the wider ones its callers count against too) shared through
    ``pacing_slots``; the ``digest.pacing.Gate`` interface."""

    def __init__(self, engine: Engine, name: str, min_interval: float, within: Sequence[Limit] = ()) -> None:
        self.engine = engine
        self.name = name
        self.local = Spacing(min_interval * LEAD)
        self.min_interval = min_interval
        self.within = list(within)
        self._ensured: set[str] = set()  # the rows known to exist

    @property
    def waiting(self) -> int:
        """This process's callers queued at the gate now."""
        return self.local.waiting

    @property
    def min_interval(self) -> float:
        return self._interval

    @min_interval.setter
    def min_interval(self, value: float) -> None:
        self._interval = value
        self.local.min_interval = value * LEAD

    def reserve(self) -> float:
        """The next slot free in every limit taken: seconds until it (0.0 when free now).
        The database unreachable: a warning, and the rest of the interval the local gate
        did not wait, so that this process alone still keeps the limit."""
        limits = [(self.name, self._interval), *self.within]
        if not any(interval for _, interval in limits):
            return 0.0  # no limit (arXiv's interval 0 off arxiv.org): no round trip
        params = {f"{kind}{k}": value for k, limit in enumerate(limits) for kind, value in zip("ni", limit)}
        try:
            with self.engine.begin() as conn:
                for name in {name for name, _ in limits} - self._ensured:  # once per limit and process
                    conn.execute(ENSURE, {"name": name})
                waits = conn.execute(reserve_sql(len(limits)), params).scalars().all()
            self._ensured.update(name for name, _ in limits)
        except SQLAlchemyError as err:
            log.warning("shared pacing %s: %s; pacing this process only", self.name, _kind(err))
            return self._interval * (1 - LEAD)
        return max(0.0, *map(float, waits))

    def release(self) -> None:
        """A turn ended now: the next slot is at least an interval away."""
        try:
            with self.engine.begin() as conn:
                conn.execute(RELEASE, {"name": self.name, "interval": self._interval})
        except SQLAlchemyError as err:
            log.warning("shared pacing %s: %s", self.name, _kind(err))

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
    """``digest.pacing.Pacer`` over PostgreSQL: gates by name, one per name.

    Its connections are its own, to ``engine``'s database: without the store's pre-ping
    (a round trip per statement; a dropped connection costs one acquisition its shared
    slot, paced locally), and with ``synchronous_commit`` off, since a slot need not
    survive a server crash and waiting for the WAL flush would cost more than the
    statement. ``close()`` releases them.
    """

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError(f"SharedPacer needs PostgreSQL, not {engine.dialect.name}")
        self.engine = create_engine(
            engine.url, pool_size=2, max_overflow=30, connect_args={"connect_timeout": CONNECT_TIMEOUT}
        )
        event.listen(self.engine, "connect", _no_flush_wait)
        self._gates: dict[str, SharedGate] = {}
        self._lock = threading.Lock()

    def gate(self, name: str, min_interval: float, *, within: Sequence[Limit] = ()) -> SharedGate:
        wider = [(wide[:NAME_LEN], interval) for wide, interval in within]
        with self._lock:
            gate = self._gates.get(name)
            if gate is None:
                gate = self._gates[name] = SharedGate(self.engine, name[:NAME_LEN], min_interval, wider)
            gate.min_interval, gate.within = min_interval, wider
            return gate

    def close(self) -> None:
        self.engine.dispose()


def _kind(err: SQLAlchemyError) -> str:
    """The driver's error class, else SQLAlchemy's: never the message (it may hold the URL)."""
    return type(getattr(err, "orig", None) or err).__name__


def _no_flush_wait(dbapi_conn: Any, _record: Any) -> None:
    with dbapi_conn.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    dbapi_conn.commit()
