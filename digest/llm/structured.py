"""One way to ask the LLM for a typed answer, shared by cards and thread answers.

``ask`` sends the messages through ``LLMClient.complete_json`` (which takes the JSON out
of reasoning blocks, fences and prose), validates it into a pydantic model whose
``mode="before"`` validators coerce what is harmless (a null optional field, list
markers, whitespace, over-long text fitted), then runs the caller's ``review``: the
faults that are really wrong (a wrong bullet count, the wrong language, a missing
headline, an invented figure). Only those are re-asked, once, naming each fault. The
answer comes back with whatever faults remain, so the caller decides what a reader sees.

Why not ``instructor``: no release installs beside our pins (it caps ``jiter<0.15``,
which openai 3.51 outgrew, and ``rich<15``); forced in, only its MD_JSON mode extracts
JSON at all (taking a trailing "[1]" for the answer), it has no format negotiation (a
500 for ``json_schema`` fails every card), and its deadline is checked between attempts
only. We borrow its ideas: validation context, a re-ask built from the fault.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from digest.llm.client import LLMClient
from digest.llm.errors import LLMError, LLMResponseError
from digest.llm.retries import Budget
from digest.llm.usage import Account

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class Fault:
    """One thing wrong with an answer; ``kind`` lets the caller decide, ``message`` tells the model."""

    kind: str  # e.g. "count", "missing", "language", "figure", "leak", "invalid", "unreadable"
    message: str
    where: str = ""  # the field: "headline", "bullets[2]", "answer"


@dataclass(frozen=True)
class Reply(Generic[T]):
    """The last answer that had the right shape (None if none did) and what is still wrong with it."""

    value: T | None
    faults: tuple[Fault, ...]
    asks: int  # completions made for it
    error: str = ""  # why no answer came at all (transport, deadline), "" otherwise

    @property
    def usable(self) -> bool:
        return self.value is not None and not self.faults


Review = Callable[[T], Sequence[Fault]]


async def ask(
    llm: LLMClient,
    messages: list[dict[str, Any]],
    answer: type[T],
    *,
    schema: dict[str, Any],
    name: str,
    context: dict[str, Any] | None = None,
    review: Review[T] | None = None,
    again: Callable[[Sequence[Fault]], str],
    reasks: int = 1,
    budget: Budget | None = None,
    account: Account | None = None,
) -> Reply[T]:
    """Ask, validate into ``answer``, review; re-ask up to ``reasks`` times for real faults.

    ``again(faults)`` writes the re-ask's instruction. One ``budget`` (default: a fresh
    ``llm.budget()``) covers every call, retries included. Never raises for the LLM: a
    server that gives no answer yields ``Reply(error=...)`` with the last good value, if any.
    Every call's tokens are charged to ``account`` (default: the one in force,
    ``digest.llm.usage.charged_to``).
    """
    budget = budget or llm.budget()
    value: T | None = None  # the latest answer of the right shape ...
    kept: list[Fault] = []  # ... and its faults
    for attempt in range(reasks + 1):
        try:
            data = await llm.complete_json(messages, schema, name, budget=budget, account=account)
        except LLMResponseError as err:  # refusal, empty, no object: worth one more try
            previous, faults = err.content, [Fault("unreadable", str(err))]
        except LLMError as err:  # no answer after the retries or the deadline: asking again won't help
            return Reply(value, tuple(kept), attempt, error=str(err))
        else:
            previous = json.dumps(data, ensure_ascii=False)
            try:
                candidate = answer.model_validate(data, context=context)
            except ValidationError as err:
                faults = [Fault("invalid", _explain(err))]
            else:
                value, faults = candidate, list(review(candidate)) if review else []
                kept = faults
                if not faults:
                    return Reply(value, (), attempt + 1)
        log.info("%s answer %d unusable: %s", name, attempt + 1, "; ".join(f.message for f in faults))
        if attempt < reasks:
            messages = [
                *messages,
                {"role": "assistant", "content": previous or "(empty answer)"},
                {"role": "user", "content": again(faults)},
            ]
    return Reply(value, tuple(kept if value is not None else faults), reasks + 1)


def _explain(err: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg'].removeprefix('Value error, ')}"
        for e in err.errors()
    )
