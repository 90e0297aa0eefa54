"""The ``/arxiv`` application-command group: typed options in, the shared grammar's text out.

Each subcommand builds the text Slack users type (``subscribe <topic> day=mon
time=09:00``) from Discord's typed options and hands it to the platform-free
``CommandHandlers``, so there is one parser and one set of messages. Replies that
concern only the caller are ephemeral. A reply that is not ready within
``ACK_BUDGET`` is deferred (Discord drops an interaction not acknowledged in 3 s);
long work (``Reply.work``) edits one progress message until it is done: ``bot/ack.py``
with Discord's ``Responder`` (``bot/discord/responder.py``). The handlers and the autocomplete read the store off
the event loop, so a stalled database never keeps the deferral from going out in time.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Optional
from zoneinfo import available_timezones

import discord
from discord import app_commands

from bot.ack import ACK_BUDGET, answer_command
from bot.command_text import MESSAGES
from bot.commands import WEEKDAYS
from bot.discord.responder import Responder
from bot.discord.texts import say
from bot.handlers import CommandHandlers, Invocation, Reply
from bot.locales import language_of
from config.settings import LANGUAGES, DiscordSettings
from digest.i18n import LANGUAGE_NAMES
from digest.models import ChannelRef
from digest.text.textfit import fit
from digest.arxiv.topic_parser import TopicError
from digest.arxiv.topics import to_query

if TYPE_CHECKING:
    from bot.discord.questions import Questions

log = logging.getLogger(__name__)

MAX_CHOICES = 25  # Discord's cap on choices and autocomplete results
PUBLIC_WHEN_DEFERRED = ("subscribe", "unsubscribe", "edit", "pause", "resume")  # their success is the channel's
DAYS = [app_commands.Choice(name=full, value=short) for short, full in zip(
    WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True
)]
LANGS = [app_commands.Choice(name=f"{LANGUAGE_NAMES[code]} ({code})", value=code) for code in LANGUAGES]
TIMES = [f"{hour:02d}:00" for hour in range(7, 24)] + [f"{hour:02d}:00" for hour in range(7)]
COMMON_ZONES = ("UTC", "Asia/Tokyo", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles")


@functools.cache
def zone_names() -> list[str]:
    return sorted(available_timezones())


def _word(value: str, joiner: str = "") -> str:
    """An option value as one word of the grammar: a stray space cannot split it."""
    return joiner.join(value.split())


def _quoted(value: str) -> str:
    """A value of several words quoted with a quote it does not hold, so it stays whole."""
    open_, close = next(((o, c) for o, c in ('""', "''", "「」") if o not in value and c not in value), ("", ""))
    return f"{open_}{' '.join(value.split())}{close}"


def _options(
    day: str | None, time: str | None, tz: str | None, lang: str | None, max_papers: int | None,
    terms: str | None, topic: str | None = None,
) -> list[str]:
    words = []
    for key, value in (("day", day), ("time", time), ("tz", tz), ("lang", lang)):
        if value is not None:
            words.append(f"{key}={_word(value, '_' if key == 'tz' else '')}")
    if max_papers is not None:
        words.append(f"max={max_papers}")
    for key, value in (("topic", topic), ("terms", terms)):
        if value is not None:
            words.append(f"{key}={_quoted(value)}")
    return words


def subscribe_text(
    topic: str, day: str | None, time: str | None, tz: str | None, lang: str | None, max_papers: int | None,
    terms: str | None = None,
) -> str:
    """The grammar's ``subscribe`` line for Discord's typed options (``terms`` last, quoted)."""
    return " ".join(["subscribe", " ".join(topic.split()), *_options(day, time, tz, lang, max_papers, terms)])


def edit_text(
    subscription: int, day: str | None, time: str | None, tz: str | None, lang: str | None,
    max_papers: int | None, topic: str | None, terms: str | None, learn: bool | None = None,
    budget: str | None = None,
) -> str:
    """The grammar's ``edit`` line for Discord's typed options (``topic`` and ``terms`` quoted)."""
    learning = [] if learn is None else [f"learn={'on' if learn else 'off'}"]
    tokens = [f"budget={_word(budget)}"] if budget is not None else []
    return " ".join(["edit", str(subscription), *_options(day, time, tz, lang, max_papers, terms, topic), *learning, *tokens])


# What the options of subscribe and edit mean, as Discord shows them.
_OPTION_HELP = {
    "day": "Day of the week the digest comes", "time": "Local time, HH:MM in 24-hour form (09:00)",
    "tz": "IANA time zone (Asia/Tokyo)", "lang": "Language of the cards", "max_papers": "Papers per digest",
    "terms": "English search terms for a topic in another language (synthetic data)",
}
_ID_HELP = "The subscription's id (/arxiv list shows them)"


class ArxivCommands(app_commands.Group):
    """``/arxiv subscribe|list|edit|pause|resume|unsubscribe|now|paper|ask|help``."""

    def __init__(self, settings: DiscordSettings, handlers: CommandHandlers, questions: Questions) -> None:
        super().__init__(name="arxiv", description="Weekly arXiv digests: one card per paper", guild_only=True)
        self._settings = settings
        self._handlers = handlers
        self._questions = questions

    # -- running a command ---------------------------------------------------------------

    def _is_admin(self, interaction: discord.Interaction) -> bool:
        return interaction.permissions.manage_channels  # the member's, in this channel

    def _invocation(self, interaction: discord.Interaction, text: str) -> Invocation:
        return Invocation(
            platform="discord",
            workspace_id=str(interaction.guild_id),
            channel_id=str(interaction.channel_id),
            user_id=str(interaction.user.id),
            text=text,
            may_subscribe=self._is_admin(interaction) or not self._settings.manage_channels_to_subscribe,
            is_admin=self._is_admin(interaction),
            language=language_of(interaction.locale),
        )

    async def _reply(self, interaction: discord.Interaction, text: str) -> Reply:
        try:
            return await self._handlers.handle(self._invocation(interaction, text))
        except Exception:
            log.exception("/arxiv %s failed", text.split()[:1])
            return Reply(await self._failed(interaction))

    async def _language(self, interaction: discord.Interaction) -> str:
        """The invoker's language (``interaction.locale``); the channel's when it is not one we write."""
        return await self._handlers.replying_in(self._invocation(interaction, ""))

    async def _failed(self, interaction: discord.Interaction) -> str:
        try:
            language = await self._language(interaction)
        except Exception:  # the store may be what failed
            language = self._handlers.defaults.language
        return say(language, "failed")

    async def _refusal(self, interaction: discord.Interaction, key: str, **values: object) -> Reply:
        return Reply(MESSAGES.text(await self._language(interaction), key, **values))

    async def run(self, interaction: discord.Interaction, text: str, reply: Awaitable[Reply] | None = None) -> None:
        """Hand ``text`` to the handlers (or show ``reply``), acknowledge in time, and show the reply."""
        public = text.split()[0] in PUBLIC_WHEN_DEFERRED
        await answer_command(
            reply or self._reply(interaction, text), Responder(interaction, public_when_deferred=public),
            budget=ACK_BUDGET, failed=lambda: self._failed(interaction), what=f"/arxiv {text.split()[0]}",
        )

    # -- subcommands -------------------------------------------------------------------------

    @app_commands.command(description="Subscribe this channel to a weekly digest of a topic")
    @app_commands.describe(
        topic='Free text (synthetic data), a "quoted phrase", or arXiv fields (cat:cs.CL AND abs:"diffusion")',
        **_OPTION_HELP,
    )
    @app_commands.choices(day=DAYS, lang=LANGS)
    @app_commands.rename(max_papers="max")
    async def subscribe(
        self, interaction: discord.Interaction, topic: str, day: Optional[str] = None, time: Optional[str] = None,
        tz: Optional[str] = None, lang: Optional[str] = None,
        max_papers: Optional[app_commands.Range[int, 1, 100]] = None, terms: Optional[str] = None,
    ) -> None:
        if "=" in topic:  # the grammar would read it as an option; it is a topic error here
            try:
                to_query(topic)
            except TopicError as err:
                await self.run(interaction, "subscribe", self._refusal(interaction, "bad_topic", reason=err))
                return
        await self.run(interaction, subscribe_text(topic, day, time, tz, lang, max_papers, terms))

    @app_commands.command(description="Change a subscription: its schedule, language, size or topic")
    @app_commands.describe(
        subscription=_ID_HELP, topic="A new topic (checked like a new subscription's)",
        learn="Whether this channel's 👍/👎 on cards shift its ranking", **_OPTION_HELP,
        budget="Monthly LLM tokens (500k; 0: unlimited; default: the server's)",
    )
    @app_commands.choices(day=DAYS, lang=LANGS)
    @app_commands.rename(subscription="id", max_papers="max")
    async def edit(
        self, interaction: discord.Interaction, subscription: int, day: Optional[str] = None,
        time: Optional[str] = None, tz: Optional[str] = None, lang: Optional[str] = None,
        max_papers: Optional[app_commands.Range[int, 1, 100]] = None, topic: Optional[str] = None,
        terms: Optional[str] = None, learn: Optional[bool] = None, budget: Optional[str] = None,
    ) -> None:
        await self.run(interaction, edit_text(subscription, day, time, tz, lang, max_papers, topic, terms, learn, budget))

    @app_commands.command(description="Pause a subscription's digests until /arxiv resume")
    @app_commands.describe(subscription=_ID_HELP)
    @app_commands.rename(subscription="id")
    async def pause(self, interaction: discord.Interaction, subscription: int) -> None:
        await self.run(interaction, f"pause {subscription}")

    @app_commands.command(description="Resume a paused subscription (also one the bot paused, once fixed)")
    @app_commands.describe(subscription=_ID_HELP)
    @app_commands.rename(subscription="id")
    async def resume(self, interaction: discord.Interaction, subscription: int) -> None:
        await self.run(interaction, f"resume {subscription}")

    @subscribe.autocomplete("tz")
    @edit.autocomplete("tz")
    async def _zones(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower().replace(" ", "_")
        names = zone_names() if wanted else list(COMMON_ZONES)
        found = [name for name in names if wanted in name.lower()][:MAX_CHOICES]
        return [app_commands.Choice(name=name, value=name) for name in found]

    @subscribe.autocomplete("time")
    @edit.autocomplete("time")
    async def _times(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        typed = current.strip()
        found = [t for t in TIMES if t.startswith(typed)] or [typed]  # a time of one's own stays offered
        return [app_commands.Choice(name=t, value=t) for t in found[:MAX_CHOICES] if t]

    @app_commands.command(name="list", description="This channel's subscriptions, with their ids")
    async def list_(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, "list")

    @app_commands.command(description="Remove one of this channel's subscriptions")
    @app_commands.describe(subscription=_ID_HELP)
    @app_commands.rename(subscription="id")
    async def unsubscribe(self, interaction: discord.Interaction, subscription: int) -> None:
        await self.run(interaction, f"unsubscribe {subscription}")

    @app_commands.command(description="Post this week's digest now (of one subscription, or all of this channel's)")
    @app_commands.describe(subscription="The subscription's id; leave out for every subscription of this channel")
    @app_commands.rename(subscription="id")
    async def now(self, interaction: discord.Interaction, subscription: Optional[int] = None) -> None:
        await self.run(interaction, "now" if subscription is None else f"now {subscription}")

    @unsubscribe.autocomplete("subscription")
    @now.autocomplete("subscription")
    @edit.autocomplete("subscription")
    @pause.autocomplete("subscription")
    @resume.autocomplete("subscription")
    async def _ids(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        channel = ChannelRef("discord", str(interaction.guild_id), str(interaction.channel_id))
        try:  # off the loop, and no later than Discord waits for the choices
            subs = await asyncio.wait_for(
                asyncio.to_thread(self._handlers.store.list_subscriptions, channel), ACK_BUDGET
            )
        except asyncio.TimeoutError:
            log.warning("autocomplete of subscription ids: the store did not answer within %.0f s", ACK_BUDGET)
            return []
        wanted = str(current).strip().lower()
        choices = [
            app_commands.Choice(name=fit(f"{sub.id}. {sub.topic}", 100), value=sub.id)
            for sub in subs
            if wanted in f"{sub.id} {sub.topic}".lower()
        ]
        return choices[:MAX_CHOICES]

    @app_commands.command(description="Post one paper's card")
    @app_commands.describe(paper="An arXiv id or link: 2404.14361 or https://arxiv.org/abs/2404.14361")
    async def paper(self, interaction: discord.Interaction, paper: str) -> None:
        await self.run(interaction, f"paper {_word(paper)}")

    @app_commands.command(description="Ask about the paper of this thread's card")
    @app_commands.describe(question="What you want to know about the paper")
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        await self._questions.ask(interaction, question)

    @app_commands.command(name="help", description="Every /arxiv subcommand, with examples")
    async def help_(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, "help")  # in the invoker's language
