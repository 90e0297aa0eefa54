"""pacing_slots: each shared rate limit's next free slot (digest/store/pacing.py)

Revision ID: 0020_limits
Revises: 0019
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_limits"
# Other branches add a 0020 too; the integrator chains them.
down_revision: str | Sequence[str] | None = "0020"  # after the queue's 0020 (re-chained on merging; the integrator renumbers)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pacing_slots",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("pacing_slots")
