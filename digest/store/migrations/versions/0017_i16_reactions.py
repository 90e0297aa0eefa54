"""Reactions teach the ranking: members' 👍/👎 on cards, and a subscription's switch for it.

- ``reactions``: one member's +1 or -1 on one paper's card in one channel (the user id
  is part of the key only so that a reaction counts once per person).
- ``subscriptions.learn``: whether the channel's reactions shift this subscription's
  ranking (``/arxiv edit <id> learn=off``); on by default.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("learn", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "reactions",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("workspace_id", sa.String(64), primary_key=True),
        sa.Column("channel_id", sa.String(64), primary_key=True),
        sa.Column("arxiv_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("reacted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reactions")
    with op.batch_alter_table("subscriptions") as batch:  # SQLite: drop by table copy
        batch.drop_column("learn")
