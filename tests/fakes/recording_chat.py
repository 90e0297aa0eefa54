"""RecordingChat: an in-memory DigestPort for the engine's delivery tests.

It keeps every posted message per channel with the idempotency key it carried, and
replays a fault script, one entry per post:

    "permission"   refuse: the bot may not post here (ChatPermissionError)
    "error"        refuse: a definite failure (ChatError), nothing posted
    "lost"         post it, then lose the reply (ChatReplyLost)
    "crash_before" the process dies before the post leaves (Crash)
    "crash_after"  the process dies after the post, before its reply is recorded (Crash)
    None           post normally
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

from digest.models import Card, ChannelRef, Digest, MessageRef, ThreadRef
from digest.delivery.ports import ChatError, ChatPermissionError, ChatReplyLost


class Crash(BaseException):
    """Stands for the process being killed: no handler in the product catches it."""


@dataclass(frozen=True)
class Posted:
    key: str
    kind: str  # "header" | "card" | "reply" | "notice"
    text: str  # the card's arXiv id, the header's topic, the reply or the notice
    message_id: str


class RecordingChat:
    platform = "recording"

    def __init__(self, faults: Iterable[str | None] = ()) -> None:
        self.faults: deque[str | None] = deque(faults)
        self.channels: dict[str, list[Posted]] = defaultdict(list)
        self.lookups = 0
        self._ids = itertools.count(1)

    def posted(self, channel: ChannelRef) -> list[Posted]:
        return self.channels[channel.channel_id]

    def _post(self, channel: ChannelRef, key: str, kind: str, text: str) -> MessageRef:
        fault = self.faults.popleft() if self.faults else None
        if fault == "permission":
            raise ChatPermissionError(f"not allowed to post in {channel.channel_id}")
        if fault == "error":
            raise ChatError("server error")
        if fault == "crash_before":
            raise Crash(key)
        posted = Posted(key, kind, text, str(next(self._ids)))
        self.channels[channel.channel_id].append(posted)
        if fault == "lost":
            raise ChatReplyLost("connection reset")
        if fault == "crash_after":
            raise Crash(key)
        return MessageRef(channel, posted.message_id)

    async def post_header(self, channel: ChannelRef, digest: Digest, key: str) -> MessageRef:
        return self._post(channel, key, "header", digest.topic)

    async def post_card(self, channel: ChannelRef, card: Card, digest: Digest, key: str) -> MessageRef:
        return self._post(channel, key, "card", card.paper.arxiv_id)

    async def post_notice(self, channel: ChannelRef, text: str, key: str) -> MessageRef:
        return self._post(channel, key, "notice", text)

    async def find_posted(self, channel: ChannelRef, key: str) -> MessageRef | None:
        self.lookups += 1
        for posted in self.channels[channel.channel_id]:
            if posted.key == key:
                return MessageRef(channel, posted.message_id)
        return None

    async def reply(self, thread: ThreadRef, text: str) -> MessageRef:
        return self._post(thread.channel, f"reply:{thread.thread_id}", "reply", text)

    async def card_reply(self, card: MessageRef, title: str, text: str) -> MessageRef:
        """A version note in the card's thread: a reply whose thread is the card's message."""
        return await self.reply(ThreadRef(card.channel, card.message_id), text)
