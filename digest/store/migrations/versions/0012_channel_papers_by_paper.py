"""The channels' claims found by paper: the cards a new version of a paper is noted under.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The primary key leads with the channel; a replacement is looked up by its arXiv id.
    op.create_index("ix_channel_papers_arxiv_id", "channel_papers", ["arxiv_id"])


def downgrade() -> None:
    op.drop_index("ix_channel_papers_arxiv_id", table_name="channel_papers")
