"""Subscriptions, digest runs and the delivery ledger.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _channel() -> list[sa.Column]:
    return [
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_channel(),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.String(5), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("max_papers", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("paused", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_subscriptions_channel", "subscriptions", ["platform", "workspace_id", "channel_id"])
    op.create_table(
        "digest_runs",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        *_channel(),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_digest_runs_subscription", "digest_runs", ["subscription_id"])
    op.create_table(
        "deliveries",
        sa.Column("run_key", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_channel(),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("card", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("run_key", "position"),
    )
    op.create_index(
        "ix_deliveries_channel_paper", "deliveries", ["platform", "workspace_id", "channel_id", "arxiv_id"]
    )


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("digest_runs")
    op.drop_table("subscriptions")
