"""The ``/arxiv`` command grammar that Slack and Discord share: text -> typed ``Command``.

Pure and platform-free: each adapter hands over the text after ``/arxiv`` (unescaped
from its wire format) and renders the ``Command`` or the ``CommandError``. Every
user-facing sentence lives in ``bot/command_text.py``; an error says what
was wrong and how to write it, so nothing is changed on bad input.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.command_errors import CommandError, Phrase
from bot.command_text import MESSAGES
from bot.paper_ids import PaperCmd, parse_paper
from config.settings import LANGUAGES
from digest.arxiv.topic_parser import TopicError
from digest.arxiv.topics import to_query
from digest.text.visible import visible

logger = logging.getLogger(__name__)

SUBCOMMANDS = ("subscribe", "unsubscribe", "list", "now", "paper", "help")
OPTIONS = ("day", "time", "tz", "lang", "max", "terms")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_PAPERS = (1, 100)  # the bounds of config.settings.DefaultsSettings.max_papers
# Names people reach for, used only to suggest the real key (not accepted silently).
_OPTION_HINTS = {
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
class Subscribe:
    topic: str
    weekday: int | None = None  # 0 = Monday; None: the configured default
    time: time | None = None
    tz: str | None = None
    language: str | None = None
    max_papers: int | None = None
    terms: str | None = None  # terms=: English search terms used instead of the topic, as given


@dataclass(frozen=True)
class Unsubscribe:
    id: int


@dataclass(frozen=True)
class ListSubs:
    """The channel's subscriptions."""


@dataclass(frozen=True)
class Now:
    id: int | None = None  # None: every subscription of the channel


@dataclass(frozen=True)
class Help:
    """Every subcommand, with examples."""


Command = Subscribe | Unsubscribe | ListSubs | Now | PaperCmd | Help


def help_text(language: str = "en") -> str:
    """Every subcommand with examples, in ``language`` (English when not translated)."""
    low, high = MAX_PAPERS
    return MESSAGES.text(language, "help", languages=", ".join(LANGUAGES), low=low, high=high)


__all__ = ["Command", "CommandError", "PaperCmd", "Phrase", "parse", "parse_paper", "help_text"]


def _say(message: str, /, **values: object) -> CommandError:
    return CommandError(message, **values)


def _phrase(key: str, /, **values: object) -> Phrase:
    return Phrase(key, values)


def _closest(word: str, choices: tuple[str, ...] | list[str], cutoff: float = 0.6) -> str | None:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return match[0] if match else None


def parse(text: str) -> Command:
    """The command in ``text`` (what follows ``/arxiv``); raises ``CommandError``."""
    words = text.split()
    if not words:
        return Help()
    sub, args = words[0].lower(), words[1:]
    if sub == "help":
        return Help()  # "help subscribe" too: whoever asks for help gets all of it
    if sub == "subscribe":
        return _subscribe(args)
    if sub == "list":
        _no_more(sub, args, _phrase("takes_nothing"))
        return ListSubs()
    if sub == "unsubscribe":
        if not args:
            raise _say("no_id", sub=sub)
        _no_more(sub, args[1:], _phrase("takes_one_id"))
        return Unsubscribe(_id(sub, args[0]))
    if sub == "now":
        _no_more(sub, args[1:], _phrase("takes_one_id"))
        return Now(_id(sub, args[0]) if args else None)
    if sub == "paper":
        if not args:
            raise _say("no_paper")
        _no_more(sub, args[1:], _phrase("takes_one_paper"))
        return parse_paper(args[0])
    guess = _closest(sub, SUBCOMMANDS)
    hint = _phrase("did_you_mean", word=guess) if guess else ""
    raise _say("unknown", word=words[0], hint=hint, all=", ".join(SUBCOMMANDS))


def _no_more(sub: str, extra: list[str], takes: Phrase) -> None:
    if extra:
        raise _say("extra", sub=sub, takes=takes, extra=" ".join(extra))


