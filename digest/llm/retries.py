"""LLM retries within one deadline: the ``Budget`` of seconds, and the retry loop inside it.

The loop retries with tenacity's exponential backoff, honouring Retry-After. A ``Budget``
covers every retry of a call and, when the caller passes the same budget again, its
re-asks: a hung server costs a card that long, not that long per attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import tenacity

from digest.llm.errors import LLMError
from digest.retry import Transient, wait_retry_after

RETRY_AFTER_MAX = 60.0  # seconds: a longer Retry-After is capped (the deadline still rules)

T = TypeVar("T")


@dataclass
class Budget:
    """Seconds of server time left to one piece of work (a card, an answer), retries included."""

    seconds: float
    spent: float = field(default=0.0)

    @property
    def left(self) -> float:
        return max(0.0, self.seconds - self.spent)


class Retryable(Transient):
    """A failed attempt worth another; ``error`` is raised once the retries are spent."""

    def __init__(self, error: LLMError, retry_after: float | None = None) -> None:
        super().__init__(str(error), retry_after)
        self.error = error


def backoff_wait(backoff: float) -> tenacity.wait.wait_base:
    """The wait before a retry: the server's Retry-After (at most ``RETRY_AFTER_MAX`` s),
    else exponential from ``backoff`` seconds, at most 20 s."""
    return wait_retry_after(tenacity.wait_exponential(multiplier=backoff, max=20), cap=RETRY_AFTER_MAX)


@contextlib.asynccontextmanager
async def within(budget: Budget, what: str) -> AsyncIterator[None]:
    """The block runs within what is left of ``budget``, and the time it takes is spent.

    Raises ``LLMError`` ("{what} within the N s deadline") when the budget runs out.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        async with asyncio.timeout(budget.left):
            yield
    except TimeoutError:
        raise LLMError(f"{what} within the {budget.seconds:g} s deadline (DIGEST_LLM_DEADLINE)") from None
    finally:
        budget.spent += loop.time() - started


async def retried(
    send: Callable[[], Awaitable[T]],
    *,
    budget: Budget,
    where: str,
    attempts: int,
    wait: tenacity.wait.wait_base,
    before_sleep: Callable[[tenacity.RetryCallState], None],
) -> T:
    """``send()``, tried up to ``attempts`` times while it raises ``Retryable``, all within
    what is left of ``budget``. Raises the last ``Retryable``'s ``error``, or ``LLMError``
    when the budget is spent; ``where`` names the request in those messages.
    """
    if budget.left <= 0:
        raise LLMError(f"{where}: no time left of the {budget.seconds:g} s deadline")
    retrying = tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(attempts),
        wait=wait,
        retry=tenacity.retry_if_exception_type(Retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        async with within(budget, f"{where} gave no answer"):
            async for attempt in retrying:
                with attempt:
                    return await send()
    except Retryable as failure:
        raise failure.error from None
    raise AssertionError("unreachable")  # pragma: no cover
