"""Monthly LLM budgets: when a subscription's digest stops asking the LLM, and the one notice.

A subscription's limit is its own (``/arxiv edit <id> budget=<tokens>``), else its
workspace's (``Budgets.workspaces``), else ``monthly_tokens``; 0 is unlimited. Its month
(UTC) is *reached* once the tokens charged to it are at least ``near`` x the limit:
``near`` < 1 leaves room for the cards already being written when the limit is crossed
(a card costs about 1,000 tokens). From then on its cards are the cached LLM cards
other channels paid for, else extractive cards labelled ``extractive:budget``; and its
channel is told once that month, just before the first such card
(``Store.claim_budget_notice``: once however many runs, processes or retries).

Thread answers and a topic's English terms are counted, not capped: they are asked
for by a person waiting for the reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from digest.delivery.budget_text import BUDGET_TEXT
from digest.delivery.keys import budget_key
from digest.delivery.ports import ChatError, ChatReplyLost, DigestPort
from digest.llm.usage import Account, this_month
from digest.models import NO_SUBSCRIPTION, DigestRun, Subscription
from digest.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Budgets:
    """The budget settings (``[budget]``): tokens per month, per workspace, and how near is reached."""

    monthly_tokens: int = 0  # 0: unlimited
    workspaces: Mapping[str, int] = field(default_factory=dict)  # workspace id -> tokens (0: unlimited)
    near: float = 0.9  # the fraction of the limit at which cards turn extractive
    # USD per 1,000 tokens, for estimates only (defaults: gpt-4o-mini's list price)
    price_prompt_per_1k: float = 0.00015
    price_completion_per_1k: float = 0.0006

    def limit(self, sub: Subscription) -> int:
        """``sub``'s monthly tokens (0: unlimited)."""
        if sub.budget is not None:
            return sub.budget
        return self.workspaces.get(sub.channel.workspace_id, self.monthly_tokens)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """The estimated cost in USD of so many tokens, at the configured prices."""
        return (prompt_tokens * self.price_prompt_per_1k + completion_tokens * self.price_completion_per_1k) / 1000

    def reached(self, used: int, limit: int) -> bool:
        return limit > 0 and used >= self.near * limit

    def run(self, store: Store, run: DigestRun, port: DigestPort) -> RunBudget:
        """``run``'s account and budget, for its delivery through ``port``."""
        return RunBudget(self, store, run, port)


class RunBudget:
    """One run's account and budget: ``reached()`` before each card, ``tell()`` before the
    first card the budget made extractive."""

    def __init__(self, budgets: Budgets, store: Store, run: DigestRun, port: DigestPort) -> None:
        self._budgets, self._store, self._run, self._port = budgets, store, run, port
        self.account = Account(run.channel, run.subscription_id)
        self._sub: Subscription | None = None
        self._told = False

    async def limit(self) -> int:
        """The monthly tokens of the run's subscription; 0: unlimited (or no subscription)."""
        if self._run.subscription_id == NO_SUBSCRIPTION:
            return 0
        if self._sub is None:
            self._sub = await asyncio.to_thread(self._store.get_subscription, self._run.subscription_id)
            if self._sub is None:  # removed while delivering
                return 0
        return self._budgets.limit(self._sub)

    async def reached(self) -> bool:
        """True when this month's tokens of the run's subscription are at or near its limit."""
        if (limit := await self.limit()) <= 0 or self._sub is None:
            return False
        used = await asyncio.to_thread(self._store.subscription_tokens, self._sub.id, this_month())
        return self._budgets.reached(used, limit)

    async def tell(self) -> None:
        """Tell the channel, once per subscription and month, that its cards turn extractive."""
        if self._told or self._sub is None:
            return
        self._told = True
        sub, month = self._sub, this_month()
        if not await asyncio.to_thread(self._store.claim_budget_notice, sub.id, month):
            return  # told already this month
        text = BUDGET_TEXT.text(
            sub.language, "notice", topic=sub.topic, id=sub.id, limit=f"{self._budgets.limit(sub):,}",
            percent=round(self._budgets.near * 100),
        )  # fmt: skip
        try:
            await self._port.post_notice(sub.channel, text, budget_key(sub.id, month))
        except ChatReplyLost as err:  # it may be there: never posted twice
            log.warning("budget notice of subscription %d: %s", sub.id, err)
        except Exception as err:  # not told: tried again at its next card over budget
            log.warning("budget notice of subscription %d not posted: %s", sub.id, err)
            await asyncio.to_thread(self._store.release_budget_notice, sub.id, month)
            if not isinstance(err, ChatError):
                raise  # shutting down: the digest stops here as at any post
