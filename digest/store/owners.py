"""Who delivers each run, which processes are alive, and pruning what is kept for a while.

A mixin of ``Store``. Every running process beats (``beat``) into ``instances``; a run
is owned by the process delivering it (``digest_runs.owner``) under a fence number.
Taking a run over (``take_over``) is one conditional UPDATE that bumps the fence, so of
two processes only one can win it, and every ledger mark of the loser fails from then on
(``LedgerMixin.mark_many``): it stops posting at its next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from digest.models import DigestRun
from digest.store.ledger import VERSION_NOTES
from digest.store.ledger_rows import digest_run, now
from digest.store.tables import HandledEventRow, InstanceRow, QueryRow, RunRow


@dataclass(frozen=True)
class Instance:
    """A process's last heartbeat."""

    id: str
    host: str
    pid: int
    seen_at: datetime


class OwnersMixin:
    _reading: Any
    _writing_core: Any
    _dialect: str

    def beat(self, instance_id: str, host: str, pid: int) -> None:
        """Record that ``instance_id`` is alive now (its first beat registers it)."""
        at = now()
        with self._writing_core() as connection:
            changed = connection.execute(update(InstanceRow).where(InstanceRow.id == instance_id).values(seen_at=at))
            if changed.rowcount == 0:
                connection.execute(
                    InstanceRow.__table__.insert().values(id=instance_id, host=host, pid=pid, started_at=at, seen_at=at)
                )

    def forget_instance(self, instance_id: str) -> None:
        """A process stopping cleanly: its runs are free to take at once."""
        with self._writing_core() as connection:
            connection.execute(delete(InstanceRow).where(InstanceRow.id == instance_id))

    def instances(self) -> dict[str, Instance]:
        with self._reading() as session:
            rows = session.execute(select(InstanceRow.id, InstanceRow.host, InstanceRow.pid, InstanceRow.seen_at))
            return {r.id: Instance(r.id, r.host, r.pid, r.seen_at) for r in rows}

    def runs_in_flight(self) -> list[DigestRun]:
        """Runs still being delivered (or left so by a process that died), oldest first."""
        query = select(*RunRow.__table__.columns).where(RunRow.state == "delivering").order_by(RunRow.created_at, RunRow.key)
        with self._reading() as session:
            return [digest_run(row) for row in session.execute(query)]

    def idle_runs_of(self, owner: str, before: datetime) -> list[DigestRun]:
        """Runs ``owner`` holds, still delivering, untouched since ``before``: the owner is
        alive but may have stopped delivering them (a database error at their ending)."""
        query = (
            select(*RunRow.__table__.columns)
            .where(RunRow.state == "delivering", RunRow.owner == owner, RunRow.updated_at < before)
            .order_by(RunRow.created_at, RunRow.key)
        )
        with self._reading() as session:
            return [digest_run(row) for row in session.execute(query)]

    def take_over(self, key: str, owner: str, fence: int) -> DigestRun | None:
        """Make ``owner`` the run's deliverer, if its fence is still ``fence`` (nobody took
        it meanwhile); the run with its new fence, or None when another process won it."""
        with self._writing_core() as connection:
            won = connection.execute(
                update(RunRow)
                .where(RunRow.key == key, RunRow.fence == fence)
                .values(owner=owner, fence=RunRow.fence + 1, updated_at=now())
            )
            if won.rowcount != 1:
                return None
            row = connection.execute(select(*RunRow.__table__.columns).where(RunRow.key == key)).one()
            return digest_run(row)

    def prune(self, *, events_before: datetime, queries_before: datetime, instances_before: datetime) -> dict[str, int]:
        """Delete what is only kept for a while: handled event ids (a platform redelivers
        within minutes; version notes' claims stay), arXiv answers older than their cache
        life, heartbeats of processes long gone. Rows deleted, per table."""
        with self._writing_core() as connection:
            return {
                "handled_events": connection.execute(
                    delete(HandledEventRow).where(
                        HandledEventRow.handled_at < events_before, HandledEventRow.platform != VERSION_NOTES
                    )
                ).rowcount,
                "arxiv_queries": connection.execute(delete(QueryRow).where(QueryRow.fetched_at < queries_before)).rowcount,
                "instances": connection.execute(delete(InstanceRow).where(InstanceRow.seen_at < instances_before)).rowcount,
            }

    def release(self, key: str, owner: str, fence: int) -> bool:
        """Give the run up (a process stopping mid-delivery): another may take it at once."""
        with self._writing_core() as connection:
            freed = connection.execute(
                update(RunRow).where(RunRow.key == key, RunRow.owner == owner, RunRow.fence == fence).values(owner=None)
            )
            return freed.rowcount == 1
