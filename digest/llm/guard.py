"""Output checks every LLM text passes before a reader sees it, cards and answers alike (pure).

Defence in depth: the prompts fence untrusted text (paper text, questions), and these
checks still catch what an obedient model copied from it: a line of the system prompt,
a string shaped like a secret, a mention that would notify people.
"""

from __future__ import annotations

import re

# <@U123> <#C123|general> <!channel> (Slack), <@123> <@&123> <#123> (Discord): plain text.
_MENTION = re.compile(r"<([@#!][^<>\s]{1,80})>")
_BROADCAST = re.compile(r"([@＠])(everyone|here|channel)\b", re.I)
# OpenAI keys, Slack bot/user/app tokens, Discord bot tokens (their documented shapes).
_SECRET = re.compile(
    r"\b(?:sk-[A-Za-z0-9_-]{12,}|xox[abprs]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}"
    r"|[MNO][A-Za-z\d_-]{23,27}\.[\w-]{6}\.[\w-]{27,})"
)
REDACTED = "[redacted]"
PROMPT_LINE_CHARS = 40  # shorter lines ("Rules for the answer:") may be quoted innocently


def redact(text: str) -> str:
    """``text`` with anything shaped like an API key or a chat token replaced by [redacted]."""
    return _SECRET.sub(REDACTED, text)


def clean(text: str) -> str:
    """Text safe to post: no notifying mentions, no channel links, nothing token-shaped."""
    text = _MENTION.sub(lambda m: m.group(1), text)
    text = _BROADCAST.sub(lambda m: f"{m.group(1)}\u200b{m.group(2)}", text)
    return redact(text)


def leaks_prompt(text: str, system: str) -> bool:
    """True when ``text`` repeats a line of the system prompt (asked to reveal it, it did)."""
    flat = " ".join(text.split()).lower()
    lines = [" ".join(line.split()).lower() for line in system.splitlines()]
    return any(len(line) >= PROMPT_LINE_CHARS and line in flat for line in lines)
