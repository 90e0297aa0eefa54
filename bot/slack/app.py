"""The Slack app: bolt listeners for ``/arxiv`` and for questions in card threads.

Inbound only; everything posted goes through ``SlackPort`` or the command's
``response_url``. ``build_slack_app`` wires the listeners into an ``AsyncApp`` that
acknowledges first and works after (``process_before_response=False``):

- ``/arxiv``: the text is unescaped and handed to the platform-free handlers; an
  immediate reply rides on the ack, long work (``Reply.work``) gets one ephemeral
  progress message that is replaced as it goes and finally by the result.
- ``app_mention`` in a card's thread (and, with ``answer_all_replies``, any reply
  there) is a question about the card's paper, answered once per ``event_id``
  however often Slack delivers it: translated into a ``ThreadQuestion`` for
  ``QAService`` (``bot/threads.py``), the ``Answer`` rendered in Slack's format
  (``answer_text``); a slow answer is shown as a placeholder reply first
  (``bot/slack/placeholder.py``).

Slack waits 3 s for an ack, and nothing here makes it wait on the database: every
store call runs off the event loop (``asyncio.to_thread``; the handlers do the same),
and a command reply not ready within ``ACK_BUDGET`` is acknowledged empty and sent to
the ``response_url`` when it is (``bot/ack.py``, with Slack's ``_Responder``).

``SlackService`` (``bot/slack/service.py``, re-exported here) runs the app.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackClientError

from bot.ack import ACK_BUDGET, answer_command
from bot.handlers import CommandHandlers, Invocation, Reply
from bot.slack.blocks import escape
from bot.slack.members import Members
from bot.slack.placeholder import reply_in_time
from bot.slack.reactions import listen_for_reactions
from bot.slack.oauth import bolt_app
from bot.slack.port import SlackPort
from bot.slack.service import SlackService, SlackStartupError, signing_secret
from bot.slack.texts import say
from bot.threads import CardThread, ask, card_of, post_reply
from config.settings import SlackSettings
from digest.models import ChannelRef, ThreadRef
from digest.qa import Answer, QAService, Turn
from digest.qa.text import question_language
from digest.store import Store
from digest.text.visible import visible

log = logging.getLogger(__name__)

RESPONSE_URL_USES = 5  # Slack takes at most five posts to a command's response_url
_SDK_ERRORS = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError)


def unescape(text: str) -> str:
    """Slack's three entities back to characters (``&amp;`` last, so ``&amp;lt;`` stays ``&lt;``)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def build_slack_app(
    settings: SlackSettings, handlers: CommandHandlers, store: Store, port: SlackPort, qa: QAService
) -> AsyncApp:
    app = bolt_app(settings, signing_secret(settings), store, port.tokens)  # one token, or OAuth installs
    commands = _Commands(settings, handlers)
    threads = _Threads(settings, store, port, qa)
    app.command("/arxiv")(commands.on_command)
    app.event("app_mention")(threads.on_mention)
    app.event("message")(threads.on_message)  # registered always: unhandled events only log noise
    listen_for_reactions(app, store)  # 👍/👎 on cards teach the channel's ranking
    return app


