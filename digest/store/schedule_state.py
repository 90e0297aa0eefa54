"""The scheduler's state in the store: which due instant each run was fired for, and retries.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions). The
scheduler keeps nothing it needs across restarts in memory: "which week is still owed"
is the latest ``due_at`` of a subscription's runs (its creation time before the first
one), and "when is a failed run retried" is its ``retry_at``. A digest that could not
even be built (arXiv down) has no run: its tries, next try and channel notice are a
``digest_failures`` row until it is planned (``PlanFailure``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, select, update

from digest.models import Window
from digest.store.tables import DigestFailureRow, RunRow, SubscriptionRow

_RECORD_DUE = update(RunRow).where(RunRow.key == bindparam("k")).values(due_at=bindparam("due"))


@dataclass(frozen=True)
class RunTiming:
    """A digest run as the scheduler sees it."""

    key: str
    subscription_id: int
    state: str  # "delivering" | "done" | "failed"
    attempts: int  # failed delivery attempts so far
    error: str | None
    due_at: datetime | None  # the weekly instant it was fired for; None: an on-demand run
    retry_at: datetime | None  # when a failed run is tried again; None: not waiting
    updated_at: datetime


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


def _timing(row: RunRow) -> RunTiming:
    return RunTiming(
        row.key, row.subscription_id, row.state, row.attempts, row.error, row.due_at, row.retry_at, row.updated_at
    )


def _newest_runs(*where: Any) -> Select[tuple[RunRow]]:
    """Each subscription's most recently created run among those matching ``where``."""
    newest = (
        select(RunRow.subscription_id, func.max(RunRow.created_at).label("created_at"))
        .where(*where)
        .group_by(RunRow.subscription_id)
        .subquery()
    )
    joined = (newest.c.subscription_id == RunRow.subscription_id) & (newest.c.created_at == RunRow.created_at)
    return select(RunRow).join(newest, joined).where(*where).order_by(RunRow.key)


class ScheduleStateMixin:
    _reading: Any
    _writing: Any
    _writing_core: Any

    def record_dues(self, dues: Sequence[tuple[str, datetime]]) -> None:
        """Mark each run (key, due instant) as the digest fired for that weekly instant."""
        if dues:
            with self._writing_core() as connection:
                connection.execute(_RECORD_DUE, [{"k": key, "due": due_at} for key, due_at in dues])

    def last_windows(self, subscription_ids: Collection[int]) -> dict[int, Window]:
        """The window of each subscription's latest done digest (none yet: absent), in one query."""
        query = _newest_runs(RunRow.state == "done", RunRow.subscription_id.in_(subscription_ids))
        with self._reading() as session:
            return {row.subscription_id: Window(row.window_start, row.window_end, row.tz) for row in session.scalars(query)}

    def set_retry(self, key: str, at: datetime | None) -> None:
        """When failed run ``key`` is tried again (None: it is not, done or given up)."""
        with self._writing() as session:
            session.execute(update(RunRow).where(RunRow.key == key).values(retry_at=at))

    def last_fired(self, subscription_ids: Collection[int] | None = None) -> dict[int, datetime]:
        """Each subscription's latest fired due instant, or its creation time if none yet.

        All subscriptions (or those named) in one query: a catch-up over thousands stays cheap.
        """
        latest = select(RunRow.subscription_id, func.max(RunRow.due_at).label("due_at")).where(
            RunRow.due_at.is_not(None)
        )
        query = select(SubscriptionRow.id, SubscriptionRow.created_at)
        if subscription_ids is not None:
            latest = latest.where(RunRow.subscription_id.in_(subscription_ids))
            query = query.where(SubscriptionRow.id.in_(subscription_ids))
        newest = latest.group_by(RunRow.subscription_id).subquery()
        query = query.add_columns(newest.c.due_at).outerjoin(newest, newest.c.subscription_id == SubscriptionRow.id)
        with self._reading() as session:
            # max() keeps the column's type, so due_at comes back tz-aware UTC too.
            return {sub_id: due or created for sub_id, created, due in session.execute(query)}

    def scheduled_runs(self, *, states: Sequence[str] = (), subscription_id: int | None = None) -> list[RunTiming]:
        """Scheduled (not on-demand) runs, oldest due instant first."""
        query = select(RunRow).where(RunRow.due_at.is_not(None)).order_by(RunRow.due_at, RunRow.key)
        if states:
            query = query.where(RunRow.state.in_(states))
        if subscription_id is not None:
            query = query.where(RunRow.subscription_id == subscription_id)
        with self._reading() as session:
            return [_timing(row) for row in session.scalars(query)]

    def latest_runs(self) -> dict[int, RunTiming]:
        """Each subscription's most recent run (scheduled or on demand), for `digest-bot status`."""
        with self._reading() as session:
            return {row.subscription_id: _timing(row) for row in session.scalars(_newest_runs())}

    # -- digests that could not be built ---------------------------------------------

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
