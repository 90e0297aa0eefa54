"""A digest's week at a glance, stored with its run: a resumed run posts the same header.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
# Other branches add a 0016 too; the integrator chains them.
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_overviews",
        sa.Column("run_key", sa.String(200), nullable=False),
        sa.Column("sentences", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_key"),
    )


def downgrade() -> None:
    op.drop_table("run_overviews")
