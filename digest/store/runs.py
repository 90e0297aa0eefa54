"""Digest runs as their rows hold them (``DigestRun``, the one read model), and their ending.

A mixin of ``Store``. A run's row is written whole when it is planned (``PlanningMixin``:
owner, due instant), handed between owners by ``OwnersMixin``, and ended here
(``finish_runs``: state, error, attempts and the next try at once). The scheduler keeps
nothing it needs across restarts in memory: "which week is still owed" is the latest
``due_at`` of a subscription's runs (its creation time before the first one), and "when
is a failed run retried" is its ``retry_at``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, String, and_, bindparam, func, or_, select, update

from digest.models import HEADER, DigestRun, Window
from digest.store.ledger_rows import digest_run, now
from digest.store.tables import DeliveryRow, RunRow, SubscriptionRow


@dataclass(frozen=True)
class LastDigest:
    """A subscription's latest done digest and how many cards it posted (its header aside)."""

    run: DigestRun  # run.updated_at: when it was done
    cards: int


@dataclass(frozen=True)
class RunEnd:
    """A run's ending, as ``finish_runs`` writes it."""

    key: str
    state: str  # "done" | "failed" (which counts an attempt)
    error: str | None = None
    owner: str | None = None  # given: written only while the run is still this owner's, at ``fence``
    fence: int = 0
    retry_at: datetime | None = None  # a failed scheduled run's next try; None: none (done, given up)


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
        retry_at=bindparam("retry_at"),  # the column's type: UTC, naive on SQLite
        owner=None,
    )
)
_RUN = select(*RunRow.__table__.columns)  # plain rows: no ORM objects for a read model


def _newest_runs(*where: Any) -> Select[Any]:
    """Each subscription's most recently created run among those matching ``where``."""
    newest = (
        select(RunRow.subscription_id, func.max(RunRow.created_at).label("created_at"))
        .where(*where)
        .group_by(RunRow.subscription_id)
        .subquery()
    )
    joined = (newest.c.subscription_id == RunRow.subscription_id) & (newest.c.created_at == RunRow.created_at)
    return _RUN.join(newest, joined).where(*where).order_by(RunRow.key)


class RunsMixin:
    _reading: Any
    _writing_core: Any

    def get_run(self, key: str) -> DigestRun | None:
        return self.get_runs([key]).get(key)

    def get_runs(self, keys: Sequence[str]) -> dict[str, DigestRun]:
        """The stored runs among ``keys``, in one query."""
        return self._runs(_RUN.where(RunRow.key.in_(keys))) if keys else {}

    def runs(self, *, subscription_id: int | None = None, states: Sequence[str] = ()) -> list[DigestRun]:
        """Runs, oldest first, optionally of one subscription and in some states."""
        query = _RUN.order_by(RunRow.created_at, RunRow.key)
        if subscription_id is not None:
            query = query.where(RunRow.subscription_id == subscription_id)
        if states:
            query = query.where(RunRow.state.in_(states))
        return list(self._runs(query).values())

    def scheduled_runs(self, *, states: Sequence[str] = (), subscription_id: int | None = None) -> list[DigestRun]:
        """Scheduled (not on-demand) runs, oldest due instant first."""
        query = _RUN.where(RunRow.due_at.is_not(None)).order_by(RunRow.due_at, RunRow.key)
        if states:
            query = query.where(RunRow.state.in_(states))
        if subscription_id is not None:
            query = query.where(RunRow.subscription_id == subscription_id)
        return list(self._runs(query).values())

    def latest_runs(self) -> dict[int, DigestRun]:
        """Each subscription's most recent run (scheduled or on demand), for `digest-bot status`."""
        return {run.subscription_id: run for run in self._runs(_newest_runs()).values()}

    def last_windows(self, subscription_ids: Collection[int]) -> dict[int, Window]:
        """The window of each subscription's latest done digest (none yet: absent), in one query."""
        query = _newest_runs(RunRow.state == "done", RunRow.subscription_id.in_(subscription_ids))
        return {run.subscription_id: run.window for run in self._runs(query).values()}

    def last_fired(self, subscription_ids: Collection[int] | None = None) -> dict[int, datetime]:
        """Each subscription's latest fired due instant, or its creation time if none yet.

        All subscriptions (or those named) in one query: a catch-up over thousands stays cheap.
        """
        latest = select(RunRow.subscription_id, func.max(RunRow.due_at).label("due_at")).where(
            RunRow.due_at.is_not(None)
        )
        query = select(SubscriptionRow.id, SubscriptionRow.created_at, SubscriptionRow.schedule_from)
        if subscription_ids is not None:
            latest = latest.where(RunRow.subscription_id.in_(subscription_ids))
            query = query.where(SubscriptionRow.id.in_(subscription_ids))
        newest = latest.group_by(RunRow.subscription_id).subquery()
        query = query.add_columns(newest.c.due_at).outerjoin(newest, newest.c.subscription_id == SubscriptionRow.id)
        with self._reading() as session:
            # max() keeps the column's type, so due_at comes back tz-aware UTC too. An edited
            # schedule counts from its edit: an instant of it already past is not owed.
            return {
                sub_id: max(due or created, moved) if moved else due or created
                for sub_id, created, moved, due in session.execute(query)
            }

    def last_digests(self, subscription_ids: Collection[int]) -> dict[int, LastDigest]:
        """Each subscription's latest done digest (scheduled or on demand; none yet: absent)
        and the cards it posted, in one query, for ``/arxiv list``."""
        cards = (
            select(func.count())
            .where(DeliveryRow.run_key == RunRow.key, DeliveryRow.position != HEADER, DeliveryRow.state == "sent")
            .correlate(RunRow)
            .scalar_subquery()
        )
        query = _newest_runs(RunRow.state == "done", RunRow.subscription_id.in_(subscription_ids))
        with self._reading() as session:
            rows = session.execute(query.add_columns(cards.label("cards")))
            return {row.subscription_id: LastDigest(digest_run(row), row.cards) for row in rows}

    def finish_runs(self, ends: Sequence[RunEnd]) -> dict[str, DigestRun]:
        """End runs, in one transaction, as a tick's digests end together; the runs as
        stored. An ending frees the run; one given an owner ends it only while the run is
        still that owner's (else the run is returned as the new owner has it).

        Raises ``KeyError`` (the first missing key) when a run does not exist.
        """
        at = now()
        params = [{"k": end.key, "state": end.state, "error": end.error, "at": at, "failed": int(end.state == "failed"),
                   "o": end.owner, "f": end.fence, "retry_at": end.retry_at} for end in ends]  # fmt: skip
        keys = [end.key for end in ends]
        with self._writing_core() as connection:
            connection.execute(_FINISH, params)
            finished = {row.key: digest_run(row) for row in connection.execute(_RUN.where(RunRow.key.in_(keys)))}
        if missing := [key for key in keys if key not in finished]:
            raise KeyError(missing[0])
        return finished

    def _runs(self, query: Select[Any]) -> dict[str, DigestRun]:
        with self._reading() as session:
            return {row.key: digest_run(row) for row in session.execute(query)}
