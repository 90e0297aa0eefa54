"""Discord across processes: which gateway shards this process runs, and whether it syncs.

Discord splits a bot's guilds over ``shard_count`` gateway connections and sends every
event of a guild, interactions included, on one of them: shard
``(guild_id >> 22) % shard_count``, direct messages on shard 0
(https://discord.com/developers/docs/events/gateway#sharding). Each ``digest-bot run``
process opens the shards ``discord.shard_ids`` of ``discord.shard_count``, so a guild's
commands, questions and reactions reach the process that holds its shard and no other;
discord.py's ``AutoShardedClient`` does the connecting (``shard_ids``/``shard_count``).
Both settings unset: one process, as many shards as ``GET /gateway/bot`` recommends
(discord.py's default). Posting needs no shard: REST reaches every channel from any process.

Application commands are the application's, not a shard's: one process syncs them
(``bot/discord/sync.py``).
"""

from __future__ import annotations

from typing import Any

from config.settings import DiscordSettings


def shard_options(settings: DiscordSettings) -> dict[str, Any]:
    """``AutoShardedClient`` keyword arguments: ``shard_count`` (None: ask Discord) and,
    when set, this process's ``shard_ids``; without ``shard_ids`` it runs all of them."""
    options: dict[str, Any] = {"shard_count": settings.shard_count}
    if settings.shard_ids is not None:
        options["shard_ids"] = list(settings.shard_ids)
    return options


def described(settings: DiscordSettings) -> str:
    """This process's shards for the start's log line: ``shards 0-1 of 4``, ``shards 0, 2 of
    4``, or ``as many shards as Discord recommends``."""
    if settings.shard_count is None:
        return "as many shards as Discord recommends"
    ids = settings.shard_ids if settings.shard_ids is not None else list(range(settings.shard_count))
    contiguous = ids == list(range(ids[0], ids[-1] + 1))
    shown = f"{ids[0]}-{ids[-1]}" if contiguous and len(ids) > 1 else ", ".join(map(str, ids))
    return f"shard{'s' if len(ids) > 1 else ''} {shown} of {settings.shard_count}"