class _Running:
    """Strong references to listener tasks: bolt starts them with ensure_future and lets go."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def hold(self) -> None:
        if (task := asyncio.current_task()) is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


class _Responder:
    """Slack's ``bot.ack.Responder`` for one command: the ack (with the reply riding on
    it when ready in time), then one ephemeral message replaced through the command's
    ``response_url`` as work goes on."""

    def __init__(self, ack: Callable[..., Awaitable[Any]], respond: Callable[..., Awaitable[Any]]) -> None:
        self._ack = ack
        self._respond = respond
        self._left = RESPONSE_URL_USES

    async def _send(self, **message: Any) -> None:
        if self._left == 0:
            return
        self._left -= 1
        try:
            answer = await self._respond(**message)
            if answer.status_code != 200:
                log.warning("response_url answered HTTP %d", answer.status_code)
        except Exception as err:  # progress is a courtesy: it must never stop the work
            log.warning("response_url post failed: %s", type(err).__name__)  # the URL is a credential

    async def defer(self) -> None:
        await self._ack()  # too slow to ride on the ack: the reply goes to the response_url

    async def reply(self, text: str, *, ephemeral: bool, deferred: bool) -> None:
        response_type = "ephemeral" if ephemeral else "in_channel"
        if deferred:
            await self._send(text=escape(text), response_type=response_type)
        else:
            await self._ack(text=escape(text), response_type=response_type)

    async def start(self, text: str, *, deferred: bool) -> None:
        if not deferred:
            await self._ack()  # the progress message is the response_url's, to be replaced
        await self._send(text=escape(text), response_type="ephemeral")

    async def progress(self, text: str) -> None:
        if self._left > 1:  # the last use is kept for the result
            await self._send(text=escape(text), response_type="ephemeral", replace_original=True)

    async def finish(self, text: str) -> None:
        if text:
            await self._send(text=escape(text), response_type="ephemeral", replace_original=True)
        else:  # nothing to say: what was asked for is in the channel
            await self._send(delete_original=True)


class _Commands:
    def __init__(self, settings: SlackSettings, handlers: CommandHandlers) -> None:
        self._settings = settings
        self._handlers = handlers
        self._running = _Running()
        self._members = Members()

    async def on_command(self, ack: Any, command: dict[str, Any], respond: Any, client: Any) -> None:
        self._running.hold()
        text = unescape(command.get("text") or "")
        asked: list[Invocation] = []  # the invocation, once built: the failure text's language
        await answer_command(
            self._reply(command, text, client, asked), _Responder(ack, respond),
            budget=ACK_BUDGET, failed=lambda: self._failed(asked), what=f"/arxiv {' '.join(text.split()[:1])}",
        )

    async def _failed(self, asked: list[Invocation]) -> str:
        """The failure reply in the invoker's language (the channel's when theirs is unknown)."""
        language = None
        if asked:
            try:
                language = await self._handlers.replying_in(asked[0])
            except Exception:  # the store may be what failed
                language = asked[0].language
        return say(language or self._handlers.defaults.language, "failed")

    async def _reply(self, command: dict[str, Any], text: str, client: Any, asked: list[Invocation]) -> Reply:
        try:
            user = command.get("user_id") or ""
            member = await self._members.lookup(client, user, command.get("team_id") or "")
            admin = member.is_admin or user in self._settings.allowed_users
            invocation = Invocation(
                platform="slack",
                workspace_id=command.get("team_id") or "",
                channel_id=command.get("channel_id") or "",
                user_id=user,
                text=text,
                may_subscribe=admin or not self._settings.admins_only,
                is_admin=admin,
                language=member.language,
            )
            asked.append(invocation)
            return await self._handlers.handle(invocation)
        except Exception:
            log.exception("/arxiv %s failed", text.split()[:1])
            return Reply(await self._failed(asked))

def _text(raw: str | None, bot_user_id: str | None) -> str:
    """A message's text as a reader sees it: the bot's mention removed, Slack's escaping
    undone, invisible characters gone (``digest.text.visible``: no hidden text reaches the model)."""
    text = raw or ""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return unescape(visible(text))


def answer_text(answer: Answer) -> str:
    """An answer as a Slack reply (``SlackPort.reply`` escapes it): citations in brackets
    after the text, quotes as block quotes under their section, notes below."""
    cited = answer.citations_to_show
    lines = [f"{answer.text} ({', '.join(cited)})" if cited else answer.text]
    lines += [f"> [{quote.section}] {quote.text}" for quote in answer.quotes]
    return "\n".join(lines + list(answer.notes))


class _Threads:
    def __init__(self, settings: SlackSettings, store: Store, port: SlackPort, qa: QAService) -> None:
        self._all_replies = settings.answer_all_replies
        self._placeholder_after = settings.placeholder_after
        self._store = store
        self._port = port
        self._qa = qa
        self._running = _Running()

    async def on_mention(self, body: dict[str, Any], event: dict[str, Any], context: Any, client: Any) -> None:
        self._running.hold()
        await self._question(body, event, context.bot_user_id, client)

    async def on_message(self, body: dict[str, Any], event: dict[str, Any], context: Any, client: Any) -> None:
        if not self._all_replies or event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return  # edits, joins, broadcasts and every bot's messages are not questions
        bot = context.bot_user_id
        if bot and f"<@{bot}" in (event.get("text") or ""):
            return  # a mention also arrives as app_mention, under its own event_id: answered there
        self._running.hold()
        await self._question(body, event, bot, client)

    async def _question(self, body: dict[str, Any], event: dict[str, Any], bot: str | None, client: Any) -> None:
        thread_ts, ts = event.get("thread_ts"), event.get("ts")
        if not thread_ts or thread_ts == ts or event.get("bot_id"):
            return  # not in a thread; or another bot, which must not draw us into a loop
        channel = ChannelRef("slack", body.get("team_id") or event.get("team") or "", event.get("channel") or "")
        # Every store call runs off the loop: a stalled database must not hold up other acks.
        found = await asyncio.to_thread(card_of, self._store, channel, thread_ts)
        if found is None:
            return  # a thread, but not under one of our cards
        # Claimed only now, so the table holds questions, not every message of every channel.
        event_id = body.get("event_id")
        if not event_id or not await asyncio.to_thread(self._store.claim_event, "slack", event_id):
            log.info("event %s already answered; ignoring the redelivery", event_id)
            return
        thread = ThreadRef(channel, thread_ts)  # a Slack thread is its card's message
        question = _text(event.get("text"), bot)
        if not question:
            await post_reply(self._port, thread, say(found.card.text.language, "empty_question"))
            return
        answer = self._written(
            client, thread, found, question, ts, bot, user=f"slack:{channel.workspace_id}:{event.get('user', '')}"
        )
        # The question's language where its script tells, else the card's (the subscription's).
        reading = say(question_language(question) or found.card.text.language, "reading")
        await reply_in_time(self._port, thread, answer, after=self._placeholder_after, placeholder=reading)

    async def _written(
        self, client: Any, thread: ThreadRef, found: CardThread, question: str, ts: str | None, bot: str | None,
        *, user: str,
    ) -> str:
        """The answer as Slack text, or the failure text: what the thread gets either way."""
        channel = thread.channel
        try:
            history = await self._history(client, channel, thread.thread_id, ts, bot)
            answer = await ask(
                self._qa, self._store, found, question, history, user=user,
                thread=f"slack:{channel.workspace_id}:{channel.channel_id}:{thread.thread_id}",
            )
            return answer_text(answer)
        except Exception:
            log.exception("answering about %s failed", found.card.paper.versioned_id)
            return say(question_language(question) or found.card.text.language, "answer_failed")

    async def _history(
        self, client: Any, channel: ChannelRef, thread_ts: str, ts: str | None, bot: str | None
    ) -> list[Turn]:
        """The thread's earlier questions and answers (needs the history scopes; none without)."""
        try:
            page = await client.conversations_replies(channel=channel.channel_id, ts=thread_ts, limit=100)
        except _SDK_ERRORS as err:
            log.info("no thread history for %s: %s", thread_ts, type(err).__name__)
            return []
        turns = []
        for message in page.get("messages") or []:
            if message.get("ts") == thread_ts or float(message.get("ts") or 0) >= float(ts or "inf"):
                continue  # the card itself; the question and anything after it
            if text := _text(message.get("text"), bot):
                mine = message.get("bot_id") or (bot and message.get("user") == bot)
                turns.append(Turn("bot" if mine else "user", text))
        return turns


__all__ = ["SlackService", "SlackStartupError", "build_slack_app", "unescape"]
