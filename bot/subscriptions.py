"""The rules of a channel's subscriptions, in one platform-free place: the chat commands
(``bot/handlers.py``, ``bot/manage.py``) and the operator's command line
(``bot/cli_subscriptions.py``) both change subscriptions only through ``Subscriptions``.

- Who: the person who subscribed, and admins (Slack's admins and owners and
  ``slack.allowed_users``, Discord's Manage Channels; the operator), may edit, pause,
  resume or remove a subscription (``may_manage``).
- How many: a channel holds at most ``channels.max_subscriptions``; ``/arxiv now`` runs
  at most once per ``channels.now_every_minutes`` in a channel, kept in the store.
- No topic twice in a channel (``same_topic``: case, spacing, quotes and Unicode forms
  aside); an overlapping one is fine (the ledger posts a paper once per channel).
- A topic not in English is searched by English terms (given, or chosen once by the LLM).

The checks over a channel's subscriptions run inside the store's write transaction, the
channel locked (``Store.add_subscription(check=...)``), so two commands at once cannot
both slip past a limit. A refusal is a ``bot.manage_text.Refusal``; nothing is changed.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.command_text import REPLIES
from bot.manage_text import Refusal
from bot.options import BUDGET_DEFAULT, WEEKDAYS, Fields
from config.settings import ChannelSettings, DefaultsSettings
from digest.arxiv.translate import english_terms, in_english
from digest.llm.client import LLMClient
from digest.llm.usage import Account, charged_to
from digest.models import ChannelRef, Subscription
from digest.store import Store

log = logging.getLogger(__name__)

OPERATOR_ID = "operator"  # created_by / paused_by of what `digest-bot subscriptions` did
# Quotes people type around a topic or its words; none changes what it means here.
_QUOTES = "\"'`\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f\u00ab\u00bb"


class Who(Protocol):
    """Who asks: an ``Invocation`` of a chat command, or ``OPERATOR``."""

    @property
    def user_id(self) -> str: ...

    @property
    def is_admin(self) -> bool: ...


@dataclass(frozen=True)
class Operator:
    user_id: str = OPERATOR_ID
    is_admin: bool = True  # the operator runs the bot: they may manage any subscription


OPERATOR = Operator()


def may_manage(who: Who, sub: Subscription) -> bool:
    """Who may unsubscribe, pause, resume or edit ``sub``: whoever subscribed it, and admins."""
    return who.is_admin or who.user_id == sub.created_by


def same_topic(topic: str) -> str:
    """``topic`` as compared for duplicates: NFKC (full-width letters, ＝), case-folded, quotes
    and invisible format characters (zero-width spaces, BOM, direction marks) dropped,
    spacing collapsed. "Synthetic  Data" and '"synthetic data"' are the same topic."""
    text = unicodedata.normalize("NFKC", topic).casefold()
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    text = text.translate({ord(quote): " " for quote in _QUOTES})
    return " ".join(text.split())


def _local(moment: datetime, tz: str) -> str:
    return f"{moment.astimezone(ZoneInfo(tz)):%a %Y-%m-%d %H:%M %Z}"


@dataclass
class Subscriptions:
    """Every change to subscriptions; store calls run off the event loop."""

    store: Store
    defaults: DefaultsSettings
    channels: ChannelSettings = field(default_factory=ChannelSettings)
    llm: LLMClient | None = None  # chooses English search terms for a topic in another language
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)

    async def find(self, channel: ChannelRef, subscription_id: int) -> Subscription:
        """Subscription ``subscription_id`` of ``channel``; refuses another channel's."""
        sub = await asyncio.to_thread(self.store.get_subscription, subscription_id)
        if sub is None or sub.channel != channel:
            raise Refusal("not_here", catalog=REPLIES, id=subscription_id)
        return sub

    async def add(self, channel: ChannelRef, who: Who, fields: Fields) -> Subscription:
        """A new subscription of ``fields.topic`` (the rest: given, else the defaults)."""
        assert fields.topic is not None
        d = self.defaults
        with charged_to(Account(channel)):  # no subscription yet: the channel's own tokens
            terms = await self.search_terms(fields.topic, fields.terms)
        return await asyncio.to_thread(
            self.store.add_subscription,
            channel,
            fields.topic,
            weekday=fields.weekday if fields.weekday is not None else WEEKDAYS.index(d.weekday),
            at=fields.time or time.fromisoformat(d.time),
            tz=fields.tz or d.timezone,
            language=fields.language or d.language,
            max_papers=fields.max_papers or d.max_papers,
            created_by=who.user_id,
            search_terms=terms,
            check=self._room_for(fields.topic),
        )

    async def edit(self, sub: Subscription, who: Who, fields: Fields) -> Subscription:
        """``sub`` with what ``fields`` gives changed; a new topic is checked as a new one."""
        self._allowed(who, sub)
        changes: dict[str, Any] = {
            key: value
            for key, value in (("weekday", fields.weekday), ("time", fields.time), ("tz", fields.tz),
                               ("language", fields.language), ("max_papers", fields.max_papers), ("learn", fields.learn))  # fmt: skip
            if value is not None
        }
        if fields.topic is not None:
            changes["topic"] = fields.topic
            with charged_to(Account(sub.channel, sub.id)):
                changes["search_terms"] = await self.search_terms(fields.topic, fields.terms)
        elif fields.terms is not None:
            changes["search_terms"] = fields.terms
        if fields.budget is not None:
            changes["budget"] = None if fields.budget == BUDGET_DEFAULT else fields.budget
        check = self._room_for(fields.topic) if fields.topic is not None else None
        edited = await asyncio.to_thread(
            self.store.update_subscription, sub.id, check=check, at=self.clock(), **changes
        )
        if edited is None:  # removed meanwhile
            raise Refusal("not_here", catalog=REPLIES, id=sub.id)
        return edited

    async def pause(self, sub: Subscription, who: Who) -> bool:
        """Pause ``sub`` on behalf of ``who``; False when it was paused already."""
        self._allowed(who, sub)
        if sub.paused:
            return False
        await asyncio.to_thread(self.store.set_paused, sub.id, f"paused by {who.user_id}", who.user_id)
        return True

    async def resume(self, sub: Subscription, who: Who) -> bool:
        """Resume ``sub``, paused by a person or by the bot itself; False when it was not paused."""
        self._allowed(who, sub)
        if not sub.paused:
            return False
        await asyncio.to_thread(self.store.set_paused, sub.id, None)
        return True

    async def remove(self, sub: Subscription, who: Who) -> None:
        self._allowed(who, sub)
        await asyncio.to_thread(self.store.remove_subscription, sub.id)

    async def claim_now(self, channel: ChannelRef, tz: str) -> None:
        """Take the channel's ``/arxiv now``, or refuse saying when the next is allowed (in ``tz``)."""
        minutes = self.channels.now_every_minutes
        if minutes <= 0:
            return
        every = timedelta(minutes=minutes)
        next_at = await asyncio.to_thread(self.store.claim_now, channel, self.clock(), every)
        if next_at is not None:
            raise Refusal("now_limited", minutes=f"{minutes:g}", next=_local(next_at, tz))

    async def search_terms(self, topic: str, given: str | None) -> str | None:
        """The English terms ``topic`` is searched by: ``given`` as written; None when the
        topic is English; else chosen once by the LLM (arXiv is English), never per digest."""
        if given is not None:
            return given
        # Off the loop: the language identifier loads its tables on first use (~0.6 s).
        if await asyncio.to_thread(in_english, topic):
            return None
        if self.llm is None:
            raise Refusal("not_english", catalog=REPLIES, topic=topic)
        found = await english_terms(self.llm, topic)
        if found.terms is None:
            log.warning("no English search terms for %r: %s", topic, found.problem)
            raise Refusal("terms_failed", catalog=REPLIES, topic=topic, problem=found.problem)
        return found.terms

    def _allowed(self, who: Who, sub: Subscription) -> None:
        if not may_manage(who, sub):
            raise Refusal("not_yours", catalog=REPLIES, id=sub.id, owner=sub.created_by)

    def _room_for(self, topic: str | None) -> Callable[[Subscription | None, list[Subscription]], None]:
        """The check of a channel's subscriptions before one is added (``edited`` None) or
        given ``topic``: no other of the same topic; when adding, room for one more."""
        wanted = same_topic(topic) if topic is not None else None

        def check(edited: Subscription | None, subs: list[Subscription]) -> None:
            for other in subs:
                if wanted is not None and (edited is None or other.id != edited.id) and same_topic(other.topic) == wanted:
                    raise Refusal("duplicate", topic=other.topic, id=other.id)
            if edited is None and len(subs) >= self.channels.max_subscriptions:
                raise Refusal("channel_full", count=len(subs), max=self.channels.max_subscriptions)

        return check
