"""The scheduler's state in the store: which due instant each run was fired for, and retries.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions). The
scheduler keeps nothing it needs across restarts in memory: "which week is still owed"
is the latest ``due_at`` of a subscription's runs (its creation time before the first
one), and "when is a failed run retried" is its ``retry_at``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update

from digest.models import Window
from digest.store.tables import DeliveryRow, RunRow, SubscriptionRow

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

    def cut_off_on_demand(self, idle_since: datetime) -> list[RunTiming]:
        """On-demand runs (no due instant) still delivering whose ledger has not moved since
        ``idle_since``: the process that ran them is gone. Oldest first."""
        moved = (
            select(DeliveryRow.run_key, func.max(DeliveryRow.updated_at).label("moved"))
            .group_by(DeliveryRow.run_key)
            .subquery()
        )
        query = (
            select(RunRow)
            .join(moved, moved.c.run_key == RunRow.key)
            .where(RunRow.due_at.is_(None), RunRow.state == "delivering", moved.c.moved < idle_since)
            .order_by(RunRow.created_at, RunRow.key)
        )
        with self._reading() as session:
            return [_timing(row) for row in session.scalars(query)]

    def latest_runs(self) -> dict[int, RunTiming]:
        """Each subscription's most recent run (scheduled or on demand), for `digest-bot status`."""
        with self._reading() as session:
            return {row.subscription_id: _timing(row) for row in session.scalars(_newest_runs())}
