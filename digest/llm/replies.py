"""The JSON object in a model's reply, taken out of whatever the server wraps it in.

Reasoning blocks (``<think>…</think>``, also when only the closing tag is there, as
DeepSeek-R1 templates emit), code fences, prose before or after. When several objects
appear (a draft in the reasoning), the one with the most of the schema's fields wins,
the last on a tie.
"""

from __future__ import annotations

import json
import re
from typing import Any

from digest.llm.errors import LLMResponseError

_REASONING = re.compile(r"<(think|thinking|reasoning|reflection)>.*?</\1>", re.S | re.I)
_REASONING_CLOSE = re.compile(r"</(?:think|thinking|reasoning|reflection)>", re.I)
_MAX_CANDIDATES = 200  # '{' positions tried when looking for the object in chatter


def strip_reasoning(text: str) -> str:
    """``text`` without reasoning blocks; everything up to a lone closing tag is reasoning too."""
    text = _REASONING.sub(" ", text)
    closes = list(_REASONING_CLOSE.finditer(text))
    return text[closes[-1].end() :] if closes else text


def extract_object(text: str, fields: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The JSON object in ``text`` that has the most of ``fields`` (the last on a tie), or None.

    ``text`` may hold code fences, prose and drafts around the object; reasoning blocks
    are removed first (``strip_reasoning``).
    """
    text = strip_reasoning(text)
    decoder = json.JSONDecoder()
    best: tuple[int, dict[str, Any]] | None = None
    at, tried = text.find("{"), 0
    while at >= 0 and tried < _MAX_CANDIDATES:
        tried += 1
        try:
            value, end = decoder.raw_decode(text, at)
        except ValueError:
            at = text.find("{", at + 1)
            continue
        if isinstance(value, dict):
            score = sum(name in value for name in fields)
            if best is None or score >= best[0]:
                best = (score, value)
        at = text.find("{", end)
    return best[1] if best else None


def reply_object(choice: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """The object in a Chat Completions ``choice`` (see the module docstring).

    Raises ``LLMResponseError`` (with what the model said) for a refusal, an empty answer
    or one holding no JSON object.
    """
    message = choice.message
    if getattr(message, "refusal", None):
        raise LLMResponseError(f"the model refused: {message.refusal[:200]}", content=message.refusal)
    content = (message.content or "").strip()
    if not content:
        raise LLMResponseError(f"the model answered nothing (finish_reason={choice.finish_reason})", content="")
    fields = tuple(schema.get("required") or schema.get("properties") or ())
    value = extract_object(content, fields)
    if value is None:
        cut = " (cut off at the server's max_tokens)" if choice.finish_reason == "length" else ""
        raise LLMResponseError(f"the answer is not JSON, nor holds a JSON object{cut}: {content[:120]!r}", content=content)
    return value
