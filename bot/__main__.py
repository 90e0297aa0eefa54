"""`digest-bot` command line: demo, digest, run, worker, status, config check (bot/config_check.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markdown import Markdown
from typer.core import TyperGroup, TyperOption

from bot.app import NO_PLATFORM, build_budgets, build_store, engine, load_settings
from bot.cli_subscriptions import app as subscriptions_app
from bot.config_check import config_app
from bot.demo.arxiv_feed import ArxivFeedServer
from bot.cli_output import err, fail as _fail, language_option
from bot.cli_site import site_app
from bot.cli_preview import preview
from bot.logs import log_level, setup_logging
from bot.options import normalized
from bot.progress import RichProgress
from bot.queue_status import queue_lines, queue_status
from bot.runner import run_bot
from bot.status import status_table, subscription_status
from bot.unreachable import ServiceUnreachable
from config.settings import ConfigError, Settings
from digest.models import Digest, Window
from digest.cards.render import digest_json, digest_markdown
from digest.arxiv.source import ArxivUnavailable
from digest.arxiv.topic_parser import TopicError
from digest.store import StoreUnavailable

class _Commands(TyperGroup):
    """Every command's settings and store problems as one clear message, never a traceback:
    bad settings (a refused token too) exit 2, a database or chat service that cannot be reached
    exits 1 (sub-apps included)."""

    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except ConfigError as problem:
            raise _fail(str(problem), 2) from None
        except (StoreUnavailable, ServiceUnreachable) as problem:
            raise _fail(str(problem), 1) from None

    def get_help_option(self, ctx: typer.Context) -> TyperOption | None:
        return _as_flag(super().get_help_option(ctx))

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            _flags_as_flags(command, ctx)
        return name, command, rest


def _as_flag(option: TyperOption | None) -> TyperOption | None:
    """A flag shown as ``--online``, not typer's ``--online <bool>`` (it takes no value)."""
    if option is not None and option.is_flag:
        option.metavar = ""
    return option


def _flags_as_flags(command: Any, ctx: typer.Context) -> None:
    """Every flag of ``command`` and of its subcommands, ``--help`` included, shown as a flag."""
    _as_flag(command.get_help_option(ctx))
    for param in command.params:
        if isinstance(param, TyperOption):
            _as_flag(param)
    for sub in getattr(command, "commands", {}).values():
        _flags_as_flags(sub, ctx)


HELP = (
    "digest-bot: weekly digests of new arXiv papers for Slack and Discord channels. run starts the bot; "
    "worker takes its digest jobs from the queue (PostgreSQL) and posts them; "
    "subscriptions and status manage and show what it posts; digest, preview and demo build a digest here; "
    "site builds the web pages; config check checks the settings."
)
app = typer.Typer(cls=_Commands, no_args_is_help=True, add_completion=False, help=HELP)
app.add_typer(config_app, name="config")
app.add_typer(site_app, name="site")  # digest-bot site build|serve
app.add_typer(subscriptions_app, name="subscriptions")  # digest-bot subscriptions list|add|edit|...
app.command()(preview)  # digest-bot preview "<topic>": bot/cli_preview.py

SAMPLE_WEEK = Path(__file__).parent / "demo" / "sample_week.xml"
DEMO_TOPIC, DEMO_START, DEMO_END = "synthetic data", date(2024, 4, 19), date(2024, 4, 25)


class Format(str, Enum):
    markdown = "markdown"
    json = "json"


def _notes(result: Digest) -> None:
    for note in result.notes:
        err.print(f"[yellow]note:[/] {note}")
    if any(card.text.summarizer == "extractive:llm-failed" for card in result.cards):
        err.print("[yellow]note:[/] the LLM warnings above say why; `digest-bot config check` shows the LLM settings")


def _build(settings: Settings, topic: str, window: Window, language: str, max_papers: int) -> Digest:
    try:
        with engine(settings) as eng, RichProgress(err) as progress:

            async def build() -> Digest:
                try:
                    digest = await eng.build(
                        topic, window, language=language, max_papers=max_papers, bullets=settings.defaults.bullets,
                        progress=progress,
                    )  # fmt: skip
                    # The week at a glance opens it, as it opens a chat header (one LLM call, or the themes).
                    glance = await eng.overview(digest.cards, topic, language) if digest.cards else None
                    return replace(digest, overview=glance.sentences) if glance else digest
                finally:
                    await eng.aclose()

            return asyncio.run(build())
    except TopicError as problem:
        raise _fail(f"invalid topic: {problem}", 2) from None
    except ArxivUnavailable as problem:
        raise _fail(f"{problem}\nNothing was written; try again in a few minutes.") from None


