"""Rows of the run and ledger tables to the models and back: the helpers of the store's mixins."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, time, timezone
from typing import Any

from typing import Protocol

from digest.models import HEADER, PAPER_TOPIC, CardText, ChannelRef, Delivery, DigestRun, Paper, Subscription, Window
from digest.store.tables import SubscriptionRow


class Ranked(Protocol):
    """A paper as a run plans it: the paper and its relevance (``digest.text.ranking.Scored``)."""

    @property
    def paper(self) -> Paper: ...

    @property
    def score(self) -> float: ...


def now() -> datetime:
    return datetime.now(timezone.utc)


def channel_columns(channel: ChannelRef) -> dict[str, str]:
    return {"platform": channel.platform, "workspace_id": channel.workspace_id, "channel_id": channel.channel_id}


def subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        channel=ChannelRef(row.platform, row.workspace_id, row.channel_id),
        topic=row.topic,
        weekday=row.weekday,
        time=time.fromisoformat(row.local_time),
        tz=row.tz,
        language=row.language,
        max_papers=row.max_papers,
        created_by=row.created_by,
        paused=row.paused,
        paused_by=row.paused_by,
        search_terms=row.search_terms,
        learn=row.learn is not False,  # None: a row not yet flushed, the default
        budget=row.budget,
    )


def digest_run(row: Any) -> DigestRun:
    """A run from a digest_runs row: the ORM's RunRow or a Core row of its columns."""
    return DigestRun(
        key=row.key,
        subscription_id=row.subscription_id,
        channel=ChannelRef(row.platform, row.workspace_id, row.channel_id),
        topic=row.topic,
        language=row.language,
        window=Window(row.window_start, row.window_end, row.tz),
        candidates=row.candidates,
        state=row.state,
        error=row.error,
        attempts=row.attempts,
        skipped=row.skipped or 0,
        missing=row.missing or 0,
        owner=row.owner,
        fence=row.fence or 0,
        due_at=row.due_at,
        retry_at=row.retry_at,
        updated_at=row.updated_at,
    )


# What ``delivery`` reads of a ledger row.
DELIVERY_COLUMNS = ("run_key", "position", "arxiv_id", "version", "score", "state", "message_id", "error")


def delivery(row: Any) -> Delivery:
    """A ledger row (a Core row of ``DELIVERY_COLUMNS`` and its ``card_texts.card``) as a Delivery."""
    card = row.card
    text = (
        CardText(card["headline"], tuple(card["bullets"]), card["comment"], card["language"], card["summarizer"])
        if card
        else None
    )
    return Delivery(
        row.run_key, row.position, row.arxiv_id, row.version, row.score, text, row.state, row.message_id, row.error
    )


def run_row(run: DigestRun, now: datetime) -> dict[str, Any]:
    return {
        "key": run.key,
        "subscription_id": run.subscription_id,
        **channel_columns(run.channel),
        "topic": run.topic,
        "language": run.language,
        "window_start": run.window.start,
        "window_end": run.window.end,
        "tz": run.window.tz,
        "candidates": run.candidates,
        "state": "delivering",
        "error": None,
        "attempts": 0,
        "skipped": run.skipped,
        "missing": run.missing,
        "owner": run.owner,
        "fence": run.fence,
        "due_at": run.due_at,  # written with the run: "which week is owed" never lags its plan
        "retry_at": run.retry_at,
        "created_at": now,
        "updated_at": now,
    }


def card_sha(card: dict[str, Any]) -> str:
    """The key of a card's text in ``card_texts``: the sha256 of its canonical JSON."""
    return hashlib.sha256(json.dumps(card, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def card_json(text: CardText) -> dict[str, Any]:
    return {
        "headline": text.headline,
        "bullets": list(text.bullets),
        "comment": text.comment,
        "language": text.language,
        "summarizer": text.summarizer,
    }


def has_header(run: DigestRun, papers: Sequence[object]) -> bool:
    """No header for a digest with no new papers (nothing is posted), nor for a single paper."""
    return bool(papers) and run.topic != PAPER_TOPIC


def ledger_rows(run: DigestRun, papers: Sequence[Ranked], now: datetime) -> list[dict[str, Any]]:
    """The run's header and card rows, all pending, ``papers`` in rank order; no papers,
    no rows. A card's text is recorded when it is sent (``LedgerMixin.mark_many``)."""
    pending = {**channel_columns(run.channel), "run_key": run.key, "state": "pending", "message_id": None,
               "error": None, "updated_at": now, "card_sha": None}  # fmt: skip
    header = {**pending, "position": HEADER, "arxiv_id": "", "version": 0, "score": 0.0}
    rows = [header] * has_header(run, papers)
    rows += [{**pending, "position": position, "arxiv_id": item.paper.arxiv_id, "version": item.paper.version,
              "score": item.score} for position, item in enumerate(papers, start=1)]  # fmt: skip
    return rows


def dialect_insert(dialect: str) -> Any:
    """The INSERT of ``dialect`` ("postgresql" or "sqlite") that knows ON CONFLICT."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
