"""Subscriptions, digest runs and the delivery ledger: the store's part of delivery.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions).
The ledger is written before anything is sent: a run's rows are planned in one
transaction, then each row moves pending -> sending -> sent (or failed/unknown) in
a transaction of its own, so a crash at any point leaves a state the next start
can finish from.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime, time, timezone
from typing import Any

from sqlalchemy import String, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from digest.models import HEADER, Card, CardText, ChannelRef, Delivery, DigestRun, Subscription, Window
from digest.store.tables import DeliveryRow, HandledEventRow, RunRow, SubscriptionRow

STATES = ("pending", "sending", "sent", "failed", "unknown")
_MARK = (
    update(DeliveryRow)
    .where(DeliveryRow.run_key == bindparam("k"), DeliveryRow.position == bindparam("p"))
    .values(
        state=bindparam("state"),
        error=bindparam("error"),
        updated_at=bindparam("at"),
        # A mark without a message id keeps the one recorded before.
        message_id=func.coalesce(bindparam("message_id", type_=String), DeliveryRow.message_id),
    )
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _channel_columns(channel: ChannelRef) -> dict[str, str]:
    return {"platform": channel.platform, "workspace_id": channel.workspace_id, "channel_id": channel.channel_id}


def _subscription(row: SubscriptionRow) -> Subscription:
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
    )


def _run(row: RunRow) -> DigestRun:
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
    )


def _delivery(row: DeliveryRow) -> Delivery:
    card = row.card
    text = (
        CardText(card["headline"], tuple(card["bullets"]), card["comment"], card["language"], card["summarizer"])
        if card
        else None
    )
    return Delivery(
        row.run_key, row.position, row.arxiv_id, row.version, row.score, text, row.state, row.message_id, row.error
    )


class LedgerMixin:
    _reading: Any
    _writing: Any
    _writing_core: Any

    # -- subscriptions -------------------------------------------------------------

    def add_subscription(
        self,
        channel: ChannelRef,
        topic: str,
        *,
        weekday: int,
        at: time,
        tz: str,
        language: str,
        max_papers: int,
        created_by: str,
    ) -> Subscription:
        row = SubscriptionRow(
            **_channel_columns(channel),
            topic=topic,
            weekday=weekday,
            local_time=at.strftime("%H:%M"),
            tz=tz,
            language=language,
            max_papers=max_papers,
            created_by=created_by,
            created_at=_now(),
            paused=None,
        )
        with self._writing() as session:
            session.add(row)
            session.flush()
            return _subscription(row)

    def get_subscription(self, subscription_id: int) -> Subscription | None:
        with self._reading() as session:
            row = session.get(SubscriptionRow, subscription_id)
            return _subscription(row) if row else None

    def list_subscriptions(self, channel: ChannelRef | None = None) -> list[Subscription]:
        query = select(SubscriptionRow).order_by(SubscriptionRow.id)
        if channel is not None:
            query = query.filter_by(**_channel_columns(channel))
        with self._reading() as session:
            return [_subscription(row) for row in session.scalars(query)]

    def remove_subscription(self, subscription_id: int) -> bool:
        with self._writing() as session:
            row = session.get(SubscriptionRow, subscription_id)
            if row is None:
                return False
            session.delete(row)
            return True

    def set_paused(self, subscription_id: int, reason: str | None) -> None:
        with self._writing() as session:
            session.execute(update(SubscriptionRow).where(SubscriptionRow.id == subscription_id).values(paused=reason))

    # -- runs ------------------------------------------------------------------------

    def plan_run(self, run: DigestRun, cards: Sequence[Card]) -> DigestRun:
        """Record a run and its ledger rows (header + cards, all pending) in one transaction.

        Idempotent: when the key exists (a crash after planning, or a racing process),
        the stored run is returned unchanged and nothing is written.
        """
        now = _now()
        channel = _channel_columns(run.channel)
        pending = {**channel, "state": "pending", "message_id": None, "error": None, "updated_at": now}
        rows = [DeliveryRow(run_key=run.key, position=HEADER, arxiv_id="", version=0, score=0.0, card=None, **pending)]
        rows += [
            DeliveryRow(
                **pending,
                run_key=run.key,
                position=card.rank,
                arxiv_id=card.paper.arxiv_id,
                version=card.paper.version,
                score=card.score,
                card={
                    "headline": card.text.headline,
                    "bullets": list(card.text.bullets),
                    "comment": card.text.comment,
                    "language": card.text.language,
                    "summarizer": card.text.summarizer,
                },
            )
            for card in cards
        ]
        with contextlib.suppress(IntegrityError), self._writing() as session:
            session.add(
                RunRow(
                    key=run.key,
                    subscription_id=run.subscription_id,
                    **channel,
                    topic=run.topic,
                    language=run.language,
                    window_start=run.window.start,
                    window_end=run.window.end,
                    tz=run.window.tz,
                    candidates=run.candidates,
                    state="delivering",
                    error=None,
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            session.add_all(rows)
        stored = self.get_run(run.key)
        assert stored is not None
        return stored

    def get_run(self, key: str) -> DigestRun | None:
        with self._reading() as session:
            row = session.get(RunRow, key)
            return _run(row) if row else None

    def runs(self, *, subscription_id: int | None = None, states: Sequence[str] = ()) -> list[DigestRun]:
        """Runs, oldest first, optionally of one subscription and in some states."""
        query = select(RunRow).order_by(RunRow.created_at, RunRow.key)
        if subscription_id is not None:
            query = query.where(RunRow.subscription_id == subscription_id)
        if states:
            query = query.where(RunRow.state.in_(states))
        with self._reading() as session:
            return [_run(row) for row in session.scalars(query)]

    def finish_run(self, key: str, state: str, error: str | None = None) -> None:
        with self._writing() as session:
            row = session.get(RunRow, key)
            if row is None:
                raise KeyError(key)
            row.state, row.error, row.updated_at = state, error, _now()
            if state == "failed":
                row.attempts += 1

    # -- ledger ----------------------------------------------------------------------

    def deliveries(self, run_key: str) -> list[Delivery]:
        query = select(DeliveryRow).where(DeliveryRow.run_key == run_key).order_by(DeliveryRow.position)
        with self._reading() as session:
            return [_delivery(row) for row in session.scalars(query)]

    def mark(
        self, run_key: str, position: int, state: str, *, message_id: str | None = None, error: str | None = None
    ) -> None:
        if state not in STATES:
            raise ValueError(f"unknown delivery state {state!r}")
        # One prepared UPDATE, no ORM session and no read first: a digest to many
        # channels makes two marks per post, and they dominated its CPU time.
        params = {"k": run_key, "p": position, "state": state, "error": error, "at": _now(), "message_id": message_id}
        with self._writing_core() as connection:
            if connection.execute(_MARK, params).rowcount != 1:
                raise KeyError((run_key, position))

    def delivery_of_message(self, channel: ChannelRef, message_id: str) -> Delivery | None:
        """The card delivered as ``message_id`` in ``channel`` (a thread's parent), if any."""
        query = (
            select(DeliveryRow)
            .filter_by(**_channel_columns(channel), message_id=message_id, state="sent")
            .where(DeliveryRow.position != HEADER)
        )
        with self._reading() as session:
            row = session.scalars(query).first()
            return _delivery(row) if row else None

    def papers_in_channel(self, channel: ChannelRef) -> set[str]:
        """arXiv ids the channel got, or was promised, by any run: never planned again."""
        query = select(DeliveryRow.arxiv_id).filter_by(**_channel_columns(channel)).where(DeliveryRow.position != HEADER)
        with self._reading() as session:
            return set(session.scalars(query))


    # -- events ----------------------------------------------------------------------

    def claim_event(self, platform: str, event_id: str) -> bool:
        """True the first time an event id is seen: a redelivery gets False and is ignored."""
        try:
            with self._writing() as session:
                session.add(HandledEventRow(platform=platform, event_id=event_id, handled_at=_now()))
        except IntegrityError:
            return False
        return True
