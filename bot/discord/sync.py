"""Application command sync: once per deployment, from the process holding shard 0.

Commands belong to the application, not to a shard or a process: with the bot spread
over processes (``bot/discord/shards.py``) only the one holding shard 0 puts them, so N
processes starting together do not each overwrite them (Discord allows 200 command
creations a day per guild, and every put counts against the route's rate limit). Without
shard settings there is one process, and it syncs, as before.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from config.settings import DiscordSettings

log = logging.getLogger(__name__)


def syncs_commands(settings: DiscordSettings) -> bool:
    """Whether this process syncs: it holds shard 0, or ``shard_ids`` is unset (all shards)."""
    return settings.shard_ids is None or 0 in settings.shard_ids


async def sync_commands(tree: app_commands.CommandTree, settings: DiscordSettings) -> None:
    """Put ``tree``'s commands to ``settings.guild_id`` (copied from the global ones) or
    globally, if this process is the one to; an HTTP error is logged, not raised: the bot
    still posts digests, and the commands keep their last synced form."""
    if not syncs_commands(settings):
        log.info("the process holding Discord shard 0 syncs the commands")
        return
    guild_id = settings.guild_id
    try:
        if guild_id:
            guild = discord.Object(id=int(guild_id))
            tree.copy_global_to(guild=guild)
            synced = await tree.sync(guild=guild)
        else:
            synced = await tree.sync()
    except discord.HTTPException as err:
        log.error("syncing the /arxiv commands failed: HTTP %s %s", err.status, err.text[:200])
        return
    log.info("synced %d command(s) %s", len(synced), f"to guild {guild_id}" if guild_id else "globally")
