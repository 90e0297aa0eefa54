"""What the engine needs from a chat platform, one protocol per user: ``DigestPort`` for
the deliverer (headers, cards, notices), ``ThreadPort`` for thread answers."""

from __future__ import annotations

from typing import Protocol

from digest.models import Card, ChannelRef, Digest, MessageRef, ThreadRef


class ChatError(Exception):
    """A send failed for certain: nothing was posted; worth retrying later."""


class ChatPermissionError(ChatError):
    """The bot may not post in the channel (removed, no access): retrying will not help."""


class ChatReplyLost(ChatError):
    """The request went out but its answer did not come back: the message may exist."""


class DigestPort(Protocol):
    """Posting digests: every post carries an idempotency key, so a lost reply is found again."""

    platform: str

    async def post_header(self, channel: ChannelRef, digest: Digest, key: str) -> MessageRef:
        """Post a digest's header message carrying the idempotency ``key``."""

    async def post_card(self, channel: ChannelRef, card: Card, digest: Digest, key: str) -> MessageRef:
        """Post one paper card carrying the idempotency ``key``."""

    async def find_posted(self, channel: ChannelRef, key: str) -> MessageRef | None:
        """The recent message carrying ``key``, if the platform has it (reconciles a lost reply)."""

    async def post_notice(self, channel: ChannelRef, text: str, key: str) -> MessageRef:
        """Post a short plain message of the bot's own (a digest failing, then resolved)
        carrying the idempotency ``key``, as headers and cards do."""


class ThreadPort(Protocol):
    """Answering in a card's thread: what both adapters' question handling posts through.

    Only what every platform honours. Opening a thread and the typing indicator are
    Discord's own (``DiscordPort.thread_for``, ``typing``): a Slack thread is its card's
    message, and Slack has no typing indicator for bots; editing a placeholder into the
    answer is Slack's own (``SlackPort.edit``).
    """

    async def reply(self, thread: ThreadRef, text: str) -> MessageRef:
        """Post ``text`` in ``thread`` as the bot, unable to ping anyone (mentions escaped or
        disabled, shortened to the platform's limit). Raises ``ChatError``."""
