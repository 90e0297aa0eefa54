"""Who pays for an LLM call: the account a call is charged to, and where its tokens go.

Every completion's ``usage`` (prompt and completion tokens, as the server reports them)
is recorded by ``LLMClient`` against the account in force when the call is made:

- ``charged_to(account)`` sets it for a block of work (a context variable, so tasks
  started inside the block inherit it: a card summarised once for several channels is
  charged to the run whose task started it, the first to ask);
- ``ask(..., account=...)`` / ``complete_json(..., account=...)`` name it for one call.

No account in force (the CLI's ``digest``, the demo, tests): the tokens are counted on
the client (``prompt_tokens``, ``completion_tokens``) and recorded nowhere.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from digest.models import NO_SUBSCRIPTION, ChannelRef


@dataclass(frozen=True)
class Account:
    """What a call is charged to: a subscription of a channel, or the channel itself
    (``subscription_id`` ``NO_SUBSCRIPTION``: an ``/arxiv paper`` card, a topic's English
    terms asked before its subscription exists, an answer in such a card's thread)."""

    channel: ChannelRef
    subscription_id: int = NO_SUBSCRIPTION


class UsageSink(Protocol):
    """Where tokens are recorded (``Store.record_usage``); called off the event loop."""

    def record_usage(self, account: Account, month: str, prompt_tokens: int, completion_tokens: int) -> None: ...


_ACCOUNT: contextvars.ContextVar[Account | None] = contextvars.ContextVar("llm_account", default=None)


def current_account() -> Account | None:
    return _ACCOUNT.get()


@contextlib.contextmanager
def charged_to(account: Account | None) -> Iterator[None]:
    """LLM calls made in the block (and in tasks it starts) are charged to ``account``;
    None leaves the account in force unchanged."""
    if account is None:
        yield
        return
    token = _ACCOUNT.set(account)
    try:
        yield
    finally:
        _ACCOUNT.reset(token)


def month_of(moment: datetime) -> str:
    """The accounting month of ``moment``: ``YYYY-MM`` in UTC (budgets reset on the 1st, 00:00 UTC)."""
    return f"{moment.astimezone(timezone.utc):%Y-%m}"


def this_month() -> str:
    return month_of(datetime.now(timezone.utc))
