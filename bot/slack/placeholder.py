"""A thread reply that may be slow to write: a placeholder first, edited into the answer.

Slack has no typing indicator for bots, and the first question about a paper reads its
full text before the LLM writes, which takes seconds. So an answer not ready within
``after`` seconds gets a short placeholder reply ("Reading the paper…") that
``chat.update`` then turns into the answer; a fast answer is posted directly. The
threshold keeps the placeholder's costs to slow answers only: a rate-limited post, and
thread followers being notified of the placeholder rather than of the answer (Slack
does not notify edits).

Nothing is lost: if the placeholder cannot be posted, or cannot be edited, the answer
is posted as a new reply (next to a placeholder left behind). A placeholder is also
left behind if the process dies while the answer is written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from bot.slack.port import SlackPort
from bot.threads import post_reply
from digest.delivery.ports import ChatError
from digest.models import ThreadRef

log = logging.getLogger(__name__)


async def reply_in_time(
    port: SlackPort, thread: ThreadRef, answer: Awaitable[str], *, after: float, placeholder: str
) -> None:
    """Post what ``answer`` gives in ``thread``, behind ``placeholder`` when it takes over ``after`` s.

    ``answer`` must not raise: it gives the failure text itself, which replaces the
    placeholder like an answer would.
    """
    job = asyncio.ensure_future(answer)
    try:
        done, _ = await asyncio.wait({job}, timeout=after)
        shown = None if done else await post_reply(port, thread, placeholder)
        text = await job
    finally:
        job.cancel()  # only does something when this listener is cancelled mid-answer
    if shown is not None:
        try:
            await port.edit(shown, text)
            return
        except ChatError as err:  # logged by the port
            log.warning("placeholder %s not replaced (%s); posting the answer anew", shown.message_id, err)
    await post_reply(port, thread, text)
