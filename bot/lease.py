"""Scheduler leadership: of several `digest-bot run` processes on one database, one fires.

PostgreSQL: a session-level advisory lock on a dedicated connection. The lock lives and
dies with that connection, so a killed leader frees it at once and a leader cut off by
the network loses it when the server's TCP keepalive gives up on it. SQLite: an
exclusive ``flock`` on ``<db file>.lock``, freed by the kernel when the holder exits.

The lease only decides who fires; the store's idempotent run keys are what make a
digest post once even if two leaders ever overlapped for a moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import inspect
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import TextClause, create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

DEFAULT_NAME = "arxiv-digest-bot/scheduler"
DEFAULT_INTERVAL = 15.0  # seconds between lease checks: a follower takes over within a minute

# A leader's ping that the network swallows fails after this long (libpq tcp_user_timeout).
CLIENT_TIMEOUT_S = 10
# The server drops a silent client after idle + PROBES * PROBE_INTERVAL seconds.
PROBE_INTERVAL_S, PROBES = 5, 3


class Lease(Protocol):
    """The right to fire schedules, held by at most one process at a time."""

    def try_acquire(self) -> bool: ...  # take it if free; True if this process holds it now
    def still_held(self) -> bool: ...  # still ours? (PostgreSQL: the connection answers)
    def release(self) -> None: ...  # give it up; a no-op when not holding it


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name``."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_LOCK = text("SELECT pg_try_advisory_lock(:key)")
# A ping that also proves the lock is ours: a bigint key shows as (classid, objid) halves.
_HELD = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND objsubid = 1 AND classid::bigint = :hi AND objid::bigint = :lo)"
)


class PostgresLease:
    """``pg_try_advisory_lock`` held on a connection kept open while leading.

    Point it at PostgreSQL itself, not at a transaction-mode pooler (PgBouncer), which
    would hand the session lock's connection to someone else.
    """

    def __init__(self, url: str, name: str = DEFAULT_NAME, *, interval: float = DEFAULT_INTERVAL) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            raise ValueError(f"PostgresLease needs a postgresql URL, got {parsed.get_backend_name()!r}")
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
        self.name = name
        self.key = lock_key(name)
        # The server must not free the lock before the leader notices it lost the
        # connection: the leader pings every `interval` and a lost ping fails after
        # CLIENT_TIMEOUT_S, so the server waits 2 * interval of silence before probing.
        keepalive = {"idle": max(int(2 * interval), 1), "interval": PROBE_INTERVAL_S, "count": PROBES}
        server_options = " ".join(f"-c tcp_keepalives_{key}={value}" for key, value in keepalive.items())
        url_options = parsed.query.get("options", "")  # connect_args would replace, not extend
        connect_args: dict[str, Any] = dict(  # libpq keywords
            options=f"{url_options} {server_options}".strip(),
            application_name=f"{name} lease"[:63],  # who leads shows in pg_stat_activity
            connect_timeout=5, keepalives=1, keepalives_idle=5, keepalives_interval=PROBE_INTERVAL_S,
            keepalives_count=PROBES, tcp_user_timeout=CLIENT_TIMEOUT_S * 1000,
        )  # fmt: skip
        # NullPool: closing the connection really closes it, and the lock goes with it.
        self._engine = create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
        self._conn: Connection | None = None
        self._mutex = threading.Lock()

    def try_acquire(self) -> bool:
        with self._mutex:
            if self._conn is not None:
                if self._holds():
                    return True
                self._drop()
            try:
                conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            except SQLAlchemyError as exc:
                # The driver's message only: no statement, no URL, so no password.
                log.warning("scheduler lease: PostgreSQL unreachable: %s", getattr(exc, "orig", None) or exc)
                return False
            if not _scalar(conn, _LOCK, key=self.key):
                with contextlib.suppress(Exception):
                    conn.close()
                return False
            self._conn = conn
            log.info("scheduler lease %r acquired", self.name)
            return True

    def still_held(self) -> bool:
        with self._mutex:
            if self._conn is None:
                return False
            if self._holds():
                return True
            log.warning("scheduler lease %r lost: its connection is gone", self.name)
            self._drop()
            return False

    def release(self) -> None:
        with self._mutex:
            if self._conn is not None:
                log.info("scheduler lease %r released", self.name)
                self._drop()

    def _holds(self) -> bool:
        assert self._conn is not None
        return _scalar(self._conn, _HELD, hi=(self.key >> 32) & 0xFFFFFFFF, lo=self.key & 0xFFFFFFFF)

    def _drop(self) -> None:
        # Closing ends the session, which frees the lock; no unlock round trip needed.
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


def _scalar(conn: Connection, query: TextClause, **params: int) -> bool:
    try:
        return bool(conn.execute(query, params).scalar_one())
    except SQLAlchemyError:  # a broken connection answers False
        return False


class LocalLease:
    """For SQLite: an exclusive ``flock`` on ``path``, which the kernel frees when its
    holder dies. With no path (an in-memory database, private to its process): always leads.
    """

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None
        self._fd: int | None = None
        self._held = False
        self._mutex = threading.Lock()

    def try_acquire(self) -> bool:
        with self._mutex:
            if self.path is None:
                self._held = True
                return True
            if self._fd is not None and self._same_file():
                return True
            self._close()
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # private, like the database beside it
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())  # for a human wondering who leads
            self._fd = fd
            return True

    def still_held(self) -> bool:
        with self._mutex:
            return self._held if self.path is None else self._fd is not None and self._same_file()

    def release(self) -> None:
        with self._mutex:
            self._held = False
            self._close()

    def _same_file(self) -> bool:
        # A lock file deleted or replaced under us could be locked afresh by another
        # process: then our lock no longer excludes anyone.
        assert self._fd is not None and self.path is not None
        try:
            ours, now = os.fstat(self._fd), os.stat(self.path)
        except OSError:
            return False
        return (ours.st_dev, ours.st_ino) == (now.st_dev, now.st_ino)

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # frees the flock
            self._fd = None


def make_lease(database_url: str, *, name: str = DEFAULT_NAME, interval: float = DEFAULT_INTERVAL) -> Lease:
    """The lease that fits the store at ``database_url``."""
    parsed = make_url(database_url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return PostgresLease(database_url, name, interval=interval)
    if backend == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"
        return LocalLease(None if in_memory else f"{parsed.database}.lock")
    raise ValueError(f"no scheduler lease for {backend!r} databases; use sqlite or postgresql")


Callback = Callable[[], Awaitable[None] | None]


class LeaderElection:
    """Tries the lease every ``interval`` seconds and tells the process when it leads:
    ``on_gain`` after taking it (start firing schedules), ``on_loss`` after losing or
    giving it up (stop firing). Each may be sync or async.
    """

    def __init__(self, lease: Lease, on_gain: Callback, on_loss: Callback, *, interval: float = DEFAULT_INTERVAL) -> None:
        self.lease = lease
        self.interval = interval
        self._on_gain, self._on_loss = on_gain, on_loss
        self._leading = False
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def leading(self) -> bool:
        return self._leading

    async def step(self) -> bool:
        """One round: check the held lease or try to take it. Returns ``leading``."""
        if self._leading:
            if not await _safely(self.lease.still_held):
                await self._resign()
        elif await _safely(self.lease.try_acquire):
            self._leading = True
            if not await _call(self._on_gain, "on_gain"):
                self._leading = False  # a leader that cannot fire must let another lead
                await asyncio.to_thread(self.lease.release)
        return self._leading

    async def run(self) -> None:
        """Step every ``interval`` until ``stop()``; gives the lease up on the way out."""
        try:
            while not self._stopping.is_set():
                await self.step()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.interval)
        finally:
            await self._resign()

    def start(self) -> asyncio.Task[None]:
        self._stopping.clear()
        self._task = asyncio.create_task(self.run(), name="leader-election")
        return self._task

    async def stop(self) -> None:
        """Stop trying and give the lease up (after ``on_loss`` if leading)."""
        self._stopping.set()
        # Awaited, not cancelled: a step mid-way in a thread could take the lease after we let go.
        task, self._task = self._task, None
        await (task if task is not None else self._resign())

    async def _resign(self) -> None:
        if self._leading:
            self._leading = False
            await _call(self._on_loss, "on_loss")
        await asyncio.to_thread(self.lease.release)


async def _safely(check: Callable[[], bool]) -> bool:
    """A lease call in a thread (it may block on the network); an error reads as False."""
    try:
        return await asyncio.to_thread(check)
    except Exception:
        log.exception("scheduler lease check failed")
        return False


async def _call(callback: Callback, what: str) -> bool:
    try:
        result = callback()
        if inspect.isawaitable(result):
            await result
    except Exception:
        log.exception("leader election: %s failed", what)
        return False
    return True
