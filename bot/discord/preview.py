"""``/arxiv preview`` on Discord: an ``app_commands.Command`` added to the ``/arxiv`` group.

Kept out of ``bot/discord/cog.py`` (its own job, and the cog's size). Typed options
become the grammar's ``preview`` line, subscribe's words with the verb changed
(``subscribe_text``), and go through the group's ``run``: acknowledged in time, the
reply and its progress ephemeral (``preview`` is not public even when deferred). The
option descriptions are subscribe's, word for word, so that the translator gives them
subscribe's translations (``DISCORD_COMMANDS``); the command's own is ``preview``.
"""

from __future__ import annotations

from typing import Optional

import discord
from discord import app_commands

from bot.command_text import MESSAGES
from bot.discord.cog import ArxivCommands, subscribe_text
from bot.handlers import CommandHandlers, Reply
from bot.locales import language_of
from digest.arxiv.topic_parser import TopicError
from digest.arxiv.topics import to_query

DESCRIPTION = "Only to you: the papers a topic would have picked in the last 7 days, with scores and its query"
# subscribe's, word for word (bot/discord/cog.py): one translation each
TOPIC_HELP = 'Free text (synthetic data), a "quoted phrase", or arXiv fields (cat:cs.CL AND abs:"diffusion")'
MAX_HELP = "Papers per digest"
TERMS_HELP = "English search terms for a topic in another language (synthetic data)"
TZ_HELP = "IANA time zone (Asia/Tokyo)"  # here: which days are the last 7


def preview_text(topic: str, max_papers: int | None, terms: str | None, tz: str | None = None) -> str:
    """The grammar's ``preview`` line for Discord's typed options: subscribe's, verb changed."""
    line = subscribe_text(topic, None, None, tz, None, max_papers, terms)
    return "preview" + line.removeprefix("subscribe")


def preview_command(group: ArxivCommands, handlers: CommandHandlers) -> app_commands.Command:
    """``/arxiv preview topic [max] [terms] [tz]``, run through ``group`` (add it with ``group.add_command``)."""

    @app_commands.command(name="preview", description=DESCRIPTION)
    @app_commands.describe(topic=TOPIC_HELP, max_papers=MAX_HELP, terms=TERMS_HELP, tz=TZ_HELP)
    @app_commands.rename(max_papers="max")
    async def preview(
        interaction: discord.Interaction, topic: str,
        max_papers: Optional[app_commands.Range[int, 1, 100]] = None, terms: Optional[str] = None,
        tz: Optional[str] = None,
    ) -> None:
        if "=" in topic:  # the grammar would read it as an option; it is a topic error here (as subscribe's)
            try:
                to_query(topic)
            except TopicError as err:
                reason = str(err)

                async def refused() -> Reply:
                    language = language_of(interaction.locale) or handlers.defaults.language
                    return Reply(MESSAGES.text(language, "bad_topic", reason=reason))

                await group.run(interaction, "preview", refused())
                return
        await group.run(interaction, preview_text(topic, max_papers, terms, tz))

    return preview
