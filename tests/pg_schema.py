"""A PostgreSQL schema of its own on the local server (127.0.0.1:5432, user postgres,
database ``test``): where the suite's and the benchmarks' stores live, one per use."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=5"


@contextmanager
def fresh_schema(admin: Any, prefix: str) -> Iterator[str]:
    """The store URL of a new schema named ``<prefix>_<uuid>``, dropped afterwards;
    ``admin`` is an autocommit psycopg connection to ``PG_DSN``."""
    schema = f"{prefix}_{uuid.uuid4().hex}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    finally:
        # A user that leaks an open transaction must not hang the whole run.
        admin.execute("SET lock_timeout = '10s'")
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
