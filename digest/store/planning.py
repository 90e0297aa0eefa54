"""Planning runs: each run's row, its ledger rows and its channel's claims on papers, at once.

A mixin of ``Store``. A run is planned before anything is sent, in one transaction (many
runs at once: a tick's): its ``digest_runs`` row as the run will be delivered (owner,
due instant), its header and card rows all pending, and a claim per paper for its
channel (``channel_papers``, one row per channel and paper), so that a channel gets a
paper once, whatever plans it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from digest.models import HEADER, PAPER_TOPIC, ChannelRef, DigestRun, Held, MessageRef
from digest.store.ledger_rows import Ranked, channel_columns, dialect_insert, ledger_rows, now, run_row
from digest.store.tables import ChannelPaperRow, DeliveryRow, RunRow, SubscriptionRow


POSTED_BATCH = 500  # arXiv ids per query of ``posted_cards``: far under every dialect's bound


@dataclass(frozen=True)
class PostedCard:
    """A paper's card as a channel got it: its message, the version shown, and the language
    and time zone of the subscription that posted it (its run's, when it has none now)."""

    card: MessageRef
    arxiv_id: str
    version: int
    language: str
    tz: str


class PlanningMixin:
    _reading: Any
    _writing_core: Any
    get_runs: Any  # RunsMixin

    def plan_runs(
        self,
        planned: Sequence[tuple[DigestRun, Sequence[Ranked]]],
        wanted: Mapping[str, int] | None = None,
    ) -> tuple[dict[str, DigestRun], dict[str, list[Ranked]]]:
        """Record runs and their ledger rows (header + cards, all pending) in one
        transaction, before anything is sent; idempotent: a key that exists already (a
        crash after planning, a racing process) is left as it is.

        A run's papers come in rank order (their card texts are written at delivery).
        Each paper is claimed for the run's channel: one the channel holds already, or
        that another run claims first (in this call or in a racing process), is skipped,
        and the next ranked one taken, up to ``wanted[run.key]`` papers (default: all it is given).
        The run's ``skipped`` counts those left out. Returns the runs as stored, and for
        each key this call wrote (the others existed) the papers it planned, in order."""
        written: dict[str, tuple[DigestRun, list[Ranked]]] = {}
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
        self, planned: Sequence[tuple[DigestRun, Sequence[Ranked]]], wanted: Mapping[str, int]
    ) -> dict[str, tuple[DigestRun, list[Ranked]]]:
        with self._writing_core() as connection:
            keys = [run.key for run, _ in planned]
            taken = set(connection.scalars(select(RunRow.key).where(RunRow.key.in_(keys)))) if keys else set()
            fresh = [(run, items) for run, items in planned if run.key not in taken]
            if not fresh:
                return {}
            at = now()
            chosen = _claim(connection, [(run, items, wanted.get(run.key, len(items))) for run, items in fresh], at)
            runs = [replace(run, state="delivering", error=None, attempts=0, skipped=skipped, retry_at=None, updated_at=at)
                    for (run, _), (_, skipped) in zip(fresh, chosen)]  # fmt: skip
            connection.execute(insert(RunRow), [run_row(run, at) for run in runs])
            rows = [row for run, (items, _) in zip(runs, chosen) for row in ledger_rows(run, items, at)]
            if rows:  # runs with no new papers have none
                connection.execute(insert(DeliveryRow), rows)
        return {run.key: (run, items) for run, (items, _) in zip(runs, chosen)}

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

    def posted_cards(self, arxiv_ids: Iterable[str]) -> list[PostedCard]:
        """Every card of ``arxiv_ids`` (without version) sent to a channel with its message
        id, one per channel and paper at most (the channel's claim): a query per
        ``POSTED_BATCH`` ids, through the claims' index on the arXiv id."""
        ids = sorted(set(arxiv_ids))
        card = (
            (DeliveryRow.run_key == ChannelPaperRow.run_key)
            & (DeliveryRow.arxiv_id == ChannelPaperRow.arxiv_id)
            & (DeliveryRow.position != HEADER)
        )
        query = (
            select(ChannelPaperRow.platform, ChannelPaperRow.workspace_id, ChannelPaperRow.channel_id,
                   ChannelPaperRow.arxiv_id, DeliveryRow.version, DeliveryRow.message_id,
                   func.coalesce(SubscriptionRow.language, RunRow.language).label("language"),
                   func.coalesce(SubscriptionRow.tz, RunRow.tz).label("tz"))  # fmt: skip
            .select_from(ChannelPaperRow)
            .join(DeliveryRow, card)
            .join(RunRow, RunRow.key == ChannelPaperRow.run_key)
            .outerjoin(SubscriptionRow, SubscriptionRow.id == RunRow.subscription_id)
            .where(DeliveryRow.state == "sent", DeliveryRow.message_id.is_not(None))
        )
        found: list[PostedCard] = []
        with self._reading() as session:
            for start in range(0, len(ids), POSTED_BATCH):
                rows = session.execute(query.where(ChannelPaperRow.arxiv_id.in_(ids[start : start + POSTED_BATCH])))
                found += [
                    PostedCard(MessageRef(ChannelRef(r.platform, r.workspace_id, r.channel_id), r.message_id),
                               r.arxiv_id, r.version, r.language, r.tz)  # fmt: skip
                    for r in rows
                ]
        return found


def _claim(
    connection: Any, plans: Sequence[tuple[DigestRun, Sequence[Ranked], int]], at: datetime
) -> list[tuple[list[Ranked], int]]:
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
    chosen: list[list[Ranked]] = [[] for _ in plans]
    while True:
        asked: list[tuple[int, Ranked]] = []
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


@functools.lru_cache(maxsize=None)
def _claims(dialect: str) -> Any:
    """INSERT a claim unless the channel holds the paper, RETURNING it when written."""
    statement = dialect_insert(dialect)(ChannelPaperRow).on_conflict_do_nothing()
    return statement.returning(ChannelPaperRow.run_key, ChannelPaperRow.arxiv_id)
