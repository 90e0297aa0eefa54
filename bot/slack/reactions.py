"""Slack's 👍 and 👎 on cards: the ``reaction_added`` and ``reaction_removed`` listeners.

A reaction on one of our card messages is held for the channel's ranking
(``bot/reactions.py``); any other emoji, or a reaction on any other message, is ignored.
Slack delivers an event again when its ack was late: each ``event_id`` is counted once
(``Store.claim_event``, as for thread questions), claimed only once the message is
known to be a card, so that the table holds no other channel traffic.
Needs the ``reactions:read`` scope and the two events subscribed (README).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.reactions import record, vote
from bot.threads import card_of
from digest.models import ChannelRef
from digest.store import Store

log = logging.getLogger(__name__)


def listen_for_reactions(app: AsyncApp, store: Store) -> None:
    """Register the two reaction listeners on ``app``."""
    reactions = _Reactions(store)
    app.event("reaction_added")(reactions.on_added)
    app.event("reaction_removed")(reactions.on_removed)


class _Reactions:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def on_added(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        await self._react(body, event, added=True)

    async def on_removed(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        await self._react(body, event, added=False)

    async def _react(self, body: dict[str, Any], event: dict[str, Any], *, added: bool) -> None:
        item, user = event.get("item") or {}, event.get("user")
        value = vote(event.get("reaction") or "")
        if value is None or item.get("type") != "message" or not user or not item.get("ts"):
            return  # another emoji, or a reaction on a file
        channel = ChannelRef("slack", body.get("team_id") or "", item.get("channel") or "")
        # Store calls run off the loop: a stalled database must not hold up other acks.
        if await asyncio.to_thread(card_of, self._store, channel, item["ts"]) is None:
            return
        event_id = body.get("event_id")
        if not event_id or not await asyncio.to_thread(self._store.claim_event, "slack", event_id):
            log.info("reaction event %s already counted; ignoring the redelivery", event_id)
            return
        await asyncio.to_thread(record, self._store, channel, item["ts"], user, value, added=added)
