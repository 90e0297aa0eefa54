"""A post in flight when its delivery is cancelled: let it land, and record it.

A request already sent cannot be called back; if the delivery stopped without recording
its message, the next owner would look the post up too early, miss it and post it again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from digest.models import MessageRef

POST_SETTLE_SECONDS = 30.0  # a post in flight when its delivery is cancelled may still land this long


async def landed(posting: asyncio.Future[MessageRef], record: Callable[[MessageRef], Awaitable[None]]) -> MessageRef:
    """The post's message, even when the delivery is cancelled meanwhile.

    A request already sent cannot be called back: cancelled (the lead lost, a shutdown),
    the delivery lets it land for up to ``POST_SETTLE_SECONDS`` and records it before it
    stops, so that the next owner, looking the post up, finds it instead of posting it
    again before the first one lands."""
    try:
        return await asyncio.shield(posting)
    except asyncio.CancelledError:
        done, _ = await asyncio.wait([posting], timeout=POST_SETTLE_SECONDS)
        if done and not posting.cancelled() and posting.exception() is None:
            with contextlib.suppress(Exception):
                await record(posting.result())
        else:
            posting.cancel()
        raise
