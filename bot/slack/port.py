"""SlackPort: the engine's DigestPort on Slack's Web API.

Outbound only: headers and cards as Block Kit messages carrying their idempotency key
as message metadata, thread replies and their edits, and the look-up that reconciles a
send whose reply was lost. Three rules:

- Pacing: Slack allows about one message per second per channel, and a number per
  minute per workspace that it does not publish. Each channel has its own gate, so a
  busy channel never holds up the others, and each workspace one more, from the
  ``digest.ratelimit.pacing.Pacer`` given (shared by every process on PostgreSQL, else in this
  process): posts are spaced out before Slack has to answer 429 (whose Retry-After,
  waited out by the client's one retry handler, costs a second or more each time).
- No blind retries: a post whose answer did not come back may exist. The client has
  no connection-error retry handler (slack_sdk's default one re-sends and duplicates);
  the post raises ``ChatReplyLost`` and the Deliverer looks in the channel's history
  (``find_posted``) before posting again.
- Errors are mapped to the port's three kinds (``bot/slack/errors.py``), with messages
  that name the channel and Slack's error code, never the token.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.blocks import FALLBACK_TEXT, card_blocks, escape, header_blocks
from bot.slack.errors import TOKEN_ERRORS, failure_of, slack_error
from bot.slack.installs import FixedToken, TokenResolver
from bot.slack.texts import SLACK_ERRORS
from config.settings import SlackSettings
from digest.models import Card, ChannelRef, Digest, MessageRef, ThreadRef
from digest.delivery.ports import ChatPermissionError
from digest.ratelimit.pacing import LocalPacer, Pacer
from digest.text.textfit import fit

log = logging.getLogger(__name__)

METADATA_EVENT = "arxiv_digest"  # message metadata event_type of our headers and cards
HISTORY_SCAN = 200  # recent top-level messages searched for a key (a digest is at most 101)
CALL_TIMEOUT = 30  # seconds per Web API call
RATE_LIMIT_RETRIES = 5

def slack_client(s: SlackSettings) -> AsyncWebClient:
    """The Web API client of the bot: base URL from settings, only the 429 retry handler."""
    base_url = s.api_url if s.api_url.endswith("/") else s.api_url + "/"  # slack_sdk joins, not resolves
    return AsyncWebClient(
        token=s.bot_token.get_secret_value() if s.bot_token else None,
        base_url=base_url,
        timeout=CALL_TIMEOUT,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
    )


class SlackPort:
    """``DigestPort`` and ``ThreadPort`` for Slack; ``client`` comes from ``slack_client``.

    A Slack thread is its parent message: ``ThreadRef(channel, parent ts)``, no call to open one.
    Every call carries the bot token of the channel's workspace, from ``tokens``
    (``bot/slack/installs.py``; default: the client's own token, for every workspace).
    """

    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        messages_per_second: float = 1.0,
        site_url: str | None = None,
        tokens: TokenResolver | None = None,
        workspace_messages_per_minute: float | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.client = client
        self.tokens = tokens or FixedToken(client.token)
        self._session_loop: asyncio.AbstractEventLoop | None = None  # the kept-alive session's
        self._me: dict[str, tuple[str | None, str | None]] = {}  # workspace -> (bot_id, bot user id), auth.test's
        self.site_url = site_url  # DIGEST_SITE_URL: cards link their paper pages there
        # One gate per channel (a busy channel never holds up the others) and one per
        # workspace; the pacer's, so that every process sharing it keeps them together.
        self._pacer = pacer or LocalPacer()
        self._channel_interval = 1.0 / messages_per_second
        self._workspace_interval = 60.0 / workspace_messages_per_minute if workspace_messages_per_minute else 0.0

    async def _call(
        self, method: str, channel: ChannelRef, send: Callable[[str], Awaitable[AsyncSlackResponse]], *, posting: bool
    ) -> AsyncSlackResponse:
        """``send(token)``: the call, made with the bot token of ``channel``'s workspace."""
        token = await self.tokens.token_for(channel.workspace_id)
        self._keep_alive()
        try:
            return await send(token)
        except (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError) as err:
            failure = failure_of(err, method, channel, posting)
            if slack_error(err) in TOKEN_ERRORS and self.tokens.refused(channel.workspace_id):
                # An installation's token refused: uninstalled while no event reached us.
                failure = ChatPermissionError(f"Slack {method} in {channel.channel_id}: {SLACK_ERRORS['uninstalled']}")
            log.warning("%s", failure)
            raise failure from None  # the SDK's exception text is not ours to repeat

    def _keep_alive(self) -> None:
        """One aiohttp session for all of the client's calls, opened on the loop that makes
        them: without one, slack_sdk opens a session per call, so each message paid a new
        connection (against Slack a TLS handshake too; a third of a worker's CPU measured)."""
        loop = asyncio.get_running_loop()
        if self.client.session is None or self.client.session.closed or self._session_loop is not loop:
            timeout = aiohttp.ClientTimeout(total=self.client.timeout)
            self.client.session = aiohttp.ClientSession(timeout=timeout, trust_env=self.client.trust_env_in_session)
            self._session_loop = loop

    async def aclose(self) -> None:
        """Close the kept-alive connections (on the loop that used them)."""
        if self.client.session is not None and not self.client.session.closed:
            await self.client.session.close()

    async def _post(self, channel: ChannelRef, **message: Any) -> MessageRef:
        # The gate is held through the call, so posts to one channel stay in order, and
        # the next one leaves an interval after this one's answer came back, not after it
        # was sent: when the event loop is busy (fifty channels starting at once) a
        # request can reach Slack well after it was "sent", never after its answer
        # arrived. That costs one round trip per message and never a 429.
        # One slot free in both the channel and its workspace, taken together.
        team = f"slack:{channel.workspace_id}"
        within = [(team, self._workspace_interval)] if self._workspace_interval else []
        async with self._pacer.gate(f"{team}:{channel.channel_id}", self._channel_interval, within=within).turn():
            answer = await self._call(
                "chat.postMessage",
                channel,
                lambda token: self.client.chat_postMessage(channel=channel.channel_id, token=token, **message),
                posting=True,
            )
        return MessageRef(channel, str(answer["ts"]))

    @staticmethod
    def _metadata(key: str) -> dict[str, Any]:
        return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}

    async def post_header(self, channel: ChannelRef, digest: Digest, key: str) -> MessageRef:
        blocks, text = header_blocks(digest)
        return await self._post(channel, blocks=blocks, text=text, metadata=self._metadata(key))

    async def post_card(self, channel: ChannelRef, card: Card, digest: Digest, key: str) -> MessageRef:
        blocks, text = card_blocks(card, digest.topic, digest.language, digest.window.tz, self.site_url)
        return await self._post(
            channel,
            blocks=blocks,
            text=text,
            metadata=self._metadata(key),
            unfurl_links=False,  # the card is the preview; arXiv's own would double it
            unfurl_media=False,
        )

    async def post_notice(self, channel: ChannelRef, text: str, key: str) -> MessageRef:
        """A short message of the bot's own (a digest failing, then resolved), escaped like
        ``reply``, with ``key`` in its metadata like a card: ``find_posted`` finds it."""
        return await self._post(
            channel,
            text=fit(text, FALLBACK_TEXT, escape=escape),
            metadata=self._metadata(key),
            unfurl_links=False,
            unfurl_media=False,
        )

    async def _identity(self, channel: ChannelRef) -> tuple[str | None, str | None]:
        """This bot's ``bot_id`` and bot user id in ``channel``'s workspace (each install has
        its own), asked of ``auth.test`` once per workspace and kept."""
        if (me := self._me.get(channel.workspace_id)) is None:
            ask = lambda token: self.client.auth_test(token=token)  # noqa: E731
            answer = await self._call("auth.test", channel, ask, posting=False)
            me = self._me[channel.workspace_id] = (answer.get("bot_id") or None, answer.get("user_id") or None)
        return me

    async def find_posted(self, channel: ChannelRef, key: str) -> MessageRef | None:
        """The bot's own message among the channel's last ``HISTORY_SCAN`` that carries ``key``.

        Only the bot's own: another app may post the same metadata (event type and key),
        and taking its message for ours would leave the card unposted.
        """
        bot_id, user_id = await self._identity(channel)
        cursor: str | None = None
        seen = 0
        while seen < HISTORY_SCAN:
            page = await self._call(
                "conversations.history",
                channel,
                lambda token: self.client.conversations_history(
                    channel=channel.channel_id,
                    token=token,
                    include_all_metadata=True,
                    limit=HISTORY_SCAN - seen,
                    cursor=cursor,
                ),
                posting=False,
            )
            messages = page.get("messages") or []
            for message in messages:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                mine = message.get("bot_id") == bot_id if bot_id else bool(user_id) and message.get("user") == user_id
                if mine and metadata.get("event_type") == METADATA_EVENT and payload.get("key") == key:
                    return MessageRef(channel, str(message["ts"]))
            seen += len(messages)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not messages or not page.get("has_more") or not cursor:
                break
        return None

    async def reply(self, thread: ThreadRef, text: str) -> MessageRef:
        """Post ``text`` in the thread; escaped, so LLM output can never ping or link."""
        return await self._post(
            thread.channel,
            thread_ts=thread.thread_id,
            text=fit(text, FALLBACK_TEXT, escape=escape),
            unfurl_links=False,
            unfurl_media=False,
        )

    async def card_reply(self, card: MessageRef, title: str, text: str) -> MessageRef:
        """Plain ``text`` (a version note) in the card's thread, escaped by ``reply``; ``title``
        names a new thread on Discord only: a Slack card's thread is its message."""
        return await self.reply(ThreadRef(card.channel, card.message_id), text)

    async def edit(self, message: MessageRef, text: str) -> MessageRef:
        """Replace the text of a message the bot posted (a placeholder by its answer), escaped like ``reply``.

        Not paced: Slack's one-a-second limit is on posting; ``chat.update`` has its own
        per-workspace tier, whose 429 the client's retry handler waits out.
        """
        answer = await self._call(
            "chat.update",
            message.channel,
            lambda token: self.client.chat_update(
                channel=message.channel.channel_id, ts=message.message_id, text=fit(text, FALLBACK_TEXT, escape=escape),
                token=token,
            ),
            posting=False,  # an edit never creates a message: a lost reply leaves nothing to look for
        )
        return MessageRef(message.channel, str(answer["ts"]))
