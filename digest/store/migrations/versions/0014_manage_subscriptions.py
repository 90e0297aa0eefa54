"""Managing subscriptions: who paused one, since when its edited schedule counts, and a
channel's rate-limited actions.

- ``subscriptions.paused_by``: the user who paused it (``/arxiv pause``); NULL while
  ``paused`` holds a reason the bot set itself (removed from the channel).
- ``subscriptions.schedule_from``: when its day, time or zone was last edited. Weekly
  instants before it are not owed (``Store.last_fired``), so an edit never fires a
  digest at once for an instant of the new schedule that has already passed.
- ``channel_limits``: a channel's last ``/arxiv now``, kept in the store so that the
  limit holds across restarts and processes; its row is also the lock that makes a
  channel's subscription count and duplicate checks atomic on PostgreSQL.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("paused_by", sa.String(64), nullable=True))
    op.add_column("subscriptions", sa.Column("schedule_from", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "channel_limits",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("workspace_id", sa.String(64), primary_key=True),
        sa.Column("channel_id", sa.String(64), primary_key=True),
        sa.Column("now_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("channel_limits")
    with op.batch_alter_table("subscriptions") as batch:  # SQLite: drop by table copy
        batch.drop_column("schedule_from")
        batch.drop_column("paused_by")
