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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

from bot import commands
from bot.command_text import REPLIES
from bot.commands import CommandError
from bot.notices import local_time
from bot.schedule import WEEKDAYS, WeeklySchedule, digest_window
from config.settings import DefaultsSettings
from digest.delivery.deliverer import Deliverer, Held
from digest.delivery.keys import now_key, paper_key
from digest.models import HEADER, PAPER_TOPIC, ChannelRef, Subscription, Window
from digest.delivery.ports import DigestPort
from digest.arxiv.source import ArxivUnavailable
from digest.arxiv.translate import english_terms, in_english
from digest.llm.client import LLMClient
from digest.store import Store
from digest.store.plan_failures import PlanFailure

log = logging.getLogger(__name__)

Update = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Invocation:
    platform: str
    workspace_id: str
    channel_id: str
    user_id: str
    text: str  # what follows /arxiv
    may_subscribe: bool = True  # the adapter's verdict by its settings: may this user subscribe here?
    # A workspace admin or owner (Slack, or a user of slack.allowed_users) or a member
    # with Manage Channels (Discord): may manage any subscription of the channel, not
    # only their own.
    is_admin: bool = False
    # The invoker's language (one of config.settings.LANGUAGES) when the platform tells it
    # (Discord's interaction.locale, a Slack user's locale); None: the channel's (``replying_in``).
    language: str | None = None

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


