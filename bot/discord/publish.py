"""``/arxiv publish [on|off]`` on Discord: a subcommand added to the ``/arxiv`` group
(``with_publish``), run through the group like every other (``ArxivCommands.run``), so the
grammar, the admin check (Manage Channels) and the texts are the shared ones
(``bot/publish_command.py``)."""

from __future__ import annotations

from typing import Optional

import discord
from discord import app_commands

from bot.discord.cog import ArxivCommands

STATES = [app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")]


def with_publish(group: ArxivCommands) -> ArxivCommands:
    """``group`` with ``publish`` added (its descriptions are keys of DISCORD_COMMANDS)."""

    @app_commands.command(name="publish", description="Show this channel's thread Q&A on the site's paper pages, or not")
    @app_commands.describe(state="on or off (admins only); leave out to see the current state")
    @app_commands.choices(state=STATES)
    async def publish(interaction: discord.Interaction, state: Optional[app_commands.Choice[str]] = None) -> None:
        await group.run(interaction, f"publish {state.value}" if state else "publish")

    group.add_command(publish)
    return group
