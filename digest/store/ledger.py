"""Subscriptions, digest runs and the delivery ledger: the store's part of delivery.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions).
The ledger is written before anything is sent: a run's rows are planned in one
transaction (many runs at once: ``plan_runs``), then each row moves pending ->
sending -> sent (or failed/unknown), each move committed before the delivery goes
on, so a crash at any point leaves a state the next start can finish from.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from digest.models import HEADER, PAPER_TOPIC, Card, CardText, ChannelRef, Delivery, DigestRun, Held, Subscription
from digest.store.ledger_rows import (
    DELIVERY_COLUMNS,
    card_json,
    card_sha,
    channel_columns,
    delivery,
    digest_run,
    ledger_rows,
    now,
    run_row,
    subscription,
)
from digest.text.ranking import Scored
from digest.store.tables import (
    CardTextRow,
    ChannelPaperRow,
    DeliveryRow,
    DigestFailureRow,
    HandledEventRow,
    RunRow,
    SubscriptionRow,
)

STATES = ("pending", "sending", "sent", "failed", "unknown")
STORED_TEXTS_KEPT = 100_000  # shas of texts this store wrote, remembered to skip their INSERT


@dataclass(frozen=True)
class Mark:
    """One ledger row's move to ``state``: what ``mark_many`` writes."""

    run_key: str
    position: int
    state: str
    message_id: str | None = None  # None keeps the one recorded before
    error: str | None = None
    card: CardText | None = None  # the card's text, written just before it is sent; None keeps it
    owner: str | None = None  # with ``fence``: written only while the run is still this owner's
    fence: int = 0


class RunLost(Exception):
    """Another process took the run over (``Store.take_over``): this one must stop posting."""


# An ending frees the run (owner NULL); given an owner, only while the run is still its.
_FINISH = (
    update(RunRow)
    .where(
        RunRow.key == bindparam("k"),
        or_(
            bindparam("o", type_=String).is_(None),
            and_(RunRow.owner == bindparam("o", type_=String), RunRow.fence == bindparam("f", type_=Integer)),
        ),
    )
    .values(
        state=bindparam("state"),
        error=bindparam("error"),
        updated_at=bindparam("at"),
        attempts=RunRow.attempts + bindparam("failed", type_=Integer),
        owner=None,
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
        card_sha=func.coalesce(bindparam("card_sha", type_=String), DeliveryRow.card_sha),
    )
)
# The fencing check: a mark is written only while its run has the mark's owner and fence.
_MARK_FENCED = _MARK.where(
    exists().where(
        RunRow.key == bindparam("k"), RunRow.owner == bindparam("o"), RunRow.fence == bindparam("f", type_=Integer)
    )
)


