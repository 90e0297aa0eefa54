"""LLM token accounting and budgets: tokens per account and month, the one budget
notice per subscription and month, and a subscription's own monthly budget.

- ``llm_usage``: prompt and completion tokens (and completions) per month (UTC),
  channel and subscription (0: the channel's own: ``/arxiv paper`` cards, their
  threads' answers, a topic's English terms asked before its subscription exists).
- ``budget_notices``: a subscription's channel was told its budget is reached this month.
- ``subscriptions.budget``: its monthly tokens (0: unlimited); NULL: the workspace's.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
# After 0016 (thread answers, merged first); other branches of this wave may add their own.
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "llm_usage",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", "platform", "workspace_id", "channel_id", "subscription_id"),
    )
    op.create_table(
        "budget_notices",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subscription_id", "month"),
    )
    op.add_column("subscriptions", sa.Column("budget", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:  # SQLite: drop by table copy
        batch.drop_column("budget")
    op.drop_table("budget_notices")
    op.drop_table("llm_usage")
