"""Discord's ``bot.ack.Responder`` for one interaction: the reply as its response, or a
"thinking…" deferral edited into the reply; a command's long work edits that one message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import discord

from bot.discord.embeds import CONTENT, DESCRIPTION
from bot.discord.port import NO_MENTIONS
from digest.text.textfit import fit

log = logging.getLogger(__name__)


class Responder:
    """Discord's ``bot.ack.Responder`` for one interaction: the reply as its response, or
    a "thinking…" deferral edited into the reply; work edits that one message."""

    def __init__(self, interaction: discord.Interaction, *, public_when_deferred: bool) -> None:
        self._interaction = interaction
        self._public = public_when_deferred

    async def defer(self) -> None:
        await self._interaction.response.defer(ephemeral=not self._public, thinking=True)

    async def reply(self, text: str, *, ephemeral: bool, deferred: bool) -> None:
        if deferred:
            await self._edit(text)
        else:
            await self._interaction.response.send_message(
                **_message(text), ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
            )

    async def start(self, text: str, *, deferred: bool) -> None:
        await self.reply(text, ephemeral=True, deferred=deferred)  # progress concerns the caller only

    async def progress(self, text: str) -> None:
        await self._edit(text)

    async def finish(self, text: str) -> None:
        if text:
            await self._edit(text)
        else:  # nothing to say: what was asked for is in the channel
            await _quietly(self._interaction.delete_original_response())

    async def _edit(self, text: str) -> None:
        await _quietly(
            self._interaction.edit_original_response(**_message(text), allowed_mentions=NO_MENTIONS)
        )


def _message(text: str) -> dict[str, object]:
    """A reply as Discord takes it: its content (at most 2,000 characters), or, when longer
    (a translated help, a list of many subscriptions), an embed's description (4,096)
    so that nothing is cut; an edit clears what the other form left."""
    if len(text) <= CONTENT:
        return {"content": text, "embeds": []}
    return {"content": None, "embeds": [discord.Embed(description=fit(text, DESCRIPTION))]}


async def _quietly(call: Awaitable[object]) -> None:
    """Progress is a courtesy: a failed edit (token expired after 15 min) never stops work."""
    try:
        await call
    except discord.HTTPException as err:
        log.warning("interaction message update failed: HTTP %s", err.status)
