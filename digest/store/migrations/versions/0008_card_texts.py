"""A delivered card's text stored once (card_texts), not on every ledger row that posts it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sha(card: dict) -> str:
    # As digest/store/ledger_rows.py card_sha: the canonical JSON's sha256.
    return hashlib.sha256(json.dumps(card, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def upgrade() -> None:
    texts = op.create_table(
        "card_texts",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("card", sa.JSON(), nullable=False),
    )
    op.add_column("deliveries", sa.Column("card_sha", sa.String(64), nullable=True))
    deliveries = sa.table(
        "deliveries",
        sa.column("run_key", sa.String),
        sa.column("position", sa.Integer),
        sa.column("card", sa.JSON),
        sa.column("card_sha", sa.String),
    )
    bind = op.get_bind()
    seen: set[str] = set()
    rows = bind.execute(sa.select(deliveries.c.run_key, deliveries.c.position, deliveries.c.card).where(deliveries.c.card.is_not(None))).all()
    for run_key, position, card in rows:
        card = json.loads(card) if isinstance(card, str) else card
        if not card:
            continue
        sha = _sha(card)
        if sha not in seen:
            seen.add(sha)
            bind.execute(texts.insert().values(sha256=sha, card=card))
        bind.execute(
            deliveries.update()
            .where(deliveries.c.run_key == run_key, deliveries.c.position == position)
            .values(card_sha=sha)
        )
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("card")


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("card", sa.JSON(), nullable=True))
    op.execute(
        "UPDATE deliveries SET card = (SELECT card FROM card_texts WHERE card_texts.sha256 = deliveries.card_sha)"
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("card_sha")
    op.drop_table("card_texts")