class LedgerMixin:
    _reading: Any
    _writing: Any
    _writing_core: Any
    _stored_texts: set[str]  # shas of card texts this store committed (Store.__init__)

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
            # Its failed tries go with it (SQLite may reuse the id for a new subscription).
            session.execute(delete(DigestFailureRow).where(DigestFailureRow.subscription_id == subscription_id))
            return True

    def set_paused(self, subscription_id: int, reason: str | None) -> None:
        with self._writing() as session:
            session.execute(update(SubscriptionRow).where(SubscriptionRow.id == subscription_id).values(paused=reason))

    # -- runs ------------------------------------------------------------------------

    def plan_runs(
        self,
        planned: Sequence[tuple[DigestRun, Sequence[Card | Scored]]],
        wanted: Mapping[str, int] | None = None,
    ) -> tuple[dict[str, DigestRun], dict[str, list[Card | Scored]]]:
        """Record runs and their ledger rows (header + cards, all pending) in one
        transaction, before anything is sent; idempotent: a key that exists already (a
        crash after planning, a racing process) is left as it is.

        A run's papers come in rank order, as cards or as ranked papers whose text is
        written at delivery. Each paper is claimed for the run's channel (``channel_papers``,
        one row per channel and paper): one the channel holds already, or that another
        run claims first (in this call or in a racing process), is skipped, and the next
        ranked one taken, up to ``wanted[run.key]`` papers (default: all it is given).
        The run's ``skipped`` counts those left out. Returns the runs as stored, and for
        each key this call wrote (the others existed) the papers it planned, in order."""
        written: dict[str, tuple[DigestRun, list[Card | Scored]]] = {}
        try:
            written = self._insert_plans(planned, wanted or {})
        except IntegrityError:  # a racing process (PostgreSQL) planned one first: each alone
            for one in planned if len(planned) > 1 else ():
                with contextlib.suppress(IntegrityError):
                    written.update(self._insert_plans([one], wanted or {}))
        # What was written is known; only runs planned before (or elsewhere) are read.
        stored = self.get_runs([run.key for run, _ in planned if run.key not in written])
        stored.update((key, run) for key, (run, _) in written.items())
        return stored, {key: items for key, (_, items) in written.items()}

    def _insert_plans(
        self, planned: Sequence[tuple[DigestRun, Sequence[Card | Scored]]], wanted: Mapping[str, int]
    ) -> dict[str, tuple[DigestRun, list[Card | Scored]]]:
        with self._writing_core() as connection:
            keys = [run.key for run, _ in planned]
            taken = set(connection.scalars(select(RunRow.key).where(RunRow.key.in_(keys)))) if keys else set()
            fresh = [(run, items) for run, items in planned if run.key not in taken]
            if not fresh:
                return {}
            at = now()
            chosen = _claim(connection, [(run, items, wanted.get(run.key, len(items))) for run, items in fresh], at)
            runs = [replace(run, state="delivering", error=None, attempts=0, skipped=skipped)
                    for (run, _), (_, skipped) in zip(fresh, chosen)]  # fmt: skip
            connection.execute(insert(RunRow), [run_row(run, at) for run in runs])
            rows, texts = [], []
            for run, (items, _) in zip(runs, chosen):
                run_rows, run_texts = ledger_rows(run, items, at)
                rows += run_rows
                texts += run_texts
            if texts:
                connection.execute(_card_texts(connection.dialect.name), texts)
            if rows:  # runs with no new papers have none
                connection.execute(insert(DeliveryRow), rows)
        return {run.key: (run, items) for run, (items, _) in zip(runs, chosen)}

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

    def finish_runs(self, ends: Sequence[tuple[str, str, str | None] | tuple[str, str, str | None, str, int]]) -> dict[str, DigestRun]:
        """End runs as (key, state, error[, owner, fence]): "done" or "failed" (which counts
        an attempt), in one transaction, as a tick's digests end together; the runs as
        stored. An ending frees the run; one given an owner ends it only while the run is
        still that owner's (else the run is returned as the new owner has it)."""
        at = now()
        params = [{"k": end[0], "state": end[1], "error": end[2], "at": at, "failed": int(end[1] == "failed"),
                   "o": end[3] if len(end) > 3 else None, "f": end[4] if len(end) > 4 else 0}  # type: ignore[misc]
                  for end in ends]  # fmt: skip
        keys = [end[0] for end in ends]
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
        query = _LEDGER.where(DeliveryRow.run_key.in_(run_keys)).order_by(DeliveryRow.run_key, DeliveryRow.position)
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
        keyed = [_text_key(m.card) if m.card else None for m in marks]
        # A text this store wrote already needs no INSERT (most marks of a digest to many
        # channels carry a text another channel's mark stored a moment ago).
        stored = self._stored_texts
        texts = {key[0]: {"sha256": key[0], "card": key[1]} for key in keyed if key and key[0] not in stored}
        params = [
            {"k": m.run_key, "p": m.position, "state": m.state, "error": m.error, "at": at, "o": m.owner, "f": m.fence,
             "message_id": m.message_id, "card_sha": key[0] if key else None}  # fmt: skip
            for m, key in zip(marks, keyed)
        ]
        fenced = [one for one in params if one["o"] is not None]
        free = [one for one in params if one["o"] is None]
        with self._writing_core() as connection:
            if texts:  # the text first, once: the row refers to it
                connection.execute(_card_texts(connection.dialect.name), list(texts.values()))
            for statement, batch in ((_MARK_FENCED, fenced), (_MARK, free)):
                if len(batch) > 1 and connection.dialect.supports_sane_multi_rowcount:
                    if connection.execute(statement, batch).rowcount == len(batch):  # executemany
                        continue
                    raise RunLost if statement is _MARK_FENCED else KeyError([(one["k"], one["p"]) for one in batch])
                for one in batch:
                    if connection.execute(statement, one).rowcount != 1:
                        if statement is _MARK_FENCED:
                            raise RunLost(f"run {one['k']} is no longer this process's to deliver")
                        raise KeyError((one["k"], one["p"]))
        if len(stored) > STORED_TEXTS_KEPT:
            stored.clear()
        stored.update(texts)  # committed: known from now on

    def delivery_of_message(self, channel: ChannelRef, message_id: str) -> Delivery | None:
        """The card delivered as ``message_id`` in ``channel`` (a thread's parent), if any."""
        query = _LEDGER.filter_by(**channel_columns(channel), message_id=message_id, state="sent").where(
            DeliveryRow.position != HEADER
        )
        with self._reading() as session:
            row = session.execute(query).first()
            return delivery(row) if row else None

    def papers_held(self, channel: ChannelRef, arxiv_ids: Sequence[str]) -> set[str]:
        """Those of ``arxiv_ids`` the channel got, or was promised, by any run (one query)."""
        query = select(ChannelPaperRow.arxiv_id).filter_by(**channel_columns(channel)).where(
            ChannelPaperRow.arxiv_id.in_(arxiv_ids)
        )
        with self._reading() as session:
            return set(session.scalars(query))

    def where_held(self, channel: ChannelRef, arxiv_id: str) -> Held | None:
        """The channel's claim on ``arxiv_id`` (``channel_papers``) with its run's topic and card, one query."""
        card = (DeliveryRow.run_key == ChannelPaperRow.run_key) & (DeliveryRow.arxiv_id == ChannelPaperRow.arxiv_id)
        query = (
            select(ChannelPaperRow.run_key, ChannelPaperRow.claimed_at, RunRow.topic, DeliveryRow.state,
                   DeliveryRow.updated_at, DeliveryRow.message_id)  # fmt: skip
            .select_from(ChannelPaperRow)
            .outerjoin(RunRow, RunRow.key == ChannelPaperRow.run_key)
            .outerjoin(DeliveryRow, card & (DeliveryRow.position != HEADER))
            .where(
                ChannelPaperRow.platform == channel.platform,
                ChannelPaperRow.workspace_id == channel.workspace_id,
                ChannelPaperRow.channel_id == channel.channel_id,
                ChannelPaperRow.arxiv_id == arxiv_id,
            )
        )
        with self._reading() as session:
            row = session.execute(query).first()
        if row is None:
            return None
        state = row.state or "pending"
        at = row.updated_at if state == "sent" and row.updated_at else row.claimed_at
        return Held(row.run_key, row.topic or PAPER_TOPIC, state, at, row.message_id)

    def claim_event(self, platform: str, event_id: str) -> bool:
        """True the first time an event id is seen: a redelivery gets False and is ignored."""
        try:
            with self._writing() as session:
                session.add(HandledEventRow(platform=platform, event_id=event_id, handled_at=now()))
        except IntegrityError:
            return False
        return True


