"""The job queue's tables (procrastinate 3.10.0's packaged schema), on PostgreSQL only.

Through our chain rather than at a worker's start: it runs once, under the same
advisory lock and in the same schema (the URL's search_path) as every other migration,
so a leader and workers starting together never race to create it, and the queue's
schema has one history with ours (a later procrastinate's migrations: a later revision
here). SQLite has no queue (``queue.enabled`` refuses it): nothing to do there.

Revision ID: 0022_queue
Revises: 0021_limits
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files

import sqlalchemy as sa
from alembic import op

from digest.store.engines import StoreUnavailable

revision: str = "0022_queue"
down_revision: str | Sequence[str] | None = "0021_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs", "procrastinate_workers")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        schema = files("procrastinate").joinpath("sql/schema.sql").read_text(encoding="utf-8")
    except ModuleNotFoundError:  # an install upgraded without the new extra: say what to do
        raise StoreUnavailable(
            "the database needs the job queue's tables (migration 0022), made by procrastinate, which is "
            "not installed: install the postgres extra (pip install -e '.[postgres]' in the clone; the "
            "container image has it)"
        ) from None
    # The driver's own connection: the script is many statements with $$ bodies and
    # '%' and ':' in them, which neither SQLAlchemy's text() nor parameters may touch.
    bind.connection.driver_connection.execute(schema)  # type: ignore[union-attr]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    functions = bind.execute(sa.text(
        "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE starts_with(p.proname, 'procrastinate') "
        "AND p.pronamespace = current_schema()::regnamespace"
    )).scalars().all()
    for function in functions:
        op.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    for kind in ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status"):
        op.execute(f"DROP TYPE IF EXISTS {kind} CASCADE")
