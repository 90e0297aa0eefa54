"""``/arxiv preview <topic> [options]``: what a topic would have picked in the last week,
shown only to the person asking, so that it can be tuned before a channel gets anything.

A handler of ``bot.handlers.CommandHandlers`` kept apart by its job. The topic goes
through subscribe's checks (``bot/options.py``; a topic not in English needs English
terms, given or chosen by the LLM: ``Subscriptions.search_terms``, refused as subscribe
refuses it); the papers are ``bot.preview.preview``'s. The reply is ephemeral, holds
linked titles and scores, no card and no summary, and is cut to the platform's message
limit with a count of the papers left out (``preview_text``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.invocation import Invocation, Reply, Update
from bot.preview import Preview, last_week, preview
from bot.preview_text import TEXTS
from digest.arxiv.source import ArxivUnavailable
from digest.i18n import label
from digest.models import Paper
from digest.text.textfit import fit

if TYPE_CHECKING:
    from bot.commands import PreviewCmd
    from bot.handlers import CommandHandlers

log = logging.getLogger(__name__)

# Characters of one message's text: Discord's content limit; Slack's for a message's text
# as shown (longer is cut by Slack), counted after the adapter's escaping (``slack_length``).
LIMITS = {"discord": 2000, "slack": 4000}
TITLE_CHARS = 200  # a title longer than this is shortened: the list is for skimming
QUERY_CHARS = 600  # a long query is shortened in the reply (the CLI prints it whole)


def _say(key: str, language: str, /, **values: object) -> str:
    return TEXTS.text(language, key, **values)


async def preview_reply(handlers: CommandHandlers, invocation: Invocation, command: PreviewCmd) -> Reply:
    """The preview of ``command.fields.topic`` (its ``max``, ``terms`` and ``tz``; the
    other options of subscribe are accepted and mean nothing here), as work after the ack."""
    language = invocation.language or handlers.defaults.language
    fields = command.fields
    assert fields.topic is not None  # the grammar refuses a preview without one
    topic = fields.topic
    terms = await handlers.subscriptions.search_terms(topic, fields.terms)  # a Refusal: shown by handle()
    window = last_week(handlers.clock(), fields.tz or handlers.defaults.timezone)
    max_papers = fields.max_papers or handlers.defaults.max_papers
    working = _say("working", language, topic=topic, start=window.start, end=window.end)

    async def work(update: Update) -> str:
        await update(working)
        try:
            found = await preview(handlers.deliverer.engine, topic, window, max_papers=max_papers, search_terms=terms)
        except ArxivUnavailable as err:
            log.warning("/arxiv preview of %r could not be built: %s", topic, err)
            return _say("error", language, topic=topic, error=err)
        return chat_text(found, language, invocation.platform)

    return Reply(working, work=work)


def slack_length(text: str) -> int:
    """``text``'s length once the Slack adapter has escaped ``&``, ``<`` and ``>`` as entities."""
    return len(text) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">"))


def chat_text(found: Preview, language: str, platform: str) -> str:
    """The preview as one message for ``platform``: a header, one line per paper (score,
    linked title), the query, the terms searched, and a footer; papers that would not fit
    in the platform's limit are left out from the end and counted."""
    measure: Callable[[str], int] = slack_length if platform == "slack" else len
    limit = LIMITS.get(platform, LIMITS["discord"])
    window = {"topic": found.topic, "start": found.window.start, "end": found.window.end}
    if found.picked:
        head = [_say("header", language, matched=found.matched, shown=len(found.picked), max=found.max_papers, **window)]
    else:
        head = [_say("empty", language, **window)]
    if found.missing:
        head.append(label(language, "arxiv_short", got=found.matched, total=found.matched + found.missing))
    lines = [
        _say("line", language, rank=rank, score=f"{scored.score:.2f}", link=_link(scored.paper, platform))
        for rank, scored in enumerate(found.picked, start=1)
    ]
    tail = [_say("query", language, query=fit(found.query.replace("`", "'"), QUERY_CHARS))]
    if found.search_terms:
        tail.append(_say("terms", language, terms=fit(found.search_terms.replace("`", "'"), QUERY_CHARS)))
    tail.append(_say("footer", language))
    for keep in range(len(lines), -1, -1):
        more = [_say("more", language, count=len(lines) - keep)] if keep < len(lines) else []
        text = "\n".join(head + lines[:keep] + more + tail)
        if measure(text) <= limit:
            return text
    return fit(text, limit)  # only a topic of thousands of characters gets here


def _link(paper: Paper, platform: str) -> str:
    """``paper``'s title linked to its abstract page: a masked link on Discord (its preview
    embed suppressed), the title and the address on Slack (whose adapter escapes ``<``, so
    the address is linked by Slack itself). Markup in an untrusted title stays text."""
    url = f"https://arxiv.org/abs/{paper.arxiv_id}"
    title = fit(" ".join(paper.title.split()), TITLE_CHARS)
    if platform == "discord":
        title = title.replace("[", "(").replace("]", ")")
        for mark in "\\*_~|`":
            title = title.replace(mark, f"\\{mark}")
        return f"[{title}](<{url}>)"
    return f"{title} · {url}"