def _unwritable(output: Path) -> str | None:
    """Why a file cannot be written at ``output``, or None."""
    folder = output.parent
    if output.is_dir():
        return "is a folder; give a file name, e.g. --output digest.md"
    if not folder.is_dir():
        return f"the folder {folder} does not exist; create it first (mkdir -p {folder})"
    if not os.access(folder, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
        return "this user may not write there"
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "digest"


@app.command()
def digest(
    topic: Annotated[str, typer.Option(help='Free text ("synthetic data") or arXiv query syntax.')],
    start: Annotated[datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (inclusive); default: 6 days before --to.")] = None,
    end: Annotated[datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (inclusive); default: today.")] = None,
    lang: Annotated[str | None, typer.Option(callback=language_option, help="Reader's language.")] = None,
    max_papers: Annotated[int | None, typer.Option("--max", min=1, max=100, help="Cards to keep.")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.markdown,
    output: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Build the digest of a topic for a window of days from the arXiv API."""
    if output is not None and (problem := _unwritable(output)):
        # Checked first, before the settings, arXiv and the LLM: their work must not be lost at the end.
        raise _fail(f"--output {output}: {problem}; nothing was fetched", 2)
    settings = load_settings()
    tz = settings.defaults.timezone
    last = end.date() if end else datetime.now(ZoneInfo(tz)).date()
    first = start.date() if start else last - timedelta(days=6)
    if last < first:
        raise typer.BadParameter(f"--to {last} is before --from {first}", param_hint="--to")
    result = _build(
        settings,
        normalized(topic),  # as a channel's topic is: NFKC, invisible characters gone, "" refused as empty
        Window(first, last, tz),
        lang or settings.defaults.language,
        max_papers or settings.defaults.max_papers,
    )
    text = (
        json.dumps(digest_json(result), ensure_ascii=False, indent=2) + "\n"
        if fmt is Format.json
        else digest_markdown(result, site_url=settings.site.url)  # DIGEST_SITE_URL: cards link their paper pages
    )
    _notes(result)
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"Wrote {len(result.cards)} card{'' if len(result.cards) == 1 else 's'} to {output}")
    else:
        typer.echo(text, nl=False)


@app.command()
def demo(
    lang: Annotated[str | None, typer.Option(callback=language_option, help="Reader's language.")] = None,
    max_papers: Annotated[int, typer.Option("--max", min=1, max=100, help="Cards to keep.")] = 5,
) -> None:
    """Build the digest of a bundled sample week, offline, and print it."""
    settings = load_settings()
    out_dir = Path(settings.defaults.output_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as problem:  # a file of that name, no permission: before any work, one line
        raise _fail(f"cannot use {out_dir} for the demo's output (DIGEST_DEFAULTS_OUTPUT_DIR): {problem}", 2) from None
    with ArxivFeedServer(SAMPLE_WEEK) as server:
        err.print(f"Serving the bundled sample week on {server.url} (a stand-in for arXiv's API)")
        settings = settings.model_copy(
            update={
                "arxiv": settings.arxiv.model_copy(update={"api_url": server.url}),
                # The sample's abstracts are partly paraphrased: keep its cache apart.
                "database": settings.database.model_copy(update={"url": f"sqlite:///{out_dir / 'demo.db'}"}),
            }
        )
        if not settings.llm.configured:
            err.print("No LLM configured (OPENAI_API_KEY / OPENAI_BASE_URL): cards are extractive.")
        language = lang or settings.defaults.language
        result = _build(settings, DEMO_TOPIC, Window(DEMO_START, DEMO_END, settings.defaults.timezone), language, max_papers)
    markdown = digest_markdown(result)
    Console().print(Markdown(markdown.split("---\n", 2)[2]))  # the front matter is for sites
    path = out_dir / f"{_slug(DEMO_TOPIC)}_{DEMO_START}_{DEMO_END}.md"
    path.write_text(markdown, encoding="utf-8")
    _notes(result)
    err.print(f"\n{len(result.cards)} of {result.candidates} papers; Markdown written to {path}")


@app.command()
def run() -> None:
    """Run the bot: serve the chat commands and deliver the weekly digests (until SIGTERM)."""
    settings = load_settings()
    if not settings.slack.enabled and not settings.discord.enabled:
        raise _fail(NO_PLATFORM, 2)
    log_level(logging.INFO)  # a service: say what it does (bot/logs.py keeps it to what matters)
    asyncio.run(run_bot(settings))  # a ConfigError or StoreUnavailable: _Commands says it


@app.command()
def worker() -> None:
    """Take digest jobs from the queue (DIGEST_QUEUE_ENABLED, PostgreSQL) until SIGTERM: no chat events."""
    from bot.worker import run_worker

    settings = load_settings()
    log_level(logging.INFO)
    asyncio.run(run_worker(settings))  # a ConfigError (the queue off, no platform): _Commands says it


@app.command()
def status() -> None:
    """List the subscriptions, their next digest, and how the last run of each ended."""
    settings = load_settings()
    store = build_store(settings)
    try:
        rows = subscription_status(store, datetime.now(timezone.utc))
        for line in queue_lines(queue_status(store.engine), settings.queue.enabled):  # bot/queue_status.py
            err.print(line, highlight=False, markup=False, soft_wrap=True)
    finally:
        store.close()
    if not rows:
        err.print("No subscriptions yet: add one in a channel with /arxiv subscribe <topic>, or here with "
                  "digest-bot subscriptions add <channel> <topic>.")
        return
    table = status_table(rows, settings.scheduler.max_attempts, build_budgets(settings))
    Console(width=max(Console().width, 180)).print(table)


def main() -> None:
    setup_logging()
    app()


if __name__ == "__main__":
    main()
