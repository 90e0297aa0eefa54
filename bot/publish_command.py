"""``/arxiv publish [on|off]``: whether a channel's thread Q&A is shown on the site's paper pages.

Off by default. Anyone may ask the state; only an admin (``Invocation.is_admin``: a
Slack workspace admin or allowed user, a Discord member with Manage Channels, as for
managing others' subscriptions in ``bot/subscriptions.py``) may switch it, and a refusal
changes nothing. The switch is read when the site is built (``digest/site/questions.py``).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from bot.commands import Publish
from bot.invocation import Invocation, Reply
from bot.publish_text import TEXTS

if TYPE_CHECKING:
    from bot.handlers import CommandHandlers


async def publish_reply(handlers: CommandHandlers, invocation: Invocation, command: Publish) -> Reply:
    """The state (``command.publish`` None), or the switch: public when it changed (the channel
    learns its questions are shown, or no longer), else only to the invoker."""
    language, channel, store = invocation.language or handlers.defaults.language, invocation.channel, handlers.store
    if command.publish is None:
        on, since = await asyncio.to_thread(store.publishes, channel)
        if not on:
            return Reply(TEXTS.text(language, "is_off"))
        return Reply(TEXTS.text(language, "is_on", since=f"{since:%Y-%m-%d %H:%M} UTC" if since else "?"))
    if not invocation.is_admin:
        return Reply(TEXTS.text(language, "admins_only"))
    changed = await asyncio.to_thread(store.set_publishing, channel, command.publish, datetime.now(timezone.utc))
    if not changed:
        return Reply(TEXTS.text(language, "already_on" if command.publish else "already_off"))
    return Reply(TEXTS.text(language, "now_on" if command.publish else "now_off"), ephemeral=False)
