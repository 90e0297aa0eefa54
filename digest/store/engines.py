"""The store's SQLAlchemy engine, and what opening it says when the database is not there.

``create_store_engine(url)``: SQLite with WAL, a busy timeout and explicit BEGINs, its
file created readable by its owner only; PostgreSQL with pre-ping and a connect
timeout. ``connect_or_explain`` turns a failure to connect or log in into
``StoreUnavailable``, one line naming the database (password masked) and the reason.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_MS = 30_000
# libpq waits forever for a host that drops packets; a bot that cannot reach its
# database should say so (seconds; a URL's own ?connect_timeout= wins).
POSTGRES_CONNECT_TIMEOUT = 10


class StoreUnavailable(Exception):
    """The database cannot be reached, or refuses the login: one line, no password."""


def create_store_engine(url: str) -> Engine:
    """An engine configured for concurrent use: WAL, busy timeout, explicit BEGINs on SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        args = {} if "connect_timeout" in parsed.query else {"connect_timeout": POSTGRES_CONNECT_TIMEOUT}
        return create_engine(parsed, pool_pre_ping=True, connect_args=args)

    in_memory = parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"
    kwargs: dict[str, Any] = {}
    if in_memory:
        # One shared connection, or each pooled connection would see its own empty DB.
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    elif "uri" not in parsed.query:
        _create_private(parsed, url)
    engine = create_engine(parsed, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so "begin" below decides the mode.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # Switching to WAL needs an exclusive lock; skip it when the file already is WAL.
        if not in_memory and cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL still survives a killed process (what the ledger is built
        # for); only a power cut may lose the last commits. FULL costs an fsync per mark.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers start IMMEDIATE: they queue on the busy timeout instead of failing
        # with SQLITE_BUSY when a read lock cannot be upgraded mid-transaction.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _create_private(parsed: URL, url: str) -> None:
    """Create the database file 0600 if it is new: it holds the channels, their
    subscriptions and the posts. SQLite gives the -wal and -shm files the database
    file's permissions (os_unix.c, findCreateFileMode), so they are private too; an
    existing file keeps the permissions its operator gave it."""
    try:
        os.close(os.open(str(parsed.database), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as err:
        raise StoreUnavailable(
            f"cannot create the database at {_masked(url)}: {err.strerror} (does its folder exist, and may this user write there?)"
        ) from None


def connect_or_explain(engine: Engine, url: str) -> None:
    """One connection opened and closed; ``StoreUnavailable`` when that fails."""
    try:
        with engine.connect():
            pass
    except DBAPIError as err:
        password = make_url(url).password
        lines = str(err.orig).strip().splitlines() if err.orig is not None else []
        reason = lines[0] if lines else type(err).__name__
        if password:
            reason = reason.replace(str(password), "***")
        raise StoreUnavailable(f"cannot open the database at {_masked(url)} (DIGEST_DATABASE_URL): {reason}") from None


def _masked(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)
