"""Each paper once per channel as a constraint: the channel_papers claims, and a run's skipped count.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_papers",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("workspace_id", sa.String(64), primary_key=True),
        sa.Column("channel_id", sa.String(64), primary_key=True),
        sa.Column("arxiv_id", sa.String(64), primary_key=True),
        sa.Column("run_key", sa.String(200), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Every paper a channel got, or was promised, by a run planned before this revision.
    op.execute(
        """
        INSERT INTO channel_papers (platform, workspace_id, channel_id, arxiv_id, run_key, claimed_at)
        SELECT platform, workspace_id, channel_id, arxiv_id, MIN(run_key), MIN(updated_at)
        FROM deliveries WHERE position <> 0
        GROUP BY platform, workspace_id, channel_id, arxiv_id
        """
    )
    op.add_column("digest_runs", sa.Column("skipped", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("digest_runs") as batch:
        batch.drop_column("skipped")
    op.drop_table("channel_papers")
