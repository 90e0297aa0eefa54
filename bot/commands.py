"""The ``/arxiv`` command grammar that Slack and Discord share: text -> typed ``Command``.

Pure and platform-free: each adapter hands over the text after ``/arxiv`` (unescaped
from its wire format) and renders the ``Command`` or the ``CommandError``. Every
user-facing sentence lives in ``bot/command_text.py``; an error says what
was wrong and how to write it, so nothing is changed on bad input.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
import datetime

from bot.command_errors import CommandError, Phrase
from bot.command_text import MESSAGES
from bot.manage_text import Refusal
from bot.options import MAX_PAPERS, WEEKDAYS, Fields, checked, closest, read_options
from bot.paper_ids import PaperCmd, parse_paper
from bot.publish_text import TEXTS as PUBLISH_TEXTS
from bot.preview_text import TEXTS as PREVIEW_TEXTS
from bot.related_text import TEXTS as RELATED_TEXTS
from digest.text.visible import visible
from config.settings import LANGUAGES

logger = logging.getLogger(__name__)

SUBCOMMANDS = (
    "subscribe", "unsubscribe", "list", "edit", "pause", "resume", "now", "paper", "related", "preview", "publish",
    "usage", "help",
)
OPTIONS = ("day", "time", "tz", "lang", "max", "terms")
EDIT_OPTIONS = (*OPTIONS, "topic", "learn", "budget")
__all__ = ["MAX_PAPERS", "WEEKDAYS"]  # re-exported: the adapters and tests read them here


@dataclass(frozen=True)
class Subscribe:
    topic: str
    weekday: int | None = None  # 0 = Monday; None: the configured default
    time: datetime.time | None = None
    tz: str | None = None
    language: str | None = None
    max_papers: int | None = None
    terms: str | None = None  # terms=: English search terms used instead of the topic, as given

    @property
    def fields(self) -> Fields:
        """What to subscribe, as the rules take it (``bot.subscriptions.Subscriptions.add``)."""
        return Fields(self.topic, self.weekday, self.time, self.tz, self.language, self.max_papers, self.terms)


@dataclass(frozen=True)
class Unsubscribe:
    id: int


@dataclass(frozen=True)
class ListSubs:
    """The channel's subscriptions."""


@dataclass(frozen=True)
class UsageCmd:
    """This month's LLM tokens and estimated cost of the channel's subscriptions."""


@dataclass(frozen=True)
class Now:
    id: int | None = None  # None: every subscription of the channel


@dataclass(frozen=True)
class Edit:
    """Change what ``fields`` gives (None: unchanged) of subscription ``id``."""

    id: int
    fields: Fields


@dataclass(frozen=True)
class Pause:
    id: int


@dataclass(frozen=True)
class Resume:
    id: int


@dataclass(frozen=True)
class Publish:
    """Show (None) or switch the channel's thread Q&A on the site (``bot/publish_command.py``)."""

    publish: bool | None = None


@dataclass(frozen=True)
class PreviewCmd:
    """What ``fields.topic`` would have picked in the last week (``bot/preview_command.py``)."""

    fields: Fields


@dataclass(frozen=True)
class RelatedCmd:
    """The stored papers most like one (``bot/related_command.py``)."""

    arxiv_id: str  # without version


@dataclass(frozen=True)
class Help:
    """Every subcommand, with examples."""


Command = (
    Subscribe | Unsubscribe | ListSubs | Edit | Pause | Resume | Now | PaperCmd | RelatedCmd | PreviewCmd | Publish
    | UsageCmd | Help
)


def help_text(language: str = "en") -> str:
    """Every subcommand with examples, in ``language`` (English when not translated)."""
    low, high = MAX_PAPERS
    return MESSAGES.text(language, "help", languages=", ".join(LANGUAGES), low=low, high=high)


__all__ += ["Command", "CommandError", "PaperCmd", "Phrase", "parse", "parse_paper", "help_text"]


def _say(message: str, /, **values: object) -> CommandError:
    return CommandError(message, **values)


def _phrase(key: str, /, **values: object) -> Phrase:
    return Phrase(key, values)


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
    if sub in ("list", "usage"):
        _no_more(sub, args, _phrase("takes_nothing"))
        return ListSubs() if sub == "list" else UsageCmd()
    if sub in ("unsubscribe", "pause", "resume"):
        if not args:
            raise _say("no_id", sub=sub)
        _no_more(sub, args[1:], _phrase("takes_one_id"))
        return {"unsubscribe": Unsubscribe, "pause": Pause, "resume": Resume}[sub](_id(sub, args[0]))
    if sub == "edit":
        return _edit(args)
    if sub == "now":
        _no_more(sub, args[1:], _phrase("takes_one_id"))
        return Now(_id(sub, args[0]) if args else None)
    if sub == "paper":
        if not args:
            raise _say("no_paper")
        _no_more(sub, args[1:], _phrase("takes_one_paper"))
        return parse_paper(args[0])
    if sub == "publish":
        if len(args) > 1 or (args and args[0].lower() not in ("on", "off")):
            raise Refusal("usage", catalog=PUBLISH_TEXTS, word=" ".join(args))
        return Publish(args[0].lower() == "on" if args else None)
    if sub == "preview":  # subscribe's options and checks; nothing is subscribed
        return _preview(args)
    if sub == "related":
        if not args:
            raise Refusal("related_needs_paper", catalog=RELATED_TEXTS)
        _no_more(sub, args[1:], _phrase("takes_one_paper"))
        return RelatedCmd(parse_paper(args[0]).arxiv_id)
    guess = closest(sub, SUBCOMMANDS)
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
    options, topic_words = read_options(
        args, OPTIONS, lambda key, hint: _say("unknown_option", key=key, hint=hint)
    )
    fields = checked(options, " ".join(topic_words))
    assert fields.topic is not None  # checked() refuses an empty one
    return Subscribe(fields.topic, fields.weekday, fields.time, fields.tz, fields.language, fields.max_papers,
                     fields.terms)  # fmt: skip


def _preview(args: list[str]) -> PreviewCmd:
    options, topic_words = read_options(
        args, OPTIONS, lambda key, hint: Refusal("unknown_option", catalog=PREVIEW_TEXTS, key=key, hint=hint)
    )
    if not visible(" ".join(topic_words)):
        raise Refusal("no_topic", catalog=PREVIEW_TEXTS)
    return PreviewCmd(checked(options, " ".join(topic_words)))


def _edit(args: list[str]) -> Edit:
    if not args or "=" in unicodedata.normalize("NFKC", args[0]):
        raise Refusal("edit_needs_id")
    subscription_id = _id("edit", args[0])
    options, stray = read_options(
        args[1:], EDIT_OPTIONS, lambda key, hint: Refusal("edit_unknown_option", key=key, hint=hint)
    )
    if stray:
        raise Refusal("edit_stray", word=stray[0])
    if not options:
        raise Refusal("edit_nothing", id=subscription_id)
    return Edit(subscription_id, checked(options, options.get("topic"), "empty_topic"))
