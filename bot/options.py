"""The options of ``subscribe`` and ``edit`` (``day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10
terms=… topic=…``): read from the words of a command and checked, one message at a time.

Pure and platform-free, shared by the grammar (``bot/commands.py``) and so by the chat
adapters and the operator's command line (``bot/cli_subscriptions.py``). A bad value
raises ``CommandError`` saying what was wrong and how to write it.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.command_errors import CommandError, Phrase
from bot.manage_text import Refusal
from bot.reactions_text import TEXTS as LEARN_TEXTS
from bot.usage_text import USAGE_TEXT
from config.settings import LANGUAGES
from digest.arxiv.topic_parser import TopicError
from digest.arxiv.topics import to_query
from digest.text.visible import visible

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_PAPERS = (1, 100)
BUDGET_DEFAULT = -1  # budget=default: the workspace's budget again
MAX_BUDGET = 2_000_000_000  # tokens a month: the column's 32-bit range, with room  # the bounds of config.settings.DefaultsSettings.max_papers
# Values that may hold spaces: quoted, or running to the next option.
LONG = ("terms", "topic")
# Names people reach for, used only to suggest the real key (not accepted silently).
OPTION_HINTS = {
    "weekday": "day",
    "hour": "time",
    "at": "time",
    "zone": "tz",
    "timezone": "tz",
    "language": "lang",
    "lng": "lang",
    "max_papers": "max",
    "papers": "max",
    "n": "max",
    "query": "terms",
    "search": "terms",
    "keywords": "terms",
}
# terms="synthetic data": a quoted value may hold spaces; these open and close it.
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u300c": "\u300d"}


@dataclass(frozen=True)
class Fields:
    """What ``subscribe`` or ``edit`` asks for; None: not given (a default, or unchanged)."""

    topic: str | None = None
    weekday: int | None = None  # 0 = Monday
    time: time | None = None
    tz: str | None = None
    language: str | None = None
    max_papers: int | None = None
    terms: str | None = None  # English search terms used instead of the topic, as given
    learn: bool | None = None  # edit's learn=on|off: the channel's reactions rerank it
    budget: int | None = None  # monthly LLM tokens (0: unlimited; BUDGET_DEFAULT: the workspace's)


def _say(message: str, /, **values: object) -> CommandError:
    return CommandError(message, **values)


def closest(word: str, choices: tuple[str, ...] | list[str], cutoff: float = 0.6) -> str | None:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return match[0] if match else None


def read_options(
    args: list[str], allowed: tuple[str, ...], unknown: Callable[[str, Phrase | str], CommandError]
) -> tuple[dict[str, str], list[str]]:
    """The ``key=value`` options among ``args`` (raw values) and the other words, in order.
    ``unknown(key, hint)`` is the error for a key not ``allowed``."""
    options: dict[str, str] = {}
    words: list[str] = []
    at = 0
    while at < len(args):
        word, at = args[at], at + 1
        # Japanese keyboards type a full-width ＝; NFKC turns it into "=".
        option = unicodedata.normalize("NFKC", word)
        if "=" not in option:
            words.append(word)  # "=" never belongs to a topic: digest.arxiv.topic_parser forbids it
            continue
        key, _, value = option.partition("=")
        key = key.lower()
        if key in LONG:
            value, at = _long_value(args, at, value)
        if key not in allowed:
            guess = OPTION_HINTS.get(key) or closest(key, allowed, cutoff=0.5)
            raise unknown(key, Phrase("did_you_mean", {"word": f"{guess}="}) if guess else "")
        if key in options:
            raise _say("twice", key=key)
        options[key] = value
    return options, words


def checked(options: dict[str, str], topic: str | None = None, empty: str = "no_topic") -> Fields:
    """``options`` checked in a fixed order (one message at a time), then ``topic`` (or
    ``topic=``; ``empty`` is the message when nothing is left of it); raises ``CommandError``."""
    return Fields(
        weekday=weekday(options["day"]) if "day" in options else None,
        time=clock_time(options["time"]) if "time" in options else None,
        tz=zone(options["tz"]) if "tz" in options else None,
        language=language(options["lang"]) if "lang" in options else None,
        max_papers=max_papers(options["max"]) if "max" in options else None,
        terms=terms(options["terms"]) if "terms" in options else None,
        learn=learning(options["learn"]) if "learn" in options else None,
        budget=budget(options["budget"]) if "budget" in options else None,
        topic=searchable(" ".join(topic.split()), empty, "bad_topic") if topic is not None else None,
    )


def _long_value(args: list[str], at: int, first: str) -> tuple[str, int]:
    """The value of ``terms=`` or ``topic=`` (its first word ``first``, the next words from ``args[at]``)
    and the index of the first word after it. Quoted (``terms="synthetic data"``,
    ``terms='"a phrase" OR b'``), it ends at the closing quote and topic words may follow;
    bare (``terms=synthetic data``), it runs to the next option."""
    close = _QUOTES.get(first[:1])
    end = at
    if close is None:
        while end < len(args) and "=" not in unicodedata.normalize("NFKC", args[end]):
            end += 1
        return " ".join([first, *args[at:end]]), end
    words = [first[1:]]  # the opening quote does not close the value
    while not words[-1].endswith(close) and end < len(args):
        words.append(unicodedata.normalize("NFKC", args[end]))
        end += 1
    value = " ".join(words)
    return value.removesuffix(close), end


def terms(value: str) -> str:
    return searchable(" ".join(value.split()), "no_terms", "bad_terms")


def normalized(text: str) -> str:
    """``text`` as it is stored, searched and language-checked: NFKC (full-width ``ＬＬＭ`` is
    ``LLM``, half-width ｶﾀｶﾅ full-width カタカナ; kana and kanji unchanged), then without
    invisible characters and with its spaces collapsed (``digest.text.visible``)."""
    return visible(unicodedata.normalize("NFKC", text))


def searchable(text: str, empty: str, bad: str) -> str:
    """``text`` ``normalized`` when arXiv can search it; else the usage error ``empty``
    (nothing visible) or ``bad`` (its reason)."""
    if not (text := normalized(text)):
        raise _say(empty)
    try:
        to_query(text)
    except TopicError as exc:
        raise _say(bad, reason=str(exc)) from None
    return text


def weekday(value: str) -> int:
    day = value.lower()
    for i, (short, full) in enumerate(zip(WEEKDAYS, _FULL_DAYS, strict=True)):
        if day in (short, full):
            return i
    raise _say("bad_day", value=value)


def clock_time(value: str) -> time:
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _say("bad_time", value=value)
    return time(int(match.group(1)), int(match.group(2)))


@functools.cache
def _zones() -> dict[str, str]:
    """Lowercased IANA name -> its canonical spelling (``asia/tokyo`` -> ``Asia/Tokyo``)."""
    return {name.lower(): name for name in available_timezones()}


def zone(value: str) -> str:
    zones = _zones()
    if (name := zones.get(value.lower())) is not None:
        return name
    if not zones:  # no zone list on this system (no tzdata): ask zoneinfo directly
        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
    guess = closest(value.lower(), list(zones), cutoff=0.8)
    hint = Phrase("tz_hint", {"zone": zones[guess]}) if guess else ""
    raise _say("bad_tz", value=value, hint=hint)


def language(value: str) -> str:
    if value.lower() not in LANGUAGES:
        raise _say("bad_lang", value=value, languages=", ".join(LANGUAGES))
    return value.lower()


def max_papers(value: str) -> int:
    low, high = MAX_PAPERS
    if not re.fullmatch(r"[0-9]{1,6}", value):
        raise _say("bad_max", value=value, low=low, high=high)
    if not low <= int(value) <= high:
        raise _say("max_range", value=value, low=low, high=high)
    return int(value)


def learning(value: str) -> bool:
    """``learn=on`` or ``learn=off`` (also yes/no, true/false, 1/0)."""
    if (word := value.lower()) in ("on", "yes", "true", "1"):
        return True
    if word in ("off", "no", "false", "0"):
        return False
    raise Refusal("bad_learn", catalog=LEARN_TEXTS, value=value)


def budget(value: str) -> int:
    """``budget=``: tokens a month (``500000``, ``500k``, ``2m``; 0: unlimited) or ``default``."""
    word = value.lower().replace(",", "").replace("_", "")
    if word == "default":
        return BUDGET_DEFAULT
    match = re.fullmatch(r"([0-9]{1,10})([km]?)", word)
    tokens = int(match.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2)] if match else -1
    if not 0 <= tokens <= MAX_BUDGET:
        raise Refusal("bad_budget", catalog=USAGE_TEXT, value=value, most=f"{MAX_BUDGET:,}")
    return tokens
