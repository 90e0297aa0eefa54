"""`digest-bot preview "<topic>" [--terms ...] [--max N] [--lang ja] [--to DATE]`: what a topic
would have picked in the last 7 days, as ``/arxiv preview`` shows it in a channel.

The same checks of the topic as subscribing (``bot/options.py``; a topic not in English
needs ``--terms`` or a configured LLM: ``Subscriptions.search_terms``) and the same
papers (``bot.preview.preview``, over the bot's own engine and store: the harvested
announcements when they cover the week, else arXiv's search). Prints a table of score,
arXiv id and title, then the arXiv query. Nothing is subscribed, posted or summarised.

Exit codes: 0 done, 1 arXiv unavailable, 2 a bad topic or option (nothing was asked of
arXiv) or configuration.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.app import build_engine, build_llm, build_store, load_settings
from bot.cli_output import err, fail, language_option
from bot.cli_subscriptions import operator_form
from bot.command_errors import CommandError
from bot.options import checked
from bot.preview import Preview, last_week, preview as preview_of
from bot.preview_text import TEXTS
from bot.schedule import digest_window
from bot.subscriptions import Subscriptions
from config.settings import Settings
from digest.arxiv.source import ArxivUnavailable
from digest.i18n import label
from digest.models import Window

# The chat's advice for a topic in another language, as this command takes it.
_SUBSCRIBE_TERMS = re.compile(r'/arxiv subscribe (.+?) terms="([^"]*)"')


def _fail(message: str, code: int) -> typer.Exit:
    """One line on standard error; a chat reply's advice in this command's form."""
    return fail(operator_form(_SUBSCRIBE_TERMS.sub(r'digest-bot preview "\1" --terms "\2"', message)), code)


def preview(
    topic: Annotated[str, typer.Argument(help='Free text ("synthetic data") or arXiv query syntax, as subscribed.')],
    terms: Annotated[str | None, typer.Option(help="English search terms for a topic in another language.")] = None,
    max_papers: Annotated[int | None, typer.Option("--max", min=1, max=100, help="Papers a digest holds; default: the setting.")] = None,
    lang: Annotated[str | None, typer.Option(callback=language_option, help="Language of the texts printed.")] = None,
    to: Annotated[datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day of the 7 (default: today).")] = None,
) -> None:
    """Show what a topic would have picked in the last 7 days: scores, ids, titles and its arXiv query."""
    settings = load_settings()
    language = lang or settings.defaults.language
    try:
        fields = checked({"terms": terms} if terms is not None else {}, topic)
    except CommandError as problem:
        raise _fail(problem.text(language), 2) from None
    assert fields.topic is not None
    tz = settings.defaults.timezone
    window = digest_window(None, to.date(), tz) if to else last_week(datetime.now(timezone.utc), tz)
    found = _run(settings, fields.topic, fields.terms, window, max_papers or settings.defaults.max_papers, language)
    _print(found, language)


def _run(settings: Settings, topic: str, terms: str | None, window: Window, max_papers: int, language: str) -> Preview:
    store = build_store(settings)
    llm = build_llm(settings)
    engine = build_engine(settings, store, llm)

    async def run() -> Preview:
        try:
            rules = Subscriptions(store, settings.defaults, settings.channels, llm)
            searched = await rules.search_terms(topic, terms)  # refused as subscribing would be
            with err.status(TEXTS.text(language, "working", topic=topic, start=window.start, end=window.end)):
                return await preview_of(engine, topic, window, max_papers=max_papers, search_terms=searched)
        finally:
            await engine.aclose()  # the summariser's client: the LLM's

    try:
        return asyncio.run(run())
    except CommandError as refused:
        raise _fail(refused.text(language), 2) from None
    except ArxivUnavailable as problem:
        raise _fail(f"{problem}\nNothing was previewed; try again in a few minutes.", 1) from None
    finally:
        store.close()


def _print(found: Preview, language: str) -> None:
    say = TEXTS.text
    out = Console(width=max(Console().width, 120))
    window = {"topic": found.topic, "start": found.window.start, "end": found.window.end}
    if not found.picked:
        out.print(escape(say(language, "cli_empty", **window)), highlight=False)
    else:
        shown = len(found.picked)
        out.print(escape(say(language, "cli_header", matched=found.matched, shown=shown, max=found.max_papers, **window)),
                  highlight=False)  # fmt: skip
        table = Table(show_edge=False)
        table.add_column(say(language, "col_score"), justify="right")
        table.add_column(say(language, "col_id"), no_wrap=True)
        table.add_column(say(language, "col_title"))
        for scored in found.picked:
            paper = scored.paper
            table.add_row(f"{scored.score:.2f}", paper.arxiv_id, escape(" ".join(paper.title.split())))
        out.print(table)
    if found.missing:
        out.print(escape(label(language, "arxiv_short", got=found.matched, total=found.matched + found.missing)))
    out.print(escape(say(language, "cli_query", query=found.query)), highlight=False, soft_wrap=True)
    if found.search_terms:
        out.print(escape(say(language, "cli_terms", terms=found.search_terms)), highlight=False, soft_wrap=True)