def may_manage(invocation: Invocation, sub: Subscription) -> bool:
    """Who may unsubscribe, pause, resume or edit ``sub``: whoever subscribed it, and admins."""
    return invocation.is_admin or invocation.user_id == sub.created_by


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

    async def handle(self, invocation: Invocation) -> Reply:
        try:
            command = commands.parse(invocation.text)
        except CommandError as err:
            return Reply(err.text(await self.replying_in(invocation)))
        invocation = replace(invocation, language=await self.replying_in(invocation, command))
        match command:
            case commands.Subscribe():
                return await self._subscribe(invocation, command)
            case commands.Unsubscribe(id=subscription_id):
                return await self._unsubscribe(invocation, subscription_id)
            case commands.ListSubs():
                return await self._list(invocation)
            case commands.Now(id=subscription_id):
                return await self._now(invocation, subscription_id)
            case commands.PaperCmd():
                return self._paper(invocation, command)
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

    def _describe(self, sub: Subscription, language: str, failure: PlanFailure | None = None) -> dict[str, object]:
        schedule = WeeklySchedule.of(sub)
        next_at = schedule.next_after(self.clock()).astimezone(ZoneInfo(sub.tz))
        failing = ""
        if failure is not None:  # the week's digest could not be built (arXiv down)
            times = {"due": local_time(failure.due_at, sub.tz), "since": local_time(failure.first_failed_at, sub.tz)}
            if failure.retry_at is None:
                failing = _say("gave_up", language, attempts=failure.attempts, error=failure.error, **times)
            else:
                failing = _say("failing", language, attempts=failure.attempts, error=failure.error,
                               next_try=local_time(failure.retry_at, sub.tz), **times)  # fmt: skip
        days = _say("weekdays", language).split()  # the reader's words for the schedule
        return {
            "id": sub.id,
            "topic": sub.topic,
            "schedule": f"{days[sub.weekday]} {sub.time.isoformat('minutes')} {sub.tz}",
            "max": sub.max_papers,
            "language": _say(f"language:{sub.language}", language),
            "next": f"{days[next_at.weekday()]} {next_at:%Y-%m-%d %H:%M %Z}",
            "paused": _say("paused", language, reason=sub.paused) if sub.paused else "",
            "failing": failing,
            "listed": _say("listed_terms", language, terms=sub.search_terms) if sub.search_terms else "",
        }

    async def _subscribe(self, invocation: Invocation, command: commands.Subscribe) -> Reply:
        language = invocation.language or self.defaults.language  # resolved by handle()
        if not invocation.may_subscribe:
            return Reply(_say("not_allowed", language, action="subscribe"))
        d = self.defaults
        terms = command.terms  # given: used as written (bot.commands checked it parses)
        # Off the loop: the language identifier loads its tables on first use (~0.6 s).
        if terms is None and not await asyncio.to_thread(in_english, command.topic):
            # arXiv is English: translated once, here, never per digest.
            if self.llm is None:
                return Reply(_say("not_english", language, topic=command.topic))
            found = await english_terms(self.llm, command.topic)
            if found.terms is None:
                log.warning("no English search terms for %r: %s", command.topic, found.problem)
                return Reply(_say("terms_failed", language, topic=command.topic, problem=found.problem))
            terms = found.terms
        sub = await asyncio.to_thread(
            self.store.add_subscription,
            invocation.channel,
            command.topic,
            weekday=command.weekday if command.weekday is not None else WEEKDAYS.index(d.weekday),
            at=command.time or time.fromisoformat(d.time),
            tz=command.tz or d.timezone,
            language=command.language or d.language,
            max_papers=command.max_papers or d.max_papers,
            created_by=invocation.user_id,
            search_terms=terms,
        )
        await self.scheduling.changed()
        searching = _say("searching", language, terms=terms, id=sub.id, topic=sub.topic) if terms else ""
        described = self._describe(sub, language)
        return Reply(_say("subscribed", language, searching=searching, **described), ephemeral=False)

    async def _own(self, invocation: Invocation, subscription_id: int) -> Subscription | None:
        sub = await asyncio.to_thread(self.store.get_subscription, subscription_id)
        return sub if sub is not None and sub.channel == invocation.channel else None

    async def _unsubscribe(self, invocation: Invocation, subscription_id: int) -> Reply:
        language = invocation.language or self.defaults.language
        sub = await self._own(invocation, subscription_id)
        if sub is None:
            return Reply(_say("not_here", language, id=subscription_id))
        if not may_manage(invocation, sub):
            return Reply(_say("not_yours", language, id=sub.id, owner=sub.created_by))
        await asyncio.to_thread(self.store.remove_subscription, sub.id)
        await self.scheduling.changed()
        return Reply(_say("unsubscribed", language, id=sub.id, topic=sub.topic), ephemeral=False)

    async def _list(self, invocation: Invocation) -> Reply:
        language = invocation.language or self.defaults.language
        subs = await asyncio.to_thread(self.store.list_subscriptions, invocation.channel)
        if not subs:
            return Reply(_say("no_subscriptions", language))
        failures = await asyncio.to_thread(self.store.plan_failures, [sub.id for sub in subs])
        lines = [_say("list_line", language, **self._describe(sub, language, failures.get(sub.id))) for sub in subs]
        return Reply("\n".join(lines))

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

    def _paper(self, invocation: Invocation, command: commands.PaperCmd) -> Reply:
        """One paper's card, delivered like a digest's (``Deliverer.post_paper``): recorded
        in the ledger, at most once per channel, answered in its thread; no header."""
        language = invocation.language or self.defaults.language
        channel, arxiv_id = invocation.channel, command.arxiv_id
        key = paper_key(channel, arxiv_id)

        async def work(update: Update) -> str:
            subs = await asyncio.to_thread(self.store.list_subscriptions, channel)
            # The channel's language and zone, when it has a subscription.
            card_language = subs[0].language if subs else self.defaults.language
            tz = subs[0].tz if subs else self.defaults.timezone
            held = await self.deliverer.paper_held(channel, arxiv_id)
            if held is not None and (held.run_key != key or held.state in ("sent", "pending", "sending")):
                return _held(arxiv_id, held, tz, language)  # known without asking arXiv
            try:
                papers = await self.deliverer.engine.source.afetch(f"id:{arxiv_id}", interactive=True)
            except ArxivUnavailable as err:
                return str(err)
            # Only the paper asked for: never another one a loose search turned up.
            found = next((paper for paper in papers if paper.arxiv_id == arxiv_id), None)
            if found is None:
                return _say("no_such_paper", language, id=arxiv_id)
            post = await self.deliverer.post_paper(channel, found, card_language, key, tz)
            if post.held is not None:
                return _held(arxiv_id, post.held, tz, language)
            if post.run is not None and post.run.state != "done":
                return _say("paper_failed", language, id=arxiv_id, error=post.run.error or post.run.state)
            return ""

        return Reply(_say("fetching_paper", language, id=arxiv_id), work=work)


def _held(arxiv_id: str, held: Held, tz: str, language: str) -> str:
    """What the caller of ``/arxiv paper`` is told when the channel has the paper already."""
    when = f"{held.at.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M %Z}"
    if held.topic == PAPER_TOPIC:
        source = _say("paper_source_paper", language)
    else:
        source = _say("paper_source_digest", language, topic=held.topic)
    return _say("paper_held" if held.state == "sent" else "paper_coming", language, id=arxiv_id, when=when, source=source)
