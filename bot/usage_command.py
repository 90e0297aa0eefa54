"""``/arxiv usage``: this month's LLM tokens and estimated cost of the channel's
subscriptions, each against its budget, and the channel's own (``/arxiv paper`` cards,
their threads, a topic's English terms asked before its subscription existed).

A handler of ``bot.handlers.CommandHandlers`` kept apart by its job; the budgets and
prices are the deliverer's (``digest.delivery.budget.Budgets``, from ``[budget]``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.invocation import Invocation, Reply
from bot.usage_text import USAGE_TEXT
from digest.delivery.budget import Budgets
from digest.llm.usage import this_month
from digest.models import NO_SUBSCRIPTION, Subscription
from digest.store.usage_store import Usage

if TYPE_CHECKING:
    from bot.handlers import CommandHandlers


def _say(language: str, key: str, /, **values: object) -> str:
    return USAGE_TEXT.text(language, key, **values)


def money(usd: float) -> str:
    """An estimate in dollars: cents, or four decimals below a cent."""
    return f"{usd:.2f}" if usd >= 0.01 or usd == 0 else f"{usd:.4f}"


def budget_text(budgets: Budgets, sub: Subscription, used: int, language: str) -> str:
    """``sub``'s budget as ``/arxiv usage`` shows it: unlimited, or the limit, how much is used, reached."""
    limit = budgets.limit(sub)
    if limit <= 0:
        return _say(language, "unlimited")
    text = _say(language, "limit", limit=f"{limit:,}", percent=round(100 * used / limit))
    return text + (_say(language, "reached") if budgets.reached(used, limit) else "")


def usage_lines(budgets: Budgets, subs: list[Subscription], usage: list[Usage], month: str, language: str) -> str:
    """The reply: a title, a line per subscription, the channel's own line when it used any, the total."""
    if not subs and not usage:
        return _say(language, "none", month=month)
    by_sub = {u.subscription_id: u for u in usage}
    lines = [_say(
        language, "title", month=month,
        prompt=f"{budgets.price_prompt_per_1k:g}", completion=f"{budgets.price_completion_per_1k:g}",
    )]  # fmt: skip
    for sub in subs:
        u = by_sub.get(sub.id) or Usage(sub.id, sub.channel)
        lines.append(_say(
            language, "line", id=sub.id, topic=sub.topic, tokens=f"{u.tokens:,}", prompt=f"{u.prompt_tokens:,}",
            completion=f"{u.completion_tokens:,}", cost=money(budgets.cost(u.prompt_tokens, u.completion_tokens)),
            budget=budget_text(budgets, sub, u.tokens, language),
        ))  # fmt: skip
    # Tokens of subscriptions since removed count in the channel's own line: they were spent here.
    known = {sub.id for sub in subs}
    own = [u for u in usage if u.subscription_id == NO_SUBSCRIPTION or u.subscription_id not in known]
    prompt, completion = sum(u.prompt_tokens for u in own), sum(u.completion_tokens for u in own)
    if prompt + completion:
        lines.append(_say(language, "channel", tokens=f"{prompt + completion:,}", cost=money(budgets.cost(prompt, completion))))
    prompt, completion = sum(u.prompt_tokens for u in usage), sum(u.completion_tokens for u in usage)
    lines.append(_say(language, "total", tokens=f"{prompt + completion:,}", cost=money(budgets.cost(prompt, completion))))
    return "\n".join(lines)


async def usage_reply(self: CommandHandlers, invocation: Invocation) -> Reply:
    """``/arxiv usage`` in ``invocation``'s channel, for whoever asks (it changes nothing)."""
    language = invocation.language or self.defaults.language
    month = this_month()
    subs = await asyncio.to_thread(self.store.list_subscriptions, invocation.channel)
    usage = await asyncio.to_thread(self.store.usage_of, month, invocation.channel)
    return Reply(usage_lines(self.deliverer.budgets, subs, usage, month, language))
