"""The delivery ledger: one row per message of a run, moved pending -> sending -> sent.

A mixin of ``Store``. A run's rows are written pending when it is planned
(``PlanningMixin``); each then moves pending -> sending -> sent (or failed/unknown),
each move committed before the delivery goes on, so a crash at any point leaves a state
the next start can finish from. A mark of a run's owner is written only while the run
is still its (the fence): a process whose run was taken over stops at its next mark.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from digest.models import HEADER, CardText, ChannelRef, Delivery, Overview
from digest.store.ledger_rows import (
    DELIVERY_COLUMNS, card_json, card_sha, channel_columns, delivery, dialect_insert, now,
)  # fmt: skip
from digest.store.overview_store import RunOverviewRow
from digest.store.tables import CardTextRow, DeliveryRow, HandledEventRow, RunRow

STATES = ("pending", "sending", "sent", "failed", "unknown")
# ``claim_event``'s platform of version notes (digest/delivery/versions.py): their
# claims are kept for good (``prune`` spares them), so a note is never posted twice.
VERSION_NOTES = "version-note"
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
    overview: Overview | None = None  # a header's week at a glance, stored with the run once


class RunLost(Exception):
    """Another process took the run over (``Store.take_over``): this one must stop posting."""


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
            if glances := [{"run_key": m.run_key, "sentences": list(m.overview.sentences), "source": m.overview.source,
                            "created_at": at} for m in marks if m.overview is not None]:  # fmt: skip
                insert = dialect_insert(connection.dialect.name)(RunOverviewRow)
                connection.execute(insert.on_conflict_do_nothing(), glances)  # the first one stored stays
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

    def claim_event(self, platform: str, event_id: str) -> bool:
        """True the first time an event id is seen: a redelivery gets False and is ignored."""
        try:
            with self._writing() as session:
                session.add(HandledEventRow(platform=platform, event_id=event_id, handled_at=now()))
        except IntegrityError:
            return False
        return True


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
    return dialect_insert(dialect)(CardTextRow).on_conflict_do_nothing()
