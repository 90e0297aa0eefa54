"""Scheduled digests that could not even be built (arXiv down): their tries, kept in the store.

A mixin of ``Store``. Such a digest has no run yet: its tries, next try and channel
notice are a ``digest_failures`` row (``PlanFailure``) until it is planned, so that the
backoff and the giving up survive a restart, and ``digest-bot status`` shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from digest.store.tables import DigestFailureRow, SubscriptionRow


@dataclass(frozen=True)
class PlanFailure:
    """A scheduled digest that could not be built (arXiv down): no run row yet, only this."""

    subscription_id: int
    due_at: datetime  # the weekly instant whose digest keeps failing
    attempts: int
    error: str
    first_failed_at: datetime
    retry_at: datetime | None  # None: given up (the next week's digest covers the gap)
    notice_id: str | None  # the message that told the channel, once posted


def _failure(row: DigestFailureRow) -> PlanFailure:
    return PlanFailure(
        row.subscription_id, row.due_at, row.attempts, row.error, row.first_failed_at, row.retry_at, row.notice_id
    )


class PlanFailuresMixin:
    _reading: Any
    _writing: Any

    def record_plan_failures(
        self,
        failures: Sequence[tuple[int, datetime, str]],
        now: datetime,
        retry_at: Callable[[int], datetime | None],
    ) -> list[PlanFailure]:
        """One more failed try at each (subscription id, due instant, error) digest, in one
        transaction: the same due instant counts on (attempts + 1), another starts over at
        1 with no notice posted. ``retry_at(attempts)`` is the next try (None: given up)."""
        if not failures:
            return []
        ids = [sub_id for sub_id, _, _ in failures]
        with self._writing() as session:
            query = select(DigestFailureRow).where(DigestFailureRow.subscription_id.in_(ids)).with_for_update()
            rows = {row.subscription_id: row for row in session.scalars(query)}
            for sub_id, due_at, error in failures:
                row = rows.get(sub_id)
                if row is None:
                    row = rows[sub_id] = DigestFailureRow(subscription_id=sub_id)
                    session.add(row)
                if row.due_at != due_at:
                    row.due_at, row.attempts, row.first_failed_at, row.notice_id = due_at, 0, now, None
                row.attempts += 1
                row.error, row.retry_at = error, retry_at(row.attempts)
            session.flush()
            return [_failure(rows[sub_id]) for sub_id in ids]

    def clear_plan_failures(self, subscription_ids: Collection[int]) -> list[PlanFailure]:
        """Forget the failures of these subscriptions (planned now, or removed); the
        failures there were, so that a channel told of one can be told it is over."""
        if not subscription_ids:
            return []
        where = DigestFailureRow.subscription_id.in_(subscription_ids)
        with self._reading() as session:  # mostly none: no write transaction for nothing
            if session.scalar(select(func.count()).select_from(DigestFailureRow).where(where)) == 0:
                return []
        with self._writing() as session:
            cleared = [_failure(row) for row in session.scalars(select(DigestFailureRow).where(where))]
            session.execute(delete(DigestFailureRow).where(where))
            return cleared

    def plan_failures(self, subscription_ids: Collection[int] | None = None) -> dict[int, PlanFailure]:
        """Subscription id -> its digest failing to be built, of all subscriptions or those named.

        A failure due before its subscription was created belongs to a removed one whose
        id was reused (SQLite): it is not this subscription's, and is left out.
        """
        query = select(DigestFailureRow).join(
            SubscriptionRow,
            (SubscriptionRow.id == DigestFailureRow.subscription_id)
            & (DigestFailureRow.due_at >= SubscriptionRow.created_at),
        )
        if subscription_ids is not None:
            query = query.where(DigestFailureRow.subscription_id.in_(subscription_ids))
        with self._reading() as session:
            return {row.subscription_id: _failure(row) for row in session.scalars(query)}

    def set_failure_notice(self, subscription_id: int, due_at: datetime, notice_id: str) -> None:
        """The message that told the channel of the failing digest owed for ``due_at``."""
        with self._writing() as session:
            session.execute(
                update(DigestFailureRow)
                .where(DigestFailureRow.subscription_id == subscription_id, DigestFailureRow.due_at == due_at)
                .values(notice_id=notice_id)
            )
