"""Initial schema: cards, papers, arxiv_queries.

Hand-written to match ``digest/store/tables.py`` (a test compares them).
Types are spelled out here rather than imported so this file stays valid
whatever tables.py becomes later.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cards",
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("prompt_version", sa.String(64), nullable=False),
        sa.Column("bullet_count", sa.Integer(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("bullets", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("summarizer", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint(
            "arxiv_id", "version", "language", "model", "prompt_version", "bullet_count"
        ),
    )
    op.create_table(
        "papers",
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("primary_category", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("published", _utc(), nullable=False),
        sa.Column("updated", _utc(), nullable=False),
        sa.Column("abs_url", sa.Text(), nullable=False),
        sa.Column("pdf_url", sa.Text(), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("arxiv_id", "version"),
    )
    op.create_table(
        "arxiv_queries",
        sa.Column("query_sha256", sa.String(64), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("fetched_at", _utc(), nullable=False),
        sa.Column("paper_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("query_sha256"),
    )


def downgrade() -> None:
    op.drop_table("arxiv_queries")
    op.drop_table("papers")
    op.drop_table("cards")
