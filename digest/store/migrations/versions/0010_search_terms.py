"""A subscription's English search terms (a topic in another language, translated once).

Revision ID: 0010
Revises: 0008 (0009 once the announcements branch is merged)
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: existing subscriptions search their topic as before.
    op.add_column("subscriptions", sa.Column("search_terms", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("search_terms")