def _claim(
    connection: Any, plans: Sequence[tuple[DigestRun, Sequence[Card | Scored], int]], at: datetime
) -> list[tuple[list[Card | Scored], int]]:
    """Each plan's papers as claimed for its channel, and how many ranked ones were skipped.

    The claims already held are read in one query (bounded by the candidates, not by the
    channel's history), the first choices of every plan inserted in one statement that
    ignores conflicts and returns what it wrote; only a plan that lost a claim to a racing
    process goes round again, taking the next ranked papers.
    """
    ids = {item.paper.arxiv_id for _, items, _ in plans for item in items}
    channels = {run.channel for run, _, _ in plans}
    held: set[tuple[ChannelRef, str]] = set()
    if ids:
        rows = connection.execute(
            select(ChannelPaperRow.platform, ChannelPaperRow.workspace_id, ChannelPaperRow.channel_id, ChannelPaperRow.arxiv_id)
            .where(ChannelPaperRow.channel_id.in_({c.channel_id for c in channels}), ChannelPaperRow.arxiv_id.in_(ids))
        )
        held = {(ChannelRef(r.platform, r.workspace_id, r.channel_id), r.arxiv_id) for r in rows}
    cursors = [0] * len(plans)
    chosen: list[list[Card | Scored]] = [[] for _ in plans]
    while True:
        asked: list[tuple[int, Card | Scored]] = []
        for n, (run, items, want) in enumerate(plans):
            room = want - len(chosen[n])
            while room > 0 and cursors[n] < len(items):
                item = items[cursors[n]]
                cursors[n] += 1
                if (run.channel, item.paper.arxiv_id) not in held:
                    held.add((run.channel, item.paper.arxiv_id))  # a later plan of this channel skips it
                    asked.append((n, item))
                    room -= 1
        if not asked:
            break
        values = [{**channel_columns(plans[n][0].channel), "arxiv_id": item.paper.arxiv_id,
                   "run_key": plans[n][0].key, "claimed_at": at} for n, item in asked]  # fmt: skip
        # executemany of one cached statement (SQLAlchemy batches it as "insertmanyvalues").
        won = {(r.run_key, r.arxiv_id) for r in connection.execute(_claims(connection.dialect.name), values)}
        lost = False
        for n, item in asked:  # in rank order within each plan, as the cursor moved
            if (plans[n][0].key, item.paper.arxiv_id) in won:
                chosen[n].append(item)
            else:
                lost = True  # a racing process claimed it first: the next ranked one instead
        if not lost:
            break
    results = []
    for n, (_, items, want) in enumerate(plans):
        ids_in = {item.paper.arxiv_id for item in chosen[n]}
        # Ranked above the cut (or anywhere, when the digest came out short) but not in it.
        cut = cursors[n] if len(chosen[n]) >= want else len(items)
        results.append((chosen[n], sum(1 for i in items[:cut] if i.paper.arxiv_id not in ids_in)))
    return results


@functools.lru_cache(maxsize=4096)
def _text_key(text: CardText) -> tuple[str, dict[str, Any]]:
    """(sha256, JSON) of a card's text, worked out once per text however many marks carry it."""
    card = card_json(text)
    return card_sha(card), card


# A ledger row with its card's text, stored once in card_texts.
_LEDGER = select(*(getattr(DeliveryRow, name) for name in DELIVERY_COLUMNS), CardTextRow.card).outerjoin(
    CardTextRow, CardTextRow.sha256 == DeliveryRow.card_sha
)


@functools.lru_cache(maxsize=None)
def _card_texts(dialect: str) -> Any:
    """INSERT a card's text unless it is stored already (executemany)."""
    return _dialect_insert(dialect)(CardTextRow).on_conflict_do_nothing()


def _dialect_insert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


@functools.lru_cache(maxsize=None)
def _claims(dialect: str) -> Any:
    """INSERT a claim unless the channel holds the paper, RETURNING it when written."""
    statement = _dialect_insert(dialect)(ChannelPaperRow).on_conflict_do_nothing()
    return statement.returning(ChannelPaperRow.run_key, ChannelPaperRow.arxiv_id)
