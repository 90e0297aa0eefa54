"""Platform-free handlers of the /arxiv commands: an Invocation in, a Reply out.

Both chat adapters turn their payloads into an ``Invocation`` and hand the ``Reply`` to
``bot.ack.answer_command``, which acknowledges within the platform's deadline. Work that
takes longer than a chat platform waits for (a digest, a paper card) comes back as
``Reply.work``: it runs after the ack, given a function that updates the one progress
message, and the text it returns is shown last.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

from bot import commands, manage
from bot.command_text import REPLIES
from bot.commands import CommandError
from bot.listing import describe, list_line
from bot.manage_text import TEXTS
from bot.invocation import Invocation, Reply, Update
from bot.paper_command import paper_reply
from bot.publish_command import publish_reply
from bot.preview_command import preview_reply
from bot.related_command import RelatedLookup, related_reply
from bot.usage_command import usage_reply
from bot.schedule import digest_window
from bot.subscriptions import Subscriptions
from bot.subscriptions import may_manage as _may_manage
from config.settings import ChannelSettings, DefaultsSettings
from digest.delivery.deliverer import Deliverer
from digest.delivery.keys import now_key
from digest.models import HEADER, Subscription, Window
from digest.delivery.ports import DigestPort
from digest.arxiv.source import ArxivUnavailable
from digest.llm.client import LLMClient
from digest.store import Store

log = logging.getLogger(__name__)

__all__ = ["CommandHandlers", "Invocation", "Reply", "Scheduling", "NoScheduling", "Update", "may_manage"]


class Scheduling(Protocol):
    """What the handlers need from the scheduler (bot/scheduler.py)."""

    async def changed(self) -> None:
        """Subscriptions were added, edited, paused, resumed or removed: bring the weekly jobs in step."""


class NoScheduling:
    async def changed(self) -> None:
        pass


def may_manage(invocation: Invocation, sub: Subscription) -> bool:
    """Who may unsubscribe, pause, resume or edit ``sub``: whoever subscribed it, and admins
    (the rule: ``bot.subscriptions.may_manage``)."""
    return _may_manage(invocation, sub)


def _say(key: str, language: str, /, **values: object) -> str:
    return REPLIES.text(language, key, **values)


@dataclass
class CommandHandlers:
    """Every store call runs off the event loop (``asyncio.to_thread``; the Store is
    thread-safe): a slow database never delays an acknowledgement a platform waits for."""

    store: Store
    deliverer: Deliverer
    ports: Mapping[str, DigestPort]
    defaults: DefaultsSettings
    scheduling: Scheduling = NoScheduling()
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    llm: LLMClient | None = None  # chooses English search terms for a topic in another language
    channels: ChannelSettings = field(default_factory=ChannelSettings)  # a channel's limits
    related: RelatedLookup | None = None  # /arxiv related's papers and links; None: the shared index, arXiv links

    @property
    def subscriptions(self) -> Subscriptions:
        """The rules every change of a subscription goes through (``bot/subscriptions.py``)."""
        return Subscriptions(self.store, self.defaults, self.channels, self.llm, self.clock)

    async def handle(self, invocation: Invocation) -> Reply:
        try:
            command = commands.parse(invocation.text)
        except CommandError as err:
            return Reply(err.text(await self.replying_in(invocation)))
        invocation = replace(invocation, language=await self.replying_in(invocation, command))
        try:
            return await self._dispatch(invocation, command)
        except CommandError as err:  # a Refusal of the rules: nothing was changed
            return Reply(err.text(invocation.language))

    async def _dispatch(self, invocation: Invocation, command: commands.Command) -> Reply:
        match command:
            case commands.Subscribe():
                return await self._subscribe(invocation, command)
            case commands.Unsubscribe(id=subscription_id):
                return await self._unsubscribe(invocation, subscription_id)
            case commands.ListSubs():
                return await self._list(invocation)
            case commands.Edit() | commands.Pause() | commands.Resume():
                return await manage.handle(self, invocation, command)
            case commands.Now(id=subscription_id):
                return await self._now(invocation, subscription_id)
            case commands.PaperCmd():
                return paper_reply(self, invocation, command)
            case commands.Publish():
                return await publish_reply(self, invocation, command)
            case commands.PreviewCmd():
                return await preview_reply(self, invocation, command)
            case commands.RelatedCmd():
                return await related_reply(self, invocation, command)
            case commands.UsageCmd():
                return await usage_reply(self, invocation)
            case _:
                return Reply(commands.help_text(invocation.language or self.defaults.language))

    async def replying_in(self, invocation: Invocation, command: commands.Command | None = None) -> str:
        """The language of the replies to ``invocation``: the invoker's when known, else the
        language a subscribe asks for (lang=), else the channel's subscriptions', else the default."""
        if invocation.language:
            return invocation.language
        if isinstance(command, commands.Subscribe) and command.language:
            return command.language
        subs = await asyncio.to_thread(self.store.list_subscriptions, invocation.channel)
        return subs[0].language if subs else self.defaults.language

    async def _subscribe(self, invocation: Invocation, command: commands.Subscribe) -> Reply:
        language = invocation.language or self.defaults.language  # resolved by handle()
        if not invocation.may_subscribe:
            return Reply(_say("not_allowed", language, action="subscribe"))
        sub = await self.subscriptions.add(invocation.channel, invocation, command.fields)
        await self.scheduling.changed()
        terms = sub.search_terms
        searching = TEXTS.text(language, "searching", terms=terms, id=sub.id) if terms else ""
        described = describe(sub, language, self.clock())
        return Reply(_say("subscribed", language, searching=searching, **described), ephemeral=False)

    async def _own(self, invocation: Invocation, subscription_id: int) -> Subscription | None:
        sub = await asyncio.to_thread(self.store.get_subscription, subscription_id)
        return sub if sub is not None and sub.channel == invocation.channel else None

    async def _unsubscribe(self, invocation: Invocation, subscription_id: int) -> Reply:
        language = invocation.language or self.defaults.language
        sub = await self.subscriptions.find(invocation.channel, subscription_id)
        await self.subscriptions.remove(sub, invocation)
        await self.scheduling.changed()
        return Reply(_say("unsubscribed", language, id=sub.id, topic=sub.topic), ephemeral=False)

    async def _list(self, invocation: Invocation) -> Reply:
        language = invocation.language or self.defaults.language
        subs = await asyncio.to_thread(self.store.list_subscriptions, invocation.channel)
        if not subs:
            return Reply(_say("no_subscriptions", language))
        ids = [sub.id for sub in subs]
        failures = await asyncio.to_thread(self.store.plan_failures, ids)
        lasts = await asyncio.to_thread(self.store.last_digests, ids)
        learnt = (await asyncio.to_thread(self.store.reaction_counts, [invocation.channel])).get(invocation.channel, 0)
        now = self.clock()
        return Reply("\n".join(list_line(sub, language, now, failures.get(sub.id), lasts.get(sub.id), learnt) for sub in subs))

    async def _now(self, invocation: Invocation, subscription_id: int | None) -> Reply:
        language = invocation.language or self.defaults.language
        if subscription_id is None:
            subs = await asyncio.to_thread(self.store.list_subscriptions, invocation.channel)
            if not subs:
                return Reply(_say("no_subscriptions", language))
        else:
            sub = await self._own(invocation, subscription_id)
            if sub is None:
                return Reply(_say("not_here", language, id=subscription_id))
            subs = [sub]
        await self.subscriptions.claim_now(invocation.channel, subs[0].tz)  # refused: at most one per interval
        moment = self.clock()

        async def work(update: Update) -> str:
            lines = []
            for sub in subs:
                window = await self._window(sub, moment)
                await update(_say("working", language, topic=sub.topic, start=window.start, end=window.end))
                try:
                    run = await self.deliverer.run(sub, window, now_key(sub.id, moment))
                except ArxivUnavailable as err:
                    log.warning("/arxiv now for subscription %d could not be built: %s", sub.id, err)
                    lines.append(_say("now_error", language, topic=sub.topic, error=err))
                    continue
                rows = await asyncio.to_thread(self.store.deliveries, run.key)
                cards = sum(1 for row in rows if row.position != HEADER)
                if run.state == "done" and not cards:  # nothing posted: no empty header in the channel
                    lines.append(_say("now_empty", language, topic=sub.topic, start=window.start, end=window.end,
                                      candidates=run.candidates, skipped=run.skipped))
                elif run.state == "done":
                    lines.append(_say("now_done", language, topic=sub.topic, cards=cards, candidates=run.candidates))
                else:
                    lines.append(_say("now_failed", language, topic=sub.topic, error=run.error))
            return "\n".join(lines)

        return Reply(_say("working", language, topic=subs[0].topic, start="…", end="…"), work=work)

    async def _window(self, sub: Subscription, moment: datetime) -> Window:
        today = moment.astimezone(ZoneInfo(sub.tz)).date()
        last = await asyncio.to_thread(self.store.last_windows, [sub.id])
        return digest_window(last.get(sub.id), today, sub.tz)
