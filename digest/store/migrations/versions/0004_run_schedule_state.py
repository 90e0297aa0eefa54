"""Scheduler state of digest runs: the due instant fired, and the next retry.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns: SQLite adds them in place, existing (on-demand) runs read NULL.
    op.add_column("digest_runs", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("digest_runs", sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_runs") as batch:
        batch.drop_column("retry_at")
        batch.drop_column("due_at")
