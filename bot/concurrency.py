"""What the tick and the recovery share to run side by side: a lock per subscription, and
gathering that logs a failure instead of letting it stop the others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Iterable
from typing import Any

from bot.gate import ShuttingDown

log = logging.getLogger(__name__)


class SubscriptionLocks:
    """One lock per subscription: a subscription's digests are planned and delivered one at a time."""

    def __init__(self) -> None:
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def busy(self, subscription_id: int) -> bool:
        return self._locks[subscription_id].locked()

    def of(self, subscription_id: int) -> asyncio.Lock:
        return self._locks[subscription_id]

    @contextlib.asynccontextmanager
    async def holding(self, subscription_ids: Iterable[int]) -> AsyncIterator[None]:
        """All their locks, taken in one order everywhere, so that batches never deadlock."""
        async with contextlib.AsyncExitStack() as held:
            for sub_id in sorted(set(subscription_ids)):
                await held.enter_async_context(self._locks[sub_id])
            yield


async def gather_logged(work: Iterable[Awaitable[Any]]) -> list[Any]:
    """Run concurrently; one subscription's failure is logged, never stops the others.
    The results, less the failures and the Nones."""
    results = await asyncio.gather(*work, return_exceptions=True)
    for result in results:
        if isinstance(result, Exception):
            log_failure(result)
    return [r for r in results if r is not None and not isinstance(r, BaseException)]


def log_failure(err: BaseException) -> None:
    if isinstance(err, ShuttingDown):
        log.info("%s; the next start finishes the digest", err)
    else:
        log.error("a scheduled digest failed", exc_info=err)
