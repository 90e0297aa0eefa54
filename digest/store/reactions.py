"""Reactions to cards: each member's 👍 or 👎 on a card, once per person, card and channel.

A mixin of ``Store``. A member's latest reaction to a paper in a channel is the one that
counts (👍 after 👎 replaces it); taking a reaction away deletes it, only when it is the
one held (taking away a 👍 leaves a later 👎). The user id is kept only to make a
reaction count once per person; nothing reads it back. ``digest.delivery.feedback`` turns a
channel's reactions into its ranking profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, String, and_, delete, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from digest.models import ChannelRef
from digest.store.ledger_rows import channel_columns, now
from digest.store.tables import ID_LEN, LANG_LEN, Base


class ReactionRow(Base):
    """One member's 👍 (+1) or 👎 (-1) on one paper's card in one channel."""

    __tablename__ = "reactions"

    platform: Mapped[str] = mapped_column(String(LANG_LEN), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)  # uniqueness only
    version: Mapped[int] = mapped_column(Integer)  # the card's version: its text is the profile's
    value: Mapped[int] = mapped_column(Integer)  # +1 or -1
    reacted_at: Mapped[datetime] = mapped_column()


class Reaction(NamedTuple):
    """A paper's reactions in a channel, summed over its members (``value``: likes minus dislikes)."""

    arxiv_id: str
    version: int
    value: int


def _of(channel: ChannelRef) -> Any:
    return and_(*(getattr(ReactionRow, name) == value for name, value in channel_columns(channel).items()))


class ReactionsMixin:
    _reading: Any
    _writing: Any

    def react(self, channel: ChannelRef, arxiv_id: str, version: int, user_id: str, value: int) -> None:
        """Hold ``user_id``'s ``value`` (+1 or -1) on ``arxiv_id`` in ``channel``, replacing theirs."""
        if value not in (1, -1):
            raise ValueError(f"a reaction is +1 or -1, not {value!r}")
        key = {**channel_columns(channel), "arxiv_id": arxiv_id, "user_id": user_id}
        with self._writing() as session:
            row = session.get(ReactionRow, key)
            if row is None:
                session.add(ReactionRow(**key, version=version, value=value, reacted_at=now()))
            else:
                row.version, row.value, row.reacted_at = version, value, now()

    def unreact(self, channel: ChannelRef, arxiv_id: str, user_id: str, value: int) -> bool:
        """Delete ``user_id``'s reaction on ``arxiv_id`` in ``channel`` if it is ``value``; True if one was."""
        where = and_(_of(channel), ReactionRow.arxiv_id == arxiv_id, ReactionRow.user_id == user_id,
                     ReactionRow.value == value)  # fmt: skip
        with self._writing() as session:
            return bool(session.execute(delete(ReactionRow).where(where)).rowcount)

    def channel_reactions(self, channels: Sequence[ChannelRef]) -> dict[ChannelRef, list[Reaction]]:
        """Each of ``channels``' reacted papers with their summed value (0 included), in one query."""
        if not channels:
            return {}
        total = func.sum(ReactionRow.value)
        cols = (ReactionRow.platform, ReactionRow.workspace_id, ReactionRow.channel_id, ReactionRow.arxiv_id)
        query = (
            select(*cols, func.max(ReactionRow.version), total)
            .where(or_(*(_of(c) for c in set(channels))))
            .group_by(*cols)
            .order_by(*cols)
        )
        found: dict[ChannelRef, list[Reaction]] = {}
        with self._reading() as session:
            for platform, workspace, channel, arxiv_id, version, value in session.execute(query):
                found.setdefault(ChannelRef(platform, workspace, channel), []).append(
                    Reaction(arxiv_id, version, int(value))
                )
        return found

    def reaction_counts(self, channels: Sequence[ChannelRef]) -> dict[ChannelRef, int]:
        """How many reactions each of ``channels`` holds (one per member and card)."""
        if not channels:
            return {}
        cols = (ReactionRow.platform, ReactionRow.workspace_id, ReactionRow.channel_id)
        query = select(*cols, func.count()).where(or_(*(_of(c) for c in set(channels)))).group_by(*cols)
        with self._reading() as session:
            return {ChannelRef(p, w, c): n for p, w, c, n in session.execute(query)}
