"""SQLAlchemy table definitions of the store, portable between SQLite and PostgreSQL.

These classes are the source of truth that ``migrations/versions`` must match;
``tests/test_store.py`` checks that autogenerate finds no difference.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import true
from sqlalchemy import JSON, Boolean, Date, DateTime, Dialect, Float, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Bounded key lengths keep primary keys indexable everywhere (and honest about what fits).
ID_LEN = 64
LANG_LEN = 16
MODEL_LEN = 200
PROMPT_VERSION_LEN = 64
SHA256_HEX_LEN = 64
RUN_KEY_LEN = 200


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that goes in and comes out as a tz-aware UTC ``datetime``.

    PostgreSQL keeps the instant (``timestamptz``) but hands it back in the session
    time zone; SQLite keeps no zone at all. Both are normalised here so callers
    never see a naive or non-UTC value. Naive input is refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a tz-aware (UTC) datetime")
        value = value.astimezone(timezone.utc)
        # SQLite would store the offset as text and compare strings: keep plain UTC.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), list[Any]: JSON()}


class CardRow(Base):
    """One summarised card; the primary key is exactly ``CardKey``."""

    __tablename__ = "cards"

    arxiv_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(LANG_LEN), primary_key=True)
    model: Mapped[str] = mapped_column(String(MODEL_LEN), primary_key=True)
    prompt_version: Mapped[str] = mapped_column(String(PROMPT_VERSION_LEN), primary_key=True)
    # CardKey.bullets (how many were asked for); named apart from the bullet texts.
    bullet_count: Mapped[int] = mapped_column(Integer, primary_key=True)
    headline: Mapped[str] = mapped_column(Text)
    bullets: Mapped[list[Any]] = mapped_column()
    comment: Mapped[str] = mapped_column(Text)
    summarizer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()


class _PaperColumns:  # one version of one arXiv paper (``Paper``): the columns its tables share
    arxiv_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[Any]] = mapped_column()
    abstract: Mapped[str] = mapped_column(Text)
    categories: Mapped[list[Any]] = mapped_column()
    primary_category: Mapped[str] = mapped_column(String(ID_LEN))
    comment: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime] = mapped_column()
    updated: Mapped[datetime] = mapped_column()
    abs_url: Mapped[str] = mapped_column(Text)
    pdf_url: Mapped[str | None] = mapped_column(Text)


class PaperRow(_PaperColumns, Base):
    """One version of one arXiv paper, as last seen in a query result."""

    __tablename__ = "papers"
    updated_at: Mapped[datetime] = mapped_column()


class AnnouncedPaperRow(_PaperColumns, Base):
    """A paper version as arXiv announced it, once: a later cross-list of it adds nothing."""

    __tablename__ = "announced_papers"
    announced_at: Mapped[datetime] = mapped_column(index=True)
    announce_type: Mapped[str] = mapped_column(String(LANG_LEN))  # new | cross | replace | replace-cross
    withdrawn: Mapped[bool] = mapped_column(Boolean)


class AnnouncementRow(Base):
    """A scheduled arXiv announcement harvested (papers 0: none came, a holiday)."""

    __tablename__ = "announcements"
    announced_at: Mapped[datetime] = mapped_column(primary_key=True)
    listed_on: Mapped[date] = mapped_column(Date)
    papers: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(LANG_LEN))  # listing | oai
    harvested_at: Mapped[datetime] = mapped_column()
    archives: Mapped[str | None] = mapped_column(Text, nullable=True)  # "cs,math"; NULL: all


class QueryRow(Base):
    """An arXiv API query and the papers it returned, in the API's order."""

    __tablename__ = "arxiv_queries"

    # Query strings are unbounded; their sha256 is a fixed-size key.
    query_sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LEN), primary_key=True)
    query: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column()
    paper_ids: Mapped[list[Any]] = mapped_column()  # [[arxiv_id, version], ...]


class SubscriptionRow(Base):
    """A channel's weekly digest of one topic: the truth the scheduler derives jobs from."""

    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_channel", "platform", "workspace_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(LANG_LEN))
    workspace_id: Mapped[str] = mapped_column(String(ID_LEN))
    channel_id: Mapped[str] = mapped_column(String(ID_LEN))
    topic: Mapped[str] = mapped_column(Text)
    weekday: Mapped[int] = mapped_column(Integer)
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    tz: Mapped[str] = mapped_column(String(ID_LEN))
    language: Mapped[str] = mapped_column(String(LANG_LEN))
    max_papers: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(ID_LEN))
    created_at: Mapped[datetime] = mapped_column()
    paused: Mapped[str | None] = mapped_column(Text)
    paused_by: Mapped[str | None] = mapped_column(String(ID_LEN))  # who paused it; NULL: the bot (a reason)
    schedule_from: Mapped[datetime | None] = mapped_column()  # last schedule edit: earlier instants not owed
    search_terms: Mapped[str | None] = mapped_column(Text)  # English terms searched instead of the topic
    learn: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # reactions rerank it
    budget: Mapped[int | None] = mapped_column(Integer)  # monthly LLM tokens (0: unlimited); NULL: the workspace's


