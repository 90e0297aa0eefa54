"""Run owners with a fence, process heartbeats, and plan failures kept across restarts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("digest_runs", sa.Column("owner", sa.String(64), nullable=True))
    op.add_column("digest_runs", sa.Column("fence", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "instances",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("host", sa.String(64), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "digest_failures",
        sa.Column("subscription_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_id", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("digest_failures")
    op.drop_table("instances")
    with op.batch_alter_table("digest_runs") as batch:
        batch.drop_column("fence")
        batch.drop_column("owner")
