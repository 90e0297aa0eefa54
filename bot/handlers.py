"""Platform-free handlers of the /arxiv commands: an Invocation in, a Reply out.

Both chat adapters turn their payloads into an ``Invocation``, acknowledge at once, and
render the ``Reply``. Work that takes longer than a chat platform waits for (a digest,
a paper card) comes back as ``Reply.work``: the adapter runs it after the ack, passing
a function that updates the one progress message, and shows the text it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

from bot import commands
from bot.command_text import REPLIES
from bot.commands import CommandError
from bot.schedule import WEEKDAYS, WeeklySchedule, digest_window
from config.settings import DefaultsSettings
from digest.delivery import Deliverer
from digest.i18n import LANGUAGE_NAMES
from digest.models import HEADER, Card, ChannelRef, Digest, Subscription, Window
from digest.ports import ChatError, ChatPort
from digest.source import ArxivUnavailable
from digest.store import Store

log = logging.getLogger(__name__)

Update = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Invocation:
    platform: str
    workspace_id: str
    channel_id: str
    user_id: str
    text: str  # what follows /arxiv
    may_manage: bool = True  # the adapter's verdict: may this user (un)subscribe here?

    @property
    def channel(self) -> ChannelRef:
        return ChannelRef(self.platform, self.workspace_id, self.channel_id)


@dataclass(frozen=True)
class Reply:
    text: str
    ephemeral: bool = True  # only the caller sees it
    work: Callable[[Update], Awaitable[str]] | None = None  # runs after the ack


class Scheduling(Protocol):
    """What the handlers need from the scheduler (bot/scheduler.py)."""

    async def changed(self) -> None:
        """Subscriptions were added or removed: bring the weekly jobs in step."""


class NoScheduling:
    async def changed(self) -> None:
        pass


def _say(key: str, **values: object) -> str:
    return REPLIES[key].format(**values)


def now_key(subscription: Subscription, moment: datetime) -> str:
    return f"sub{subscription.id}@now:{moment.astimezone(timezone.utc):%Y%m%dT%H%M%S.%f}"


@dataclass
class CommandHandlers:
    store: Store
    deliverer: Deliverer
    ports: Mapping[str, ChatPort]
    defaults: DefaultsSettings
    scheduling: Scheduling = NoScheduling()
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)

    async def handle(self, invocation: Invocation) -> Reply:
        try:
            command = commands.parse(invocation.text)
        except CommandError as err:
            return Reply(str(err))
        match command:
            case commands.Subscribe():
                return await self._subscribe(invocation, command)
            case commands.Unsubscribe(id=subscription_id):
                return await self._unsubscribe(invocation, subscription_id)
            case commands.ListSubs():
                return self._list(invocation)
            case commands.Now(id=subscription_id):
                return self._now(invocation, subscription_id)
            case commands.PaperCmd():
                return self._paper(invocation, command)
            case _:
                return Reply(commands.help_text("en"))

    def _describe(self, sub: Subscription) -> dict[str, object]:
        schedule = WeeklySchedule.of(sub)
        next_at = schedule.next_after(self.clock()).astimezone(ZoneInfo(sub.tz))
        return {
            "id": sub.id,
            "topic": sub.topic,
            "schedule": str(schedule),
            "max": sub.max_papers,
            "language": LANGUAGE_NAMES.get(sub.language, sub.language),
            "next": f"{next_at:%a %Y-%m-%d %H:%M %Z}",
            "paused": _say("paused", reason=sub.paused) if sub.paused else "",
        }

    async def _subscribe(self, invocation: Invocation, command: commands.Subscribe) -> Reply:
        if not invocation.may_manage:
            return Reply(_say("not_allowed", action="subscribe"))
        d = self.defaults
        sub = self.store.add_subscription(
            invocation.channel,
            command.topic,
            weekday=command.weekday if command.weekday is not None else WEEKDAYS.index(d.weekday),
            at=command.time or time.fromisoformat(d.time),
            tz=command.tz or d.timezone,
            language=command.language or d.language,
            max_papers=command.max_papers or d.max_papers,
            created_by=invocation.user_id,
        )
        await self.scheduling.changed()
        return Reply(_say("subscribed", **self._describe(sub)), ephemeral=False)

    def _own(self, invocation: Invocation, subscription_id: int) -> Subscription | None:
        sub = self.store.get_subscription(subscription_id)
        return sub if sub is not None and sub.channel == invocation.channel else None

    async def _unsubscribe(self, invocation: Invocation, subscription_id: int) -> Reply:
        if not invocation.may_manage:
            return Reply(_say("not_allowed", action="unsubscribe"))
        sub = self._own(invocation, subscription_id)
        if sub is None:
            return Reply(_say("not_here", id=subscription_id))
        self.store.remove_subscription(sub.id)
        await self.scheduling.changed()
        return Reply(_say("unsubscribed", id=sub.id, topic=sub.topic), ephemeral=False)

    def _list(self, invocation: Invocation) -> Reply:
        subs = self.store.list_subscriptions(invocation.channel)
        if not subs:
            return Reply(_say("no_subscriptions"))
        return Reply("\n".join(_say("list_line", **self._describe(sub)) for sub in subs))

    def _now(self, invocation: Invocation, subscription_id: int | None) -> Reply:
        if subscription_id is None:
            subs = self.store.list_subscriptions(invocation.channel)
            if not subs:
                return Reply(_say("no_subscriptions"))
        else:
            sub = self._own(invocation, subscription_id)
            if sub is None:
                return Reply(_say("not_here", id=subscription_id))
            subs = [sub]
        moment = self.clock()

        async def work(update: Update) -> str:
            lines = []
            for sub in subs:
                window = self._window(sub, moment)
                await update(_say("working", topic=sub.topic, start=window.start, end=window.end))
                try:
                    run = await self.deliverer.run(sub, window, now_key(sub, moment))
                except ArxivUnavailable as err:
                    lines.append(_say("now_error", topic=sub.topic, error=err))
                    continue
                cards = sum(1 for row in self.store.deliveries(run.key) if row.position != HEADER)
                if run.state == "done" and not cards:  # nothing posted: no empty header in the channel
                    lines.append(_say("now_empty", topic=sub.topic, start=window.start, end=window.end,
                                      candidates=run.candidates, skipped=run.skipped))
                elif run.state == "done":
                    lines.append(_say("now_done", topic=sub.topic, cards=cards, candidates=run.candidates))
                else:
                    lines.append(_say("now_failed", topic=sub.topic, error=run.error))
            return "\n".join(lines)

        return Reply(_say("working", topic=subs[0].topic, start="…", end="…"), work=work)

    def _window(self, sub: Subscription, moment: datetime) -> Window:
        today = moment.astimezone(ZoneInfo(sub.tz)).date()
        return digest_window(self.store.last_windows([sub.id]).get(sub.id), today, sub.tz)

    def _paper(self, invocation: Invocation, command: commands.PaperCmd) -> Reply:
        port = self.ports[invocation.platform]
        engine = self.deliverer.engine
        language = self.defaults.language
        for sub in self.store.list_subscriptions(invocation.channel)[:1]:
            language = sub.language  # the channel's language, when it has a subscription

        async def work(update: Update) -> str:
            try:
                papers = await engine.source.afetch(f"id:{command.arxiv_id}")
            except ArxivUnavailable as err:
                return str(err)
            if not papers:
                return _say("no_such_paper", id=command.arxiv_id)
            paper = papers[0]
            self.store.put_papers([paper])
            text = await engine.card_text(paper, language, self.deliverer.bullets)
            card = Card(paper, text, rank=1, score=0.0)
            day = paper.published.astimezone(ZoneInfo(self.defaults.timezone)).date()
            digest = Digest(paper.arxiv_id, Window(day, day, self.defaults.timezone), language, (card,), 1)
            try:
                await port.post_card(invocation.channel, card, digest, f"paper:{paper.versioned_id}")
            except ChatError as err:
                return str(err)
            return ""

        return Reply(_say("fetching_paper", id=command.arxiv_id), work=work)