class RunRow(Base):
    """One digest owed to one subscription (its key is the idempotency key of the run)."""

    __tablename__ = "digest_runs"
    __table_args__ = (Index("ix_digest_runs_subscription", "subscription_id"),)

    key: Mapped[str] = mapped_column(String(RUN_KEY_LEN), primary_key=True)
    subscription_id: Mapped[int] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(LANG_LEN))
    workspace_id: Mapped[str] = mapped_column(String(ID_LEN))
    channel_id: Mapped[str] = mapped_column(String(ID_LEN))
    topic: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(LANG_LEN))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    tz: Mapped[str] = mapped_column(String(ID_LEN))
    candidates: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(LANG_LEN))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    # Scheduler state (bot/tick.py, bot/recovery.py): the weekly due instant a scheduled
    # run was fired for (NULL for on-demand runs), written when it is planned; and when a
    # failed run is next retried (NULL: not waiting, e.g. given up), written as it ends.
    due_at: Mapped[datetime | None] = mapped_column()
    retry_at: Mapped[datetime | None] = mapped_column()
    # Papers ranked into the digest but left out: the channel holds them already
    # (from another week, or another subscription's digest of the same moment).
    skipped: Mapped[int] = mapped_column(Integer, server_default="0")
    # Results arXiv reported for the window but never delivered (a later page stayed
    # empty): the digest holds what arrived, and its header and status say so.
    missing: Mapped[int] = mapped_column(Integer, server_default="0")
    # Who delivers it: an ``InstanceRow`` id. A run whose owner is gone (no heartbeat,
    # or a process on this host that no longer exists) is taken over, ``fence`` + 1;
    # every "sending" mark is conditional on (owner, fence), so only one process posts.
    owner: Mapped[str | None] = mapped_column(String(ID_LEN))
    fence: Mapped[int] = mapped_column(Integer, server_default="0")


class ChannelPaperRow(Base):
    """A channel's claim on an arXiv paper: each paper is planned into a channel once, ever.

    Written in the transaction that plans the run (``Store.plan_runs``); the primary key
    makes it a property of the store, whatever the order in which runs are planned.
    """

    __tablename__ = "channel_papers"

    platform: Mapped[str] = mapped_column(String(LANG_LEN), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True, index=True)  # a new version's cards
    run_key: Mapped[str] = mapped_column(String(RUN_KEY_LEN))
    claimed_at: Mapped[datetime] = mapped_column()


class DeliveryRow(Base):
    """The ledger: one row per message of a run, moved pending -> sending -> sent."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_channel_paper", "platform", "workspace_id", "channel_id", "arxiv_id"),)

    run_key: Mapped[str] = mapped_column(String(RUN_KEY_LEN), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(LANG_LEN))
    workspace_id: Mapped[str] = mapped_column(String(ID_LEN))
    channel_id: Mapped[str] = mapped_column(String(ID_LEN))
    arxiv_id: Mapped[str] = mapped_column(String(ID_LEN))
    version: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    # The card's text as written (``card_texts``), once per text however many channels get it.
    card_sha: Mapped[str | None] = mapped_column(String(SHA256_HEX_LEN))
    state: Mapped[str] = mapped_column(String(LANG_LEN))
    message_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column()


class InstanceRow(Base):
    """A running ``digest-bot`` process, as its heartbeat shows it (bot/instances.py)."""

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)  # "<host>:<pid>:<random>"
    host: Mapped[str] = mapped_column(String(ID_LEN))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column()
    seen_at: Mapped[datetime] = mapped_column()


class DigestFailureRow(Base):
    """A scheduled digest that could not be built (arXiv down): its tries, kept across restarts.

    One row per subscription while its digest owed for ``due_at`` keeps failing before
    it could be planned; deleted once it is planned (or the subscription removed).
    """

    __tablename__ = "digest_failures"

    subscription_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    due_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    first_failed_at: Mapped[datetime] = mapped_column()
    retry_at: Mapped[datetime | None] = mapped_column()  # NULL: given up
    notice_id: Mapped[str | None] = mapped_column(String(ID_LEN))  # the channel notice, once posted


class CardTextRow(Base):
    """A card's text as delivered, keyed by the sha256 of its JSON: stored once, shared by rows."""

    __tablename__ = "card_texts"

    sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LEN), primary_key=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)


class HandledEventRow(Base):
    """An event already acted on: a platform's (Slack event_id, Discord interaction id), or a version note's."""

    __tablename__ = "handled_events"

    platform: Mapped[str] = mapped_column(String(LANG_LEN), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(RUN_KEY_LEN), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column()
