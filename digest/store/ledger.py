"""Subscriptions, digest runs and the delivery ledger: the store's part of delivery.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions).
The ledger is written before anything is sent: a run's rows are planned in one
transaction (many runs at once: ``plan_runs``), then each row moves pending ->
sending -> sent (or failed/unknown), each move committed before the delivery goes
on, so a crash at any point leaves a state the next start can finish from.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import time
from typing import Any

from sqlalchemy import JSON, Integer, String, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from digest.models import HEADER, Card, CardText, ChannelRef, Delivery, DigestRun, Subscription
from digest.store.ledger_rows import DELIVERY_COLUMNS, card_json, channel_columns, delivery, digest_run, ledger_rows, now, run_row, subscription
from digest.ranking import Scored
from digest.store.tables import DeliveryRow, HandledEventRow, RunRow, SubscriptionRow

STATES = ("pending", "sending", "sent", "failed", "unknown")


@dataclass(frozen=True)
class Mark:
    """One ledger row's move to ``state``: what ``mark_many`` writes."""

    run_key: str
    position: int
    state: str
    message_id: str | None = None  # None keeps the one recorded before
    error: str | None = None
    card: CardText | None = None  # the card's text, written just before it is sent; None keeps it


_FINISH = (
    update(RunRow)
    .where(RunRow.key == bindparam("k"))
    .values(
        state=bindparam("state"),
        error=bindparam("error"),
        updated_at=bindparam("at"),
        attempts=RunRow.attempts + bindparam("failed", type_=Integer),
    )
)
_MARK = (
    update(DeliveryRow)
    .where(DeliveryRow.run_key == bindparam("k"), DeliveryRow.position == bindparam("p"))
    .values(
        state=bindparam("state"),
        error=bindparam("error"),
        updated_at=bindparam("at"),
        # A mark without a message id (or a card) keeps the one recorded before.
        message_id=func.coalesce(bindparam("message_id", type_=String), DeliveryRow.message_id),
        card=func.coalesce(bindparam("card", type_=JSON(none_as_null=True)), DeliveryRow.card),
    )
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
            **channel_columns(channel),
            topic=topic,
            weekday=weekday,
            local_time=at.strftime("%H:%M"),
            tz=tz,
            language=language,
            max_papers=max_papers,
            created_by=created_by,
            created_at=now(),
            paused=None,
        )
        with self._writing() as session:
            session.add(row)
            session.flush()
            return subscription(row)

    def get_subscription(self, subscription_id: int) -> Subscription | None:
        with self._reading() as session:
            row = session.get(SubscriptionRow, subscription_id)
            return subscription(row) if row else None

    def get_subscriptions(self, subscription_ids: Sequence[int]) -> dict[int, Subscription]:
        """The subscriptions among ``subscription_ids`` that exist, in one query."""
        query = select(SubscriptionRow).where(SubscriptionRow.id.in_(subscription_ids))
        with self._reading() as session:
            return {row.id: subscription(row) for row in session.scalars(query)}

    def list_subscriptions(self, channel: ChannelRef | None = None) -> list[Subscription]:
        query = select(SubscriptionRow).order_by(SubscriptionRow.id)
        if channel is not None:
            query = query.filter_by(**channel_columns(channel))
        with self._reading() as session:
            return [subscription(row) for row in session.scalars(query)]

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

    def plan_runs(
        self, planned: Sequence[tuple[DigestRun, Sequence[Card | Scored]]]
    ) -> tuple[dict[str, DigestRun], set[str]]:
        """Record runs and their ledger rows (header + cards, all pending) in one
        transaction, before anything is sent; idempotent: a key that exists already (a
        crash after planning, a racing process) is left as it is. A run's papers come
        in rank order, as cards or as ranked papers whose text is written at delivery.
        Returns the runs as stored, and the keys this call wrote (the others existed)."""
        written: dict[str, DigestRun] = {}
        try:
            written = self._insert_plans(planned)
        except IntegrityError:  # a racing process (PostgreSQL) planned one first: each alone
            for one in planned if len(planned) > 1 else ():
                with contextlib.suppress(IntegrityError):
                    written.update(self._insert_plans([one]))
        # What was written is known; only runs planned before (or elsewhere) are read.
        return {**self.get_runs([run.key for run, _ in planned if run.key not in written]), **written}, set(written)

    def _insert_plans(self, planned: Sequence[tuple[DigestRun, Sequence[Card | Scored]]]) -> dict[str, DigestRun]:
        with self._writing_core() as connection:
            keys = [run.key for run, _ in planned]
            taken = set(connection.scalars(select(RunRow.key).where(RunRow.key.in_(keys)))) if keys else set()
            fresh = [(run, cards) for run, cards in planned if run.key not in taken]
            if fresh:
                at = now()
                connection.execute(insert(RunRow), [run_row(run, at) for run, _ in fresh])
                rows = [row for run, cards in fresh for row in ledger_rows(run, cards, at)]
                connection.execute(insert(DeliveryRow), rows)
        return {run.key: replace(run, state="delivering", error=None, attempts=0) for run, _ in fresh}

    def get_run(self, key: str) -> DigestRun | None:
        with self._reading() as session:
            row = session.get(RunRow, key)
            return digest_run(row) if row else None

    def get_runs(self, keys: Sequence[str]) -> dict[str, DigestRun]:
        """The stored runs among ``keys``, in one query."""
        if not keys:
            return {}
        with self._reading() as session:
            return {row.key: digest_run(row) for row in session.scalars(select(RunRow).where(RunRow.key.in_(keys)))}

    def runs(self, *, subscription_id: int | None = None, states: Sequence[str] = ()) -> list[DigestRun]:
        """Runs, oldest first, optionally of one subscription and in some states."""
        query = select(RunRow).order_by(RunRow.created_at, RunRow.key)
        if subscription_id is not None:
            query = query.where(RunRow.subscription_id == subscription_id)
        if states:
            query = query.where(RunRow.state.in_(states))
        with self._reading() as session:
            return [digest_run(row) for row in session.scalars(query)]

    def finish_runs(self, ends: Sequence[tuple[str, str, str | None]]) -> dict[str, DigestRun]:
        """End runs as (key, state, error): "done" or "failed" (which counts an attempt),
        in one transaction, as a tick's digests end together; the runs as stored."""
        at = now()
        params = [{"k": key, "state": state, "error": error, "at": at, "failed": int(state == "failed")}
                  for key, state, error in ends]  # fmt: skip
        keys = [key for key, _, _ in ends]
        with self._writing_core() as connection:
            connection.execute(_FINISH, params)
            rows = connection.execute(select(*RunRow.__table__.columns).where(RunRow.key.in_(keys)))
            finished = {row.key: digest_run(row) for row in rows}
        if missing := [key for key in keys if key not in finished]:
            raise KeyError(missing[0])
        return finished

    # -- ledger ----------------------------------------------------------------------

    def deliveries(self, run_key: str) -> list[Delivery]:
        return self.deliveries_of([run_key]).get(run_key, [])

    def deliveries_of(self, run_keys: Sequence[str]) -> dict[str, list[Delivery]]:
        """Each run's ledger rows in order, for many runs in one query."""
        # Plain rows, not ORM objects: a tick reads thousands right after planning them.
        query = (
            select(*(getattr(DeliveryRow, name) for name in DELIVERY_COLUMNS))
            .where(DeliveryRow.run_key.in_(run_keys))
            .order_by(DeliveryRow.run_key, DeliveryRow.position)
        )
        rows: dict[str, list[Delivery]] = {}
        with self._reading() as session:
            for row in session.execute(query):
                rows.setdefault(row.run_key, []).append(delivery(row))
        return rows

    def mark_many(self, marks: Sequence[Mark]) -> None:
        """Move ledger rows to new states, all in one transaction (all or none)."""
        if bad := {m.state for m in marks} - set(STATES):
            raise ValueError(f"unknown delivery state {sorted(bad)[0]!r}")
        # One prepared UPDATE, no ORM session and no read first: a digest to many
        # channels makes two marks per post, and they dominated its CPU time.
        at = now()
        params = [
            {"k": m.run_key, "p": m.position, "state": m.state, "error": m.error, "at": at,
             "message_id": m.message_id, "card": card_json(m.card) if m.card else None}  # fmt: skip
            for m in marks
        ]
        with self._writing_core() as connection:
            if len(params) > 1 and connection.dialect.supports_sane_multi_rowcount:
                if connection.execute(_MARK, params).rowcount != len(params):  # executemany
                    raise KeyError([(one["k"], one["p"]) for one in params])
                return
            for one in params:
                if connection.execute(_MARK, one).rowcount != 1:
                    raise KeyError((one["k"], one["p"]))

    def delivery_of_message(self, channel: ChannelRef, message_id: str) -> Delivery | None:
        """The card delivered as ``message_id`` in ``channel`` (a thread's parent), if any."""
        query = (
            select(DeliveryRow)
            .filter_by(**channel_columns(channel), message_id=message_id, state="sent")
            .where(DeliveryRow.position != HEADER)
        )
        with self._reading() as session:
            row = session.scalars(query).first()
            return delivery(row) if row else None

    def papers_in_channels(self, channels: Sequence[ChannelRef]) -> dict[ChannelRef, set[str]]:
        """The arXiv ids each channel got, or was promised, by any run: never planned again.
        One query per platform and workspace."""
        found: dict[ChannelRef, set[str]] = {channel: set() for channel in channels}
        groups: dict[tuple[str, str], set[str]] = {}
        for channel in found:
            groups.setdefault((channel.platform, channel.workspace_id), set()).add(channel.channel_id)
        with self._reading() as session:
            for (platform, workspace), ids in groups.items():
                query = select(DeliveryRow.channel_id, DeliveryRow.arxiv_id).where(
                    DeliveryRow.platform == platform,
                    DeliveryRow.workspace_id == workspace,
                    DeliveryRow.channel_id.in_(ids),
                    DeliveryRow.position != HEADER,
                )
                for channel_id, arxiv_id in session.execute(query):
                    found[ChannelRef(platform, workspace, channel_id)].add(arxiv_id)
        return found

    def claim_event(self, platform: str, event_id: str) -> bool:
        """True the first time an event id is seen: a redelivery gets False and is ignored."""
        try:
            with self._writing() as session:
                session.add(HandledEventRow(platform=platform, event_id=event_id, handled_at=now()))
        except IntegrityError:
            return False
        return True
