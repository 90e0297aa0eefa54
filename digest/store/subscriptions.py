"""Subscriptions: a channel's weekly digest of one topic, the truth the scheduler derives jobs from.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

from sqlalchemy import delete, select, update

from digest.models import ChannelRef, Subscription
from digest.store.ledger_rows import channel_columns, now, subscription
from digest.store.tables import DigestFailureRow, SubscriptionRow


class SubscriptionsMixin:
    _reading: Any
    _writing: Any

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
        search_terms: str | None = None,
    ) -> Subscription:
        """The new subscription; ``search_terms``: English terms searched instead of ``topic``."""
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
            search_terms=search_terms,
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
