"""A subscription's digest delivered through the ledger: every card at most once, in order.

``plan`` builds the digest and writes its ledger rows (header and cards, all pending)
before anything is sent; ``deliver`` walks the rows in order and posts what is
missing. A row is marked ``sending`` before its post and ``sent`` (with the message
id) after, each in its own transaction, so a run killed at any point resumes on the
next call: rows left ``sending`` or ``unknown`` are first looked up on the platform
by their idempotency key and posted only if they are not there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from digest.models import HEADER, Card, DigestRun, Delivery, Digest, Subscription, Window
from digest.pipeline import Engine
from digest.ports import ChatError, ChatPermissionError, ChatPort, ChatReplyLost
from digest.store import Store

log = logging.getLogger(__name__)


@dataclass
class Deliverer:
    engine: Engine
    store: Store
    ports: Mapping[str, ChatPort]
    bullets: int = 4

    async def plan(self, subscription: Subscription, window: Window, key: str) -> DigestRun:
        """The run ``key`` of ``subscription``, planned now unless it already was."""
        if (run := self.store.get_run(key)) is not None:
            return run
        digest = await self.engine.build(
            subscription.topic,
            window,
            language=subscription.language,
            max_papers=subscription.max_papers,
            bullets=self.bullets,
            # A channel never gets the same paper twice, whatever its version or week.
            exclude=self.store.papers_in_channel(subscription.channel),
        )
        run = DigestRun(
            key=key,
            subscription_id=subscription.id,
            channel=subscription.channel,
            topic=subscription.topic,
            language=subscription.language,
            window=window,
            candidates=digest.candidates,
            state="delivering",
        )
        return self.store.plan_run(run, digest.cards)

    async def deliver(self, run: DigestRun) -> DigestRun:
        """Post the run's missing messages in order; the returned run says how it ended."""
        port = self.ports[run.channel.platform]
        rows = self.store.deliveries(run.key)
        digest = self._digest(run, rows)
        cards = {card.rank: card for card in digest.cards}
        try:
            for row in rows:
                if row.state == "sent":
                    continue
                if row.state in ("sending", "unknown"):
                    # The last attempt may have posted it: look before posting again.
                    found = await port.find_posted(run.channel, row.idempotency_key)
                    if found is not None:
                        self.store.mark(run.key, row.position, "sent", message_id=found.message_id)
                        continue
                self.store.mark(run.key, row.position, "sending")
                try:
                    if row.position == HEADER:
                        message = await port.post_header(run.channel, digest, row.idempotency_key)
                    else:
                        message = await port.post_card(run.channel, cards[row.position], digest, row.idempotency_key)
                except ChatReplyLost as err:
                    self.store.mark(run.key, row.position, "unknown", error=str(err))
                    raise
                except ChatError as err:
                    self.store.mark(run.key, row.position, "failed", error=str(err))
                    raise
                self.store.mark(run.key, row.position, "sent", message_id=message.message_id)
        except ChatPermissionError as err:
            log.warning("pausing subscription %d: %s", run.subscription_id, err)
            self.store.set_paused(run.subscription_id, str(err))
            self.store.finish_run(run.key, "failed", str(err))
        except ChatError as err:
            log.warning("digest %s stopped, to be retried: %s", run.key, err)
            self.store.finish_run(run.key, "failed", str(err))
        else:
            self.store.finish_run(run.key, "done")
        final = self.store.get_run(run.key)
        assert final is not None
        return final

    async def run(self, subscription: Subscription, window: Window, key: str) -> DigestRun:
        return await self.deliver(await self.plan(subscription, window, key))

    def _digest(self, run: DigestRun, rows: list[Delivery]) -> Digest:
        """The digest as planned, rebuilt from the ledger (the cards' text is in it)."""
        rows = [row for row in rows if row.position != HEADER]
        papers = self.store.get_papers((row.arxiv_id, row.version) for row in rows)
        cards = []
        for row in rows:
            paper = papers.get((row.arxiv_id, row.version))
            if paper is None or row.text is None:
                raise LookupError(f"run {run.key}: paper {row.arxiv_id}v{row.version} is missing from the store")
            cards.append(Card(paper, row.text, rank=row.position, score=row.score))
        return Digest(run.topic, run.window, run.language, tuple(cards), candidates=run.candidates)
