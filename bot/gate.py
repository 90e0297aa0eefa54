"""A gate on the digest posts of chat ports, closed when the bot stops (SIGTERM).

Once closed, no new post starts: the one in flight finishes and the ledger marks it
sent, and the run stops before the next one. That row stays ``sending`` with nothing
sent; the next start looks it up on the platform (finding nothing) and posts it. So a
stop never leaves a post half-recorded, and never cuts one off mid-request.
"""

from __future__ import annotations

from collections.abc import Mapping

from digest.models import Card, ChannelRef, Digest, MessageRef
from digest.delivery.ports import DigestPort


class ShuttingDown(Exception):
    """A post refused because the bot is stopping; the next start posts it."""


class PostGate:
    """Lets digest posts (headers and cards) through until ``close``."""

    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def wrap(self, ports: Mapping[str, DigestPort]) -> dict[str, DigestPort]:
        return {name: _GatedPort(port, self) for name, port in ports.items()}


class _GatedPort:
    def __init__(self, port: DigestPort, gate: PostGate) -> None:
        self.platform, self._port, self._gate = port.platform, port, gate

    def _check(self, key: str) -> None:
        if self._gate.closed:
            raise ShuttingDown(f"stopping before posting {key}")

    async def post_header(self, channel: ChannelRef, digest: Digest, key: str) -> MessageRef:
        self._check(key)
        return await self._port.post_header(channel, digest, key)

    async def post_card(self, channel: ChannelRef, card: Card, digest: Digest, key: str) -> MessageRef:
        self._check(key)
        return await self._port.post_card(channel, card, digest, key)

    async def find_posted(self, channel: ChannelRef, key: str) -> MessageRef | None:
        return await self._port.find_posted(channel, key)

    async def post_notice(self, channel: ChannelRef, text: str, key: str) -> MessageRef:
        self._check(key)
        return await self._port.post_notice(channel, text, key)
