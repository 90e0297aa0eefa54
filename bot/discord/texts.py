"""Every sentence only Discord users see: a ``digest.i18n.Catalog`` (``DISCORD`` of ``bot/lang/*.py``).

The command grammar's own messages and the handlers' replies live in
``bot/command_text.py`` and are shared with Slack; these are the Discord adapter's
additions: the card button, thread prompts, and why a channel refused the bot.
"""

from __future__ import annotations

from bot.lang import tables
from digest.i18n import Catalog

TEXTS = Catalog(tables("DISCORD"))
say = TEXTS.text  # say(language, "ask_button")

# Why Discord refused the bot in a channel: shown as the paused subscription's reason.
PERMISSION = {
    50001: "the bot cannot see <#{channel}> (Missing Access): give it View Channel there",
    50013: "the bot lacks a permission in <#{channel}> (Missing Permissions): give it View Channel, "
    "Send Messages, Embed Links, Read Message History, Create Public Threads and Send Messages in Threads",
    10003: "Discord no longer knows <#{channel}> (Unknown Channel): it was deleted or the bot was removed",
    0: "Discord refused the bot in <#{channel}> (HTTP {status}, code {code}): check its permissions there",
}


def refused(channel_id: str, status: int, code: int) -> str:
    template = PERMISSION.get(code) or (PERMISSION[10003] if status == 404 else PERMISSION[0])
    return template.format(channel=channel_id, status=status, code=code)
