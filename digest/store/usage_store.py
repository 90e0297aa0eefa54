"""LLM tokens per account and month, and the one budget notice per subscription and month.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions). Each
completion adds to its account's row with one ``INSERT .. ON CONFLICT DO UPDATE``
(``tokens = tokens + n``), so processes sharing the database never lose a count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, func, select

from digest.llm.usage import Account
from digest.models import ChannelRef
from digest.store.ledger_rows import channel_columns, dialect_insert
from digest.store.usage_tables import BudgetNoticeRow, UsageRow


@dataclass(frozen=True)
class Usage:
    """Tokens one account used in a month."""

    subscription_id: int  # NO_SUBSCRIPTION (0): the channel's own (paper cards, answers there)
    channel: ChannelRef
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def _usage(row: Any) -> Usage:
    return Usage(
        row.subscription_id, ChannelRef(row.platform, row.workspace_id, row.channel_id),
        row.prompt_tokens, row.completion_tokens, row.calls,
    )  # fmt: skip


class UsageStoreMixin:
    _reading: Any
    _writing: Any
    _dialect: str

    def record_usage(self, account: Account, month: str, prompt_tokens: int, completion_tokens: int) -> None:
        """Add one completion's tokens to ``account``'s ``month`` (``YYYY-MM``, UTC)."""
        insert = dialect_insert(self._dialect)
        values = {
            "month": month, **channel_columns(account.channel), "subscription_id": account.subscription_id,
            "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "calls": 1,
            "updated_at": datetime.now(timezone.utc),
        }  # fmt: skip
        stmt = insert(UsageRow).values(**values)
        t = UsageRow.__table__.c
        stmt = stmt.on_conflict_do_update(
            index_elements=["month", "platform", "workspace_id", "channel_id", "subscription_id"],
            set_={
                "prompt_tokens": t.prompt_tokens + stmt.excluded.prompt_tokens,
                "completion_tokens": t.completion_tokens + stmt.excluded.completion_tokens,
                "calls": t.calls + 1,
                "updated_at": stmt.excluded.updated_at,
            },
        )
        with self._writing() as session:
            session.execute(stmt)

    def subscription_tokens(self, subscription_id: int, month: str) -> int:
        """Prompt plus completion tokens charged to ``subscription_id`` in ``month``."""
        query = select(func.coalesce(func.sum(UsageRow.prompt_tokens + UsageRow.completion_tokens), 0)).where(
            UsageRow.month == month, UsageRow.subscription_id == subscription_id
        )
        with self._reading() as session:
            return int(session.scalar(query) or 0)

    def usage_of(self, month: str, channel: ChannelRef | None = None) -> list[Usage]:
        """Every account's usage in ``month`` (only ``channel``'s when given), by channel then subscription."""
        query = select(UsageRow).where(UsageRow.month == month)
        if channel is not None:
            query = query.filter_by(**channel_columns(channel))
        query = query.order_by(UsageRow.platform, UsageRow.workspace_id, UsageRow.channel_id, UsageRow.subscription_id)
        with self._reading() as session:
            return [_usage(row) for row in session.scalars(query)]

    def usage_by_subscription(self, month: str, subscription_ids: Sequence[int]) -> dict[int, Usage]:
        """``usage_of`` for these subscriptions (those with no tokens left out)."""
        query = select(UsageRow).where(UsageRow.month == month, UsageRow.subscription_id.in_(list(subscription_ids)))
        with self._reading() as session:
            return {row.subscription_id: _usage(row) for row in session.scalars(query)}

    def claim_budget_notice(self, subscription_id: int, month: str) -> bool:
        """True for the first caller of a subscription and month: it tells the channel."""
        insert = dialect_insert(self._dialect)
        stmt = insert(BudgetNoticeRow).values(
            subscription_id=subscription_id, month=month, claimed_at=datetime.now(timezone.utc)
        ).on_conflict_do_nothing().returning(BudgetNoticeRow.subscription_id)
        with self._writing() as session:  # RETURNING: rowcount is not reliable across drivers
            return session.execute(stmt).first() is not None

    def release_budget_notice(self, subscription_id: int, month: str) -> None:
        """The notice could not be posted: the next card over budget tries again."""
        with self._writing() as session:
            session.execute(delete(BudgetNoticeRow).where(
                BudgetNoticeRow.subscription_id == subscription_id, BudgetNoticeRow.month == month))
