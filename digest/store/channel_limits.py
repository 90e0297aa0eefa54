"""What a channel may do, kept in the store: its last ``/arxiv now`` (a rate limit that holds
across restarts and processes), and the per-channel lock the subscription checks take.

A mixin of ``Store``. ``lock_channel`` makes "count the channel's subscriptions (or look
for the same topic), then add one" atomic: SQLite's writers are serialised already
(``BEGIN IMMEDIATE``), PostgreSQL's are made to queue on the channel's row here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from digest.models import ChannelRef
from digest.store.ledger_rows import channel_columns
from digest.store.tables import ID_LEN, LANG_LEN, Base


class ChannelLimitRow(Base):
    """One row per channel that ever used a limited action (or had its subscriptions checked)."""

    __tablename__ = "channel_limits"

    platform: Mapped[str] = mapped_column(String(LANG_LEN), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    now_at: Mapped[datetime | None] = mapped_column()  # the last /arxiv now allowed here


def lock_channel(session: Session, dialect: str, channel: ChannelRef) -> ChannelLimitRow:
    """The channel's row, created if need be and locked until ``session`` commits."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(ChannelLimitRow).values(**channel_columns(channel)).on_conflict_do_nothing())
    query = select(ChannelLimitRow).filter_by(**channel_columns(channel)).with_for_update()
    return session.scalars(query).one()


class ChannelLimitsMixin:
    _writing: Any
    _dialect: str

    def claim_now(self, channel: ChannelRef, at: datetime, every: timedelta) -> datetime | None:
        """Take ``channel``'s ``/arxiv now`` at ``at`` (tz-aware) unless the last one was less
        than ``every`` before: None when taken, else the instant the next one is allowed."""
        with self._writing() as session:
            row = lock_channel(session, self._dialect, channel)
            if row.now_at is not None and at < row.now_at + every:
                return row.now_at + every
            row.now_at = at
            return None
