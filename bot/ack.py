"""Acknowledge within the platform's deadline, then work with progress: once, for both platforms.

Slack and Discord drop a command (or a button click) that is not acknowledged within
3 s. The work starts at once; if it is not done within ``budget`` seconds (the part of
the deadline left for the work, the rest is the network's), the platform's
``defer`` acknowledges it empty and the reply follows. A ``Reply.work`` then runs after
the reply, updating one progress message, and its result replaces that message.

The platform supplies the how (``Responder``): Slack acks and posts to the
command's ``response_url``, Discord defers the interaction and edits its response.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from bot.handlers import Reply

log = logging.getLogger(__name__)
T = TypeVar("T")

# Seconds of Slack's and Discord's 3 s acknowledgement deadline left for the work: the
# rest is the network's.
ACK_BUDGET = 2.0


async def within(work: Awaitable[T], budget: float, defer: Callable[[], Awaitable[None]]) -> tuple[T, bool]:
    """``work``'s result, and whether it was late: not done within ``budget`` seconds,
    in which case ``defer`` was awaited first (while the work went on)."""
    job = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({job}, timeout=budget)
    if not done:
        await defer()
    return await job, not done


class Responder(Protocol):
    """How one platform answers one command: made per invocation by the adapter."""

    async def defer(self) -> None:
        """Acknowledge now, with nothing to show yet: the reply comes later."""

    async def reply(self, text: str, *, ephemeral: bool, deferred: bool) -> None:
        """Show the command's reply, on the acknowledgement or, once ``deferred``, after it."""

    async def start(self, text: str, *, deferred: bool) -> None:
        """Show the first line of work to come, as the one progress message only the caller sees."""

    async def progress(self, text: str) -> None:
        """Replace the progress message; best effort, never raises (it must not stop the work)."""

    async def finish(self, text: str) -> None:
        """Replace the progress message by the result; "" removes it (what was asked for is
        in the channel). Best effort, never raises."""


async def answer_command(
    reply: Awaitable[Reply], responder: Responder, *, budget: float, failed: str | Callable[[], Awaitable[str]],
    what: str,
) -> None:
    """Acknowledge ``reply`` within ``budget`` seconds, show it, and run its work with progress.

    ``reply`` is the handlers' answer (it never raises: adapters turn a failure into a
    ``Reply``); ``failed`` is the platform's text for work that raised, or a function
    giving it (called only then, when the reply has told the adapter the invoker's
    language); ``what`` names the command in the log ("/arxiv now").
    """
    answer, late = await within(reply, budget, responder.defer)
    if answer.work is None:
        await responder.reply(answer.text, ephemeral=answer.ephemeral, deferred=late)
        return
    await responder.start(answer.text, deferred=late)
    try:
        final = await answer.work(responder.progress)
    except Exception:
        log.exception("%s failed after the ack", what)
        final = failed if isinstance(failed, str) else await failed()
    await responder.finish(final)
