"""Every sentence only Discord users see: a ``digest.i18n.Catalog`` (English fills gaps).

The command grammar's own messages and the handlers' replies live in
``bot/command_text.py`` and are shared with Slack; these are the Discord adapter's
additions: the card button, thread prompts, and why a channel refused the bot.
"""

from __future__ import annotations

from digest.i18n import Catalog

_EN = {
    "ask_button": "Ask about this paper",
    "thread_prompt": "Ask me anything about **{title}** here: mention me with your question, "
    "or use `/arxiv ask`. I answer from the paper.",
    "thread_opened": "Ask away in {thread}.",
    "thread_failed": "I could not open a thread on this card: {error}",
    "not_a_card": "This message is not one of my paper cards any more, so there is nothing to ask about.",
    "ask_outside": "Use `/arxiv ask` inside a paper card's thread. Press **Ask about this paper** "
    "under a card to open one.",
    "empty_question": "Ask me about this paper right here, e.g. mention me with "
    "\"what data do they train on?\"",
    "answer_failed": "Sorry, I could not answer that just now; please ask again in a minute.",
    "failed": "Something went wrong while handling that command (it is logged); nothing was changed. "
    "Please try again in a minute.",
    "paused_dm": "I could not post the digest of **{topic}** (subscription {id}) in <#{channel}>: {why}. "
    "The subscription is paused, so I will not keep trying. Once that is fixed, resume it with "
    "`/arxiv resume {id}` in that channel (papers already posted there are not posted twice).",
}

_JA = {
    "ask_button": "この論文について質問",
    "thread_prompt": "**{title}** について、ここで質問してください。私にメンションするか `/arxiv ask` "
    "を使ってください。論文をもとに答えます。",
    "thread_opened": "{thread} で質問してください。",
    "thread_failed": "このカードにスレッドを作れませんでした: {error}",
}

TEXTS = Catalog({"en": _EN, "ja": _JA})
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
