"""Reactions on cards, platform-free: a member's 👍 or 👎 on a card message to the store.

Both adapters go the same way (``bot/slack/reactions.py``, ``bot/discord/reactions.py``):
the emoji is read as +1, -1 or nothing (``vote``), and ``record`` (blocking: run it off
the event loop) finds the card behind the message in the ledger (``bot.threads.card_of``)
and holds or takes away the member's reaction to its paper in that channel
(``Store.react`` / ``Store.unreact``). Anything that is not one of our cards is ignored.
"""

from __future__ import annotations

import logging

from bot.threads import card_of
from digest.models import ChannelRef
from digest.store import Store

log = logging.getLogger(__name__)

# Slack's names (with or without a skin tone: "+1::skin-tone-3") and Discord's characters.
LIKE = frozenset({"+1", "thumbsup", "\N{THUMBS UP SIGN}"})
DISLIKE = frozenset({"-1", "thumbsdown", "\N{THUMBS DOWN SIGN}"})


def vote(emoji: str) -> int | None:
    """+1 for a 👍, -1 for a 👎 (any skin tone), None for any other emoji."""
    base = emoji.split("::", 1)[0]
    base = "".join(ch for ch in base if not 0x1F3FB <= ord(ch) <= 0x1F3FF)  # Unicode skin-tone modifiers
    return 1 if base in LIKE else -1 if base in DISLIKE else None


def record(store: Store, channel: ChannelRef, message_id: str, user_id: str, value: int, *, added: bool) -> bool:
    """Hold (``added``) or take away ``user_id``'s ``value`` on the card posted as ``message_id``
    in ``channel``; False when the message is not one of our cards (nothing is stored)."""
    found = card_of(store, channel, message_id)
    if found is None:
        return False
    paper = found.card.paper
    if added:
        store.react(channel, paper.arxiv_id, paper.version, user_id, value)
    else:
        store.unreact(channel, paper.arxiv_id, user_id, value)
    log.info("%s %+d on %s in %s", "reaction" if added else "reaction removed", value, paper.arxiv_id, channel.channel_id)
    return True
