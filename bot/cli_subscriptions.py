"""`digest-bot subscriptions list|add|edit|pause|resume|remove`: the chat's commands for operators.

Against the configured store (``DIGEST_DATABASE_URL``), under the same rules as the chat
(``bot/subscriptions.py``: no topic twice in a channel, a channel's size, the checks of a
topic and of every option), with the operator counted as an admin. The words after the
channel or id are the chat's (``synthetic data day=mon time=09:00``, ``topic="LLM
agents"``), parsed by the same grammar (``bot/commands.py``). A channel is named
``slack:<team id>:<channel id>`` or ``discord:<server id>:<channel id>``.

A running bot picks a change up without a restart: its leading process re-reads the
subscriptions table every ``SWEEP_SECONDS`` (``bot/scheduler.py``, 30 s) and re-times,
adds or drops the weekly jobs; each digest reads its subscription from the store anyway.

Exit codes: 0 done, 2 bad input (a refused change, an unknown id, a malformed option or
channel; nothing was changed) or configuration.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Annotated, TypeVar

import typer

from bot import commands
from bot.app import build_llm, build_store, load_settings
from bot.command_text import REPLIES
from bot.commands import CommandError
from bot.listing import describe, list_line, state
from bot.manage_text import TEXTS
from bot.subscriptions import OPERATOR, Operator, Subscriptions
from config.settings import ConfigError
from digest.models import ChannelRef, Subscription

app = typer.Typer(no_args_is_help=True, help="List and change the subscriptions of every channel, as in the chat.")

CHANNEL_HELP = "slack:<team id>:<channel id> (slack:T012AB3CD:C012AB3CD) or discord:<server id>:<channel id>"
_IDS = {"slack": r"[A-Z0-9]{2,64}", "discord": r"[0-9]{5,25}"}
T = TypeVar("T")


# The chat's commands in a reply -> the operator's: `/arxiv edit 3` -> digest-bot subscriptions edit 3.
_VERBS = {"edit": "edit", "pause": "pause", "resume": "resume", "unsubscribe": "remove", "list": "list",
          "subscribe": "add"}
_CHAT_COMMAND = re.compile(r"/arxiv (" + "|".join(_VERBS) + r")\b")
_MARKUP = (re.compile(r"\*([^*\n]+)\*"), re.compile(r"`([^`\n]+)`"))  # *bold*, `code`


def operator_form(reply: str, channel: str | None = None) -> str:
    """A chat reply (``bot/manage_text.py``, ``bot/command_text.py``, ``bot/lang``) as the
    operator reads it: Slack/Discord markup (``*bold*``, `` `code` ``) removed and each
    ``/arxiv edit|pause|resume|unsubscribe|list|subscribe`` written as the matching
    ``digest-bot subscriptions edit|pause|resume|remove|list|add`` (``add`` and ``list``
    name ``channel`` when given, else ``<channel>`` for ``add``)."""

    def command(match: re.Match[str]) -> str:
        verb = _VERBS[match.group(1)]
        where = f" {channel}" if channel else (" <channel>" if verb == "add" else "")
        return f"digest-bot subscriptions {verb}{where if verb in ('add', 'list') else ''}"

    for markup in _MARKUP:
        reply = markup.sub(r"\1", reply)
    return _CHAT_COMMAND.sub(command, reply)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def channel_of(text: str) -> ChannelRef:
    """``slack:T…:C…`` or ``discord:<guild>:<channel>`` as a channel; raises ``typer.Exit(2)``."""
    platform, _, rest = text.partition(":")
    workspace, _, channel = rest.partition(":")
    pattern = _IDS.get(platform.lower())
    if pattern is None or not re.fullmatch(pattern, workspace) or not re.fullmatch(pattern, channel):
        raise _fail(f"{text!r} is not a channel; write {CHANNEL_HELP}")
    return ChannelRef(platform.lower(), workspace, channel)


def _run(work: Callable[[Subscriptions], Awaitable[T]], channel: str | None = None) -> T:
    """``work`` with the rules over the configured store (and LLM, for a topic's English
    terms); a refusal or a bad option is exit 2 with its message in the operator's form
    (``operator_form``, naming ``channel``)."""
    try:
        settings = load_settings()
    except ConfigError as problem:
        raise _fail(str(problem)) from None
    store = build_store(settings)
    llm = build_llm(settings)

    async def run() -> T:
        try:
            rules = Subscriptions(store, settings.defaults, settings.channels, llm)
            return await work(rules)
        finally:
            if llm is not None:
                await llm.aclose()

    try:
        return asyncio.run(run())
    except CommandError as refused:  # parse errors and refusals alike; nothing was changed
        raise _fail(operator_form(refused.text("en"), channel)) from None
    finally:
        store.close()


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def _find(rules: Subscriptions, subscription_id: int) -> Subscription:
    sub = await asyncio.to_thread(rules.store.get_subscription, subscription_id)
    if sub is None:
        raise _fail(f"there is no subscription {subscription_id}; `digest-bot subscriptions list` shows them")
    return sub


@app.command("list")
def list_(channel: Annotated[str | None, typer.Argument(help=CHANNEL_HELP)] = None) -> None:
    """Every subscription (or one channel's): topic, schedule, language, state, last and next digest."""
    where = channel_of(channel) if channel else None

    async def listing(rules: Subscriptions) -> list[str]:
        subs = await asyncio.to_thread(rules.store.list_subscriptions, where)
        ids = [sub.id for sub in subs]
        failures = await asyncio.to_thread(rules.store.plan_failures, ids)
        lasts = await asyncio.to_thread(rules.store.last_digests, ids)
        lines, now, seen = [], _now(), None
        for sub in subs:
            if sub.channel != seen:
                seen = sub.channel
                lines.append(f"{sub.channel.platform}:{sub.channel.workspace_id}:{sub.channel.channel_id}")
            lines.append("  " + list_line(sub, "en", now, failures.get(sub.id), lasts.get(sub.id)))
        return lines

    lines = _run(listing, channel)
    typer.echo(operator_form("\n".join(lines), channel) if lines else "No subscriptions.")


@app.command()
def add(
    channel: Annotated[str, typer.Argument(help=CHANNEL_HELP)],
    words: Annotated[list[str], typer.Argument(help="As in the chat: synthetic data day=mon time=09:00 max=10")],
    by: Annotated[str | None, typer.Option(help="The subscriber's chat user id (they may then manage it)")] = None,
) -> None:
    """Subscribe a channel to a topic (the chat's /arxiv subscribe)."""
    where = channel_of(channel)
    who = Operator(by) if by else OPERATOR

    async def adding(rules: Subscriptions) -> str:
        command = commands.parse(" ".join(["subscribe", *words]))
        assert isinstance(command, commands.Subscribe)
        sub = await rules.add(where, who, command.fields)
        searching = TEXTS.text("en", "searching", terms=sub.search_terms, id=sub.id) if sub.search_terms else ""
        return REPLIES.text("en", "subscribed", searching=searching, **describe(sub, "en", _now()))

    typer.echo(operator_form(_run(adding, channel), channel))


@app.command()
def edit(
    subscription: Annotated[int, typer.Argument(help="The subscription's id (digest-bot subscriptions list)")],
    words: Annotated[list[str], typer.Argument(help='As in the chat: day=fri time=17:30 topic="LLM agents"')],
) -> None:
    """Change a subscription (the chat's /arxiv edit)."""

    async def editing(rules: Subscriptions) -> str:
        command = commands.parse(" ".join(["edit", str(subscription), *words]))
        assert isinstance(command, commands.Edit)
        sub = await rules.edit(await _find(rules, command.id), OPERATOR, command.fields)
        searching = TEXTS.text("en", "searching", terms=sub.search_terms, id=sub.id) if sub.search_terms else ""
        return TEXTS.text("en", "edited", searching=searching, **describe(sub, "en", _now()))

    typer.echo(operator_form(_run(editing)))


@app.command()
def pause(subscription: Annotated[int, typer.Argument(help="The subscription's id")]) -> None:
    """Pause a subscription's digests (by the operator) until resumed."""

    async def pausing(rules: Subscriptions) -> str:
        sub = await _find(rules, subscription)
        if not await rules.pause(sub, OPERATOR):
            return TEXTS.text("en", "already_paused", id=sub.id, topic=sub.topic, state=state(sub, "en"))
        return TEXTS.text("en", "paused_now", id=sub.id, topic=sub.topic)

    typer.echo(operator_form(_run(pausing)))


@app.command()
def resume(subscription: Annotated[int, typer.Argument(help="The subscription's id")]) -> None:
    """Resume a paused subscription, whoever paused it (a person, or the bot itself)."""

    async def resuming(rules: Subscriptions) -> str:
        sub = await _find(rules, subscription)
        next_at = describe(sub, "en", _now())["next"]
        key = "resumed" if await rules.resume(sub, OPERATOR) else "not_paused"
        return TEXTS.text("en", key, id=sub.id, topic=sub.topic, next=next_at)

    typer.echo(operator_form(_run(resuming)))


@app.command()
def remove(subscription: Annotated[int, typer.Argument(help="The subscription's id")]) -> None:
    """Remove a subscription (the chat's /arxiv unsubscribe)."""

    async def removing(rules: Subscriptions) -> str:
        sub = await _find(rules, subscription)
        await rules.remove(sub, OPERATOR)
        return REPLIES.text("en", "unsubscribed", id=sub.id, topic=sub.topic)

    typer.echo(operator_form(_run(removing)))
