"""Subscriptions: a channel's weekly digest of one topic, the truth the scheduler derives jobs from.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions). Adding
and editing take an optional ``check``, run inside the write transaction with the
channel locked (``lock_channel``), so that a rule over the channel's subscriptions (at
most so many, no topic twice: ``bot/subscriptions.py``) cannot be raced past.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from digest.models import ChannelRef, Subscription
from digest.store.channel_limits import ChannelLimitsMixin, lock_channel
from digest.store.ledger_rows import channel_columns, now, subscription
from digest.store.tables import DigestFailureRow, SubscriptionRow

# Called with the subscription edited (None when adding) and the channel's subscriptions
# as they are; raises to refuse, and nothing is written.
Check = Callable[[Subscription | None, list[Subscription]], None]
EDITABLE = ("topic", "weekday", "time", "tz", "language", "max_papers", "search_terms", "learn", "budget")
_SCHEDULE = ("weekday", "time", "tz")


class SubscriptionsMixin(ChannelLimitsMixin):
    _reading: Any
    _writing: Any
    _dialect: str

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
        check: Check | None = None,
    ) -> Subscription:
        """The new subscription; ``search_terms``: English terms searched instead of ``topic``;
        ``check``: raises to refuse it, given the channel's subscriptions (the channel locked)."""
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
            if check is not None:
                check(None, self._locked(session, channel))
            session.add(row)
            session.flush()
            return subscription(row)

    def update_subscription(
        self, subscription_id: int, *, check: Check | None = None, at: datetime | None = None, **changes: Any
    ) -> Subscription | None:
        """The subscription with ``changes`` (of ``EDITABLE``: ``time`` a ``datetime.time``,
        ``search_terms`` None for the topic itself) written; None when it does not exist.
        A change of day, time or zone counts weekly instants from ``at`` (default: now) on
        (``schedule_from``): one of the new schedule already past is not owed. Raises ``ValueError`` for a field
        that cannot be edited; ``check`` as for ``add_subscription``."""
        if unknown := set(changes) - set(EDITABLE):
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        with self._writing() as session:
            row = session.get(SubscriptionRow, subscription_id)
            if row is None:
                return None
            before = subscription(row)
            if check is not None:
                channel = self._locked(session, before.channel)
                check(before, channel)
            if any(changes[key] != getattr(before, key) for key in _SCHEDULE if key in changes):
                row.schedule_from = at or now()
            for key, value in changes.items():
                if key == "time":
                    row.local_time = value.strftime("%H:%M")
                else:
                    setattr(row, key, value)
            session.flush()
            return subscription(row)

    def _locked(self, session: Session, channel: ChannelRef) -> list[Subscription]:
        lock_channel(session, self._dialect, channel)
        query = select(SubscriptionRow).filter_by(**channel_columns(channel)).order_by(SubscriptionRow.id)
        return [subscription(row) for row in session.scalars(query)]

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

    def set_paused(self, subscription_id: int, reason: str | None, by: str | None = None) -> None:
        """Pause (``reason``: why, in words) or resume (None) a subscription. ``by``: the user
        who paused it; None: the bot itself (its reason: what to fix, e.g. a permission)."""
        values = {"paused": reason, "paused_by": by if reason is not None else None}
        with self._writing() as session:
            session.execute(update(SubscriptionRow).where(SubscriptionRow.id == subscription_id).values(**values))
