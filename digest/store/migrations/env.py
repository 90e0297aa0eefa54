"""Alembic environment: runs migrations on the connection the caller hands in.

There is no alembic.ini: ``upgrade_to_head`` (``digest/store/migrations/__init__.py``,
called by ``open_store``) builds the ``Config`` in code and passes an open connection
(already inside a transaction, already holding the migration lock) through
``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from digest.store.fulltext_tables import Base  # Base with the full-text tables registered too

connection: Connection | None = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError(
        "digest.store migrations run online only, through digest.store.migrations.upgrade_to_head()"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    compare_type=True,
    # SQLite cannot ALTER most things: later migrations get batch mode there for free.
    render_as_batch=connection.dialect.name == "sqlite",
)
# The caller's transaction is already open, so this is a no-op wrapper and the whole
# upgrade commits (or rolls back) as one unit with the caller's lock.
with context.begin_transaction():
    context.run_migrations()
