"""``/arxiv usage`` on Discord: an ``app_commands.Command`` added to the ``/arxiv`` group
where it is built (``bot/discord/client.py``), run like every subcommand through the
group's ``run`` (the shared grammar's ``usage``, ``bot/usage_command.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.discord.cog import ArxivCommands

DESCRIPTION = "This month's LLM tokens and estimated cost of this channel's subscriptions"


def usage_command(group: ArxivCommands) -> app_commands.Command:  # type: ignore[type-arg]
    """The ``usage`` subcommand of ``group``; the reply is the caller's alone."""

    async def usage(interaction: discord.Interaction) -> None:
        await group.run(interaction, "usage")

    return app_commands.Command(name="usage", description=DESCRIPTION, callback=usage)
