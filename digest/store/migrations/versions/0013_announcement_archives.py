"""The archives each announcement was harvested for, so that a topic needing another is
not served from an announcement that lacks its papers.

Rows harvested before this revision get "" (no archive known): what they were harvested
for is unknown (every archive while a free-text subscription was active, only the named
ones otherwise), so none serves a topic until the next harvest widens it. That costs one
OAI-PMH catch-up of the horizon for the archives then needed (papers stored before are
kept, not fetched twice into the store), instead of a topic silently missing papers.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("announcements", sa.Column("archives", sa.Text(), nullable=True))
    op.execute("UPDATE announcements SET archives = ''")


def downgrade() -> None:
    with op.batch_alter_table("announcements") as batch:  # SQLite: drop by table copy
        batch.drop_column("archives")