def _id(sub: str, word: str) -> int:
    if not re.fullmatch(r"#?[0-9]{1,18}", word) or int(word.lstrip("#")) == 0:
        raise _say("bad_id", value=word, sub=sub)
    return int(word.lstrip("#"))


def _subscribe(args: list[str]) -> Subscribe:
    options: dict[str, str] = {}
    topic_words: list[str] = []
    at = 0
    while at < len(args):
        word, at = args[at], at + 1
        # Japanese keyboards type a full-width ＝; NFKC turns it into "=".
        option = unicodedata.normalize("NFKC", word)
        if "=" not in option:
            topic_words.append(word)  # "=" never belongs to a topic: digest.arxiv.topic_parser forbids it
            continue
        key, _, value = option.partition("=")
        key = key.lower()
        if key == "terms":
            value, at = _terms_value(args, at, value)
        if key not in OPTIONS:
            guess = _OPTION_HINTS.get(key) or _closest(key, OPTIONS, cutoff=0.5)
            hint = _phrase("did_you_mean", word=f"{guess}=") if guess else ""
            raise _say("unknown_option", key=key, hint=hint)
        if key in options:
            raise _say("twice", key=key)
        options[key] = value
    # Options are checked before the topic, in a fixed order, so one message at a time.
    weekday = _weekday(options["day"]) if "day" in options else None
    at = _time(options["time"]) if "time" in options else None
    tz = _zone(options["tz"]) if "tz" in options else None
    language = _language(options["lang"]) if "lang" in options else None
    max_papers = _max(options["max"]) if "max" in options else None
    terms = _terms(options["terms"]) if "terms" in options else None
    topic = _searchable(" ".join(topic_words), "no_topic", "bad_topic")
    return Subscribe(topic, weekday, at, tz, language, max_papers, terms)


def _terms_value(args: list[str], at: int, first: str) -> tuple[str, int]:
    """The value of ``terms=`` (its first word ``first``, the next words from ``args[at]``)
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


def _terms(value: str) -> str:
    return _searchable(" ".join(value.split()), "no_terms", "bad_terms")


def _searchable(text: str, empty: str, bad: str) -> str:
    """``text`` without invisible characters (``digest.text.visible``) when arXiv can search
    it; else the usage error ``empty`` (nothing visible) or ``bad`` (its reason)."""
    if not (text := visible(text)):
        raise _say(empty)
    try:
        to_query(text)
    except TopicError as exc:
        raise _say(bad, reason=str(exc)) from None
    return text


def _weekday(value: str) -> int:
    day = value.lower()
    for i, (short, full) in enumerate(zip(WEEKDAYS, _FULL_DAYS, strict=True)):
        if day in (short, full):
            return i
    raise _say("bad_day", value=value)


def _time(value: str) -> time:
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _say("bad_time", value=value)
    return time(int(match.group(1)), int(match.group(2)))


@functools.cache
def _zones() -> dict[str, str]:
    """Lowercased IANA name -> its canonical spelling (``asia/tokyo`` -> ``Asia/Tokyo``)."""
    return {name.lower(): name for name in available_timezones()}


def _zone(value: str) -> str:
    zones = _zones()
    if (name := zones.get(value.lower())) is not None:
        return name
    if not zones:  # no zone list on this system (no tzdata): ask zoneinfo directly
        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
    guess = _closest(value.lower(), list(zones), cutoff=0.8)
    hint = _phrase("tz_hint", zone=zones[guess]) if guess else ""
    raise _say("bad_tz", value=value, hint=hint)


def _language(value: str) -> str:
    if value.lower() not in LANGUAGES:
        raise _say("bad_lang", value=value, languages=", ".join(LANGUAGES))
    return value.lower()


def _max(value: str) -> int:
    low, high = MAX_PAPERS
    if not re.fullmatch(r"[0-9]{1,6}", value):
        raise _say("bad_max", value=value, low=low, high=high)
    if not low <= int(value) <= high:
        raise _say("max_range", value=value, low=low, high=high)
    return int(value)
