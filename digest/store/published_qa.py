"""Thread Q&A kept for the site: every answered question, and which channels publish theirs.

A mixin of ``Store``. ``thread_answers`` holds each question answered in a card's thread
(the paper, the channel, the question and answer texts, the section citations, when),
never who asked. ``channel_publishing`` holds each channel's ``/arxiv publish`` switch
(absent: off). The site reads ``published_answers``: only the answers of channels whose
switch is on when it is built, so switching off takes them off at the next build.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from digest.models import ChannelRef
from digest.store.ledger_rows import channel_columns, dialect_insert
from digest.store.tables import ID_LEN, LANG_LEN, Base


class ThreadAnswerRow(Base):
    """One question answered in a card's thread, as the bot posted its answer."""

    __tablename__ = "thread_answers"
    __table_args__ = (Index("ix_thread_answers_paper", "arxiv_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    arxiv_id: Mapped[str] = mapped_column(String(ID_LEN))
    version: Mapped[int] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(LANG_LEN))
    workspace_id: Mapped[str] = mapped_column(String(ID_LEN))
    channel_id: Mapped[str] = mapped_column(String(ID_LEN))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column()  # section labels: ["§4.2", "Abstract"]
    asked_at: Mapped[datetime] = mapped_column()


class PublishingRow(Base):
    """A channel's ``/arxiv publish`` switch; a channel without a row does not publish."""

    __tablename__ = "channel_publishing"

    platform: Mapped[str] = mapped_column(String(LANG_LEN), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    publish: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column()


@dataclass(frozen=True)
class KeptAnswer:
    """A kept question and answer, as the site reads it (no channel: the page never says where)."""

    arxiv_id: str  # without version
    version: int
    question: str
    answer: str
    citations: tuple[str, ...]
    asked_at: datetime


class PublishedQAMixin:
    _reading: Any
    _writing: Any
    _dialect: str

    def keep_answer(
        self, channel: ChannelRef, arxiv_id: str, version: int, question: str, answer: str,
        citations: tuple[str, ...], at: datetime,
    ) -> None:
        """Keep one answered question of ``channel`` about ``arxiv_id`` v``version`` (``at`` tz-aware)."""
        row = ThreadAnswerRow(**channel_columns(channel), arxiv_id=arxiv_id, version=version, question=question,
                              answer=answer, citations=list(citations), asked_at=at)  # fmt: skip
        with self._writing() as session:
            session.add(row)

    def set_publishing(self, channel: ChannelRef, publish: bool, at: datetime) -> bool:
        """Switch ``channel``'s publishing to ``publish``; False when it was so already (nothing changed)."""
        with self._writing() as session:
            row = session.get(PublishingRow, (channel.platform, channel.workspace_id, channel.channel_id))
            if (row.publish if row is not None else False) == publish:
                return False
            insert = dialect_insert(self._dialect)(PublishingRow).values(
                **channel_columns(channel), publish=publish, changed_at=at
            )
            session.execute(insert.on_conflict_do_update(
                index_elements=["platform", "workspace_id", "channel_id"], set_={"publish": publish, "changed_at": at}
            ))  # fmt: skip
            return True

    def publishes(self, channel: ChannelRef) -> tuple[bool, datetime | None]:
        """(whether ``channel`` publishes its thread Q&A, when that was last switched; None: never)."""
        with self._reading() as session:
            row = session.get(PublishingRow, (channel.platform, channel.workspace_id, channel.channel_id))
            return (row.publish, row.changed_at) if row is not None else (False, None)

    def published_answers(self) -> list[KeptAnswer]:
        """The kept answers of every channel publishing now, asked since it was switched on
        (who asked before did not know their question would be public), oldest first."""
        query = (
            select(ThreadAnswerRow.arxiv_id, ThreadAnswerRow.version, ThreadAnswerRow.question,
                   ThreadAnswerRow.answer, ThreadAnswerRow.citations, ThreadAnswerRow.asked_at)
            .join(PublishingRow, (PublishingRow.platform == ThreadAnswerRow.platform)
                  & (PublishingRow.workspace_id == ThreadAnswerRow.workspace_id)
                  & (PublishingRow.channel_id == ThreadAnswerRow.channel_id))
            .where(PublishingRow.publish.is_(True), ThreadAnswerRow.asked_at >= PublishingRow.changed_at)
            .order_by(ThreadAnswerRow.asked_at, ThreadAnswerRow.id)
        )  # fmt: skip
        with self._reading() as session:
            return [
                KeptAnswer(i, v, q, a, tuple(str(c) for c in cited or ()), at)
                for i, v, q, a, cited, at in session.execute(query)
            ]
