"""``/arxiv paper``: one paper's card in a channel, through the ledger like a digest's, at most once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from digest.models import NO_SUBSCRIPTION, PAPER_TOPIC, ChannelRef, DigestRun, Held, Paper, Window
from digest.text.ranking import Scored

if TYPE_CHECKING:
    from digest.delivery.deliverer import Deliverer


@dataclass(frozen=True)
class PaperPost:
    """What ``Deliverer.post_paper`` did: delivered ``run`` now, or nothing (``held``)."""

    run: DigestRun | None  # the run delivered by this call ("done", or "failed" with its error)
    held: Held | None = None  # the channel held the paper already: where


class PaperPosts:
    """The papers a ``Deliverer`` posts on demand, with how many callers wait on each run."""

    def __init__(self, deliverer: Deliverer) -> None:
        self._deliverer = deliverer
        self._asked: dict[str, tuple[asyncio.Lock, int]] = {}

    async def post(self, channel: ChannelRef, paper: Paper, language: str, key: str, tz: str) -> PaperPost:
        """``paper``'s card in ``channel``, through the ledger like a digest's, at most once.

        The run ``key`` (``digest.delivery.keys.paper_key``: one per channel and paper) is
        planned by ``Store.plan_runs`` with one card, no subscription (``NO_SUBSCRIPTION``)
        and no topic (``PAPER_TOPIC``): the paper is claimed for the channel, and the card's
        thread is answered like any card's. A single paper gets no header. A channel that
        holds the paper already (this run posted it, a digest did, or another process is
        posting it) gets nothing: ``held`` says where it is. A run that failed is delivered
        again (a card whose post may have gone out is looked up first). Its own store
        calls run off the event loop.
        """
        lock, waiting = self._asked.get(key) or (asyncio.Lock(), 0)
        self._asked[key] = (lock, waiting + 1)
        try:
            async with lock:  # the same paper asked twice at once here: the second sees the first's run
                return await self._post(channel, paper, language, key, tz)
        finally:
            lock, waiting = self._asked[key]
            if waiting > 1:
                self._asked[key] = (lock, waiting - 1)
            else:
                del self._asked[key]

    async def _post(self, channel: ChannelRef, paper: Paper, language: str, key: str, tz: str) -> PaperPost:
        deliverer, store = self._deliverer, self._deliverer.store
        run = (await asyncio.to_thread(store.get_runs, [key])).get(key)
        if run is None:
            if held := await deliverer.paper_held(channel, paper.arxiv_id):
                return PaperPost(None, held)  # nothing planned: the channel has it from elsewhere
            await asyncio.to_thread(store.put_papers, [paper])
            day = paper.published.astimezone(ZoneInfo(tz)).date()
            new = DigestRun(key, NO_SUBSCRIPTION, channel, PAPER_TOPIC, language, Window(day, day, tz), 1, "delivering",
                            owner=deliverer.owner)  # fmt: skip
            stored, written = await asyncio.to_thread(store.plan_runs, [(new, [Scored(paper, 0.0)])])
            run = stored[key]
            if key not in written:  # another process planned it first: it posts it
                return PaperPost(None, await deliverer.paper_held(channel, paper.arxiv_id))
            if not written[key]:  # a digest claimed the paper meanwhile: the empty run just ends
                await deliverer.deliver(run)
                return PaperPost(None, await deliverer.paper_held(channel, paper.arxiv_id))
        elif run.state != "failed":  # done, or being posted (by another process, or a resume)
            return PaperPost(None, await deliverer.paper_held(channel, paper.arxiv_id))
        return PaperPost(await deliverer.deliver(run))
