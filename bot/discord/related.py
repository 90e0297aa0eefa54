"""``/arxiv related`` on Discord, and the cards' "Related" button: the papers like a card's
paper, answered only to whoever asked (``bot/related_command.py`` finds and words them).

The command is added to the ``/arxiv`` group where the group is built
(``bot/discord/client.py``) and goes through the shared grammar and handlers like every
subcommand. The button (``bot.discord.port.RELATED_CUSTOM_ID``, beside "Ask about this paper"
in the card's persistent view, ``bot/discord/port.py``) finds the card's paper by the
message it is on; the look-ups run off the event loop, and a click not answered within
``ACK_BUDGET`` is deferred first (``bot/ack.py``).
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands

from bot.ack import ACK_BUDGET, answer_command
from bot.discord.cog import ArxivCommands
from bot.discord.responder import Responder
from bot.discord.texts import say
from bot.handlers import CommandHandlers, Reply
from bot.locales import language_of
from bot.related_command import RelatedLookup, related_text
from bot.related_text import TEXTS
from bot.threads import card_of
from digest.models import ChannelRef

log = logging.getLogger(__name__)



def related_command(group: ArxivCommands) -> app_commands.Command:
    """``/arxiv related <paper>``, for ``group.add_command``: the grammar's ``related`` line."""

    @app_commands.command(name="related", description="Papers like a paper, among those the bot holds")
    @app_commands.describe(paper="The paper: an arXiv id or link (2404.14361)")
    async def related(interaction: discord.Interaction, paper: str) -> None:
        await group.run(interaction, f"related {''.join(paper.split())}")

    return related


class RelatedButton:
    """What a click on a card's "Related" button does: the paper's related papers, ephemeral."""

    def __init__(self, handlers: CommandHandlers) -> None:
        self._handlers = handlers

    async def on_click(self, interaction: discord.Interaction) -> None:
        language = language_of(interaction.locale)
        await answer_command(
            self._reply(interaction, language), Responder(interaction, public_when_deferred=False),
            budget=ACK_BUDGET, failed=say(language or self._handlers.defaults.language, "failed"),
            what="the Related button",
        )

    async def _reply(self, interaction: discord.Interaction, language: str | None) -> Reply:
        handlers, message = self._handlers, interaction.message
        try:
            channel = ChannelRef("discord", str(interaction.guild_id), str(interaction.channel_id))
            found = None
            if message is not None:
                found = await asyncio.to_thread(card_of, handlers.store, channel, str(message.id))
            if found is None:
                return Reply(TEXTS.text(language or handlers.defaults.language, "related_not_a_card"))
            language = language or found.card.text.language  # the caller's, else the card's
            lookup = handlers.related or RelatedLookup(handlers.store)
            related = await asyncio.to_thread(lookup.find, found.card.paper.arxiv_id, language)
            return Reply(related_text(related, language, "discord"))
        except Exception:
            log.exception("the Related button failed")
            return Reply(say(language or handlers.defaults.language, "failed"))
