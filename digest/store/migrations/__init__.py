"""Alembic environment of the store, run programmatically (there is no alembic.ini).

A regular package so that ``env.py`` ships with the wheel as an ordinary module;
``script.py.mako`` and ``versions/`` ship through ``package-data`` in pyproject.toml.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parent
_LOCK_NAME = "arxiv-digest-bot.migrate."
# Alembic installs its `context`/`op` proxies as module globals: two upgrades in one
# process (even on different databases) must not overlap. Taken before the DB lock.
_PROCESS_LOCK = threading.Lock()


def alembic_config() -> Config:
    """An in-memory Alembic config pointing at this folder."""
    config = Config()
    # Config values go through configparser interpolation: escape '%' in the path.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    return config


def upgrade_to_head(engine: Engine) -> None:
    """``alembic upgrade head`` under a lock, so concurrent openers cannot collide.

    In-process: one upgrade at a time (Alembic's proxies are global).
    PostgreSQL: a transaction-scoped advisory lock keyed on the current schema.
    SQLite: the engine's ``sqlite_begin`` option makes this ``BEGIN IMMEDIATE``, which
    holds the write lock for the whole (transactional) DDL. Either way the second
    opener waits, then finds the schema at head and does nothing.
    """
    config = alembic_config()
    with _PROCESS_LOCK, engine.connect() as conn:
        conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:name || coalesce(current_schema(), '')))"),
                    {"name": _LOCK_NAME},
                )
            # env.py runs on this connection; its begin_transaction() joins ours.
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
