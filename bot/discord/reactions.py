"""Discord's 👍 and 👎 on cards: the raw reaction gateway events, to the store.

Reactions rather than two buttons beside "Ask about this paper": the same gesture as on
Slack, a count every member sees on the card itself, and nothing for the bot to answer
(a button press must be acknowledged, and a second press would have to mean "take it
back"). The raw events arrive whether or not the message is in discord.py's cache (a
card posted before a restart is not); they need the ``guild_reactions`` intent
(GUILD_MESSAGE_REACTIONS), which is not privileged. The store's writes are idempotent (one reaction per member and
card), so an event replayed on a resumed session changes nothing.
"""

from __future__ import annotations

import asyncio

import discord

from bot.reactions import record, vote
from digest.models import ChannelRef
from digest.store import Store


class Reactions:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def on_raw(self, event: discord.RawReactionActionEvent, me: int | None) -> None:
        """A reaction added or removed on any message the bot can see; ``me``: the bot's user id."""
        value = vote(event.emoji.name or "") if event.emoji.is_unicode_emoji() else None
        if value is None or event.guild_id is None or event.user_id == me:
            return  # another emoji, a direct message, or the bot itself
        channel = ChannelRef("discord", str(event.guild_id), str(event.channel_id))
        added = event.event_type == "REACTION_ADD"
        # Off the loop: a stalled database must not hold up the gateway.
        await asyncio.to_thread(record, self._store, channel, str(event.message_id), str(event.user_id), value,
                                added=added)  # fmt: skip
