"""DiscordPort: the engine's DigestPort on Discord's REST API, through discord.py.

Outbound only: a digest's header (message text) and cards (embeds with an "Ask about
this paper" button), threads on cards, replies in them, the typing indicator, and the
look-up that reconciles a send whose reply was lost. Rules:

- Never twice: each post carries ``nonce`` = a hash of its idempotency key with
  ``enforce_nonce`` (discord.py sends it with every nonce), so a re-send of the same
  key within Discord's nonce window returns the first message instead of a second
  one (discord.py itself re-sends after a 5xx). The same hash is written in the
  message (embed footer, header subtext), so ``find_posted`` finds it in the
  channel's history long after the nonce window closed.
- Rate limits are discord.py's business (it reads the per-route buckets from the
  headers and waits out 429s); the process-wide pacing lives in ``client.py``.
- A channel that answers 403 or 404 is not written to again for ``BLOCK_SECONDS``:
  Discord bans IPs that make 10,000 invalid requests in 10 minutes. The error is a
  ``ChatPermissionError``, so the Deliverer pauses the subscription.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import discord
from discord.utils import escape_markdown

from bot.discord.embeds import CONTENT, REF_ROOM, card_embed, has_ref, header_text, ref_line, thread_name, with_ref
from bot.discord.texts import refused, say
from bot.related_text import TEXTS as RELATED_TEXTS
from digest.delivery.keys import nonce_of
from digest.models import Card, ChannelRef, Digest, MessageRef, ThreadRef
from digest.delivery.ports import ChatError, ChatPermissionError, ChatReplyLost
from digest.text.textfit import fit

log = logging.getLogger(__name__)

ASK_CUSTOM_ID = "arxiv-digest:ask"  # the same on every card: the message id says which paper
RELATED_CUSTOM_ID = "arxiv-digest:related"  # likewise (bot/discord/related.py answers it)
HISTORY_SCAN = 200  # recent messages searched for a key (a digest is at most 101)
BLOCK_SECONDS = 600.0  # Discord's invalid-request window
THREAD_ARCHIVE_MINUTES = 10080  # a week: a card's thread outlives the week's discussion
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
NO_MENTIONS = discord.AllowedMentions.none()

OnAsk = Callable[[discord.Interaction], Awaitable[None]]
OnRefused = Callable[[ChannelRef, str], None]


class AskButton(discord.ui.Button["AskView"]):
    def __init__(self, label: str, on_ask: OnAsk | None) -> None:
        super().__init__(label=label, style=discord.ButtonStyle.secondary, emoji="💬", custom_id=ASK_CUSTOM_ID)
        self._on_ask = on_ask

    async def callback(self, interaction: discord.Interaction) -> None:
        if self._on_ask is not None:
            await self._on_ask(interaction)


class RelatedButton(discord.ui.Button["AskView"]):
    def __init__(self, label: str, on_related: OnAsk | None) -> None:
        super().__init__(label=label, style=discord.ButtonStyle.secondary, emoji="🔗", custom_id=RELATED_CUSTOM_ID)
        self._on_related = on_related

    async def callback(self, interaction: discord.Interaction) -> None:
        if self._on_related is not None:
            await self._on_related(interaction)


class AskView(discord.ui.View):
    """The card's buttons, "Ask about this paper" and "Related". Registered once with
    ``on_ask`` and ``on_related`` as a persistent view (timeout None, fixed custom_ids),
    it handles clicks on every card, including those posted before a restart; each post
    sends a stopped copy as a mere component template."""

    def __init__(
        self, on_ask: OnAsk | None = None, label: str = say("en", "ask_button"), *,
        on_related: OnAsk | None = None, related_label: str = RELATED_TEXTS.text("en", "related_button"),
    ) -> None:
        super().__init__(timeout=None)
        self.add_item(AskButton(label, on_ask))
        self.add_item(RelatedButton(related_label, on_related))


class DiscordPort:
    """``DigestPort`` and ``ThreadPort`` for Discord; ``client`` is logged in (its HTTP session
    is used). Opening a card's thread (``thread_for``) and ``typing`` are Discord's own."""

    platform = "discord"

    def __init__(self, client: discord.Client, site_url: str | None = None) -> None:
        self.client = client
        self.site_url = site_url  # DIGEST_SITE_URL: cards link their paper pages there
        self._blocked: dict[str, tuple[float, str]] = {}  # channel id -> (until, why)
        # Called (synchronously, before the Deliverer pauses the subscription) when a
        # channel refuses a digest post: the service tells the subscriber.
        self.on_refused: OnRefused | None = None

    # -- errors ------------------------------------------------------------------------

    def _check_blocked(self, channel_id: str) -> None:
        until, why = self._blocked.get(channel_id, (0.0, ""))
        if time.monotonic() < until:
            raise ChatPermissionError(why)

    def _failure(self, err: Exception, what: str, channel_id: str, *, posting: bool) -> ChatError:
        where = f"Discord {what} in {channel_id}"
        if isinstance(err, (discord.Forbidden, discord.NotFound)):
            why = refused(channel_id.split("/")[0], err.status, err.code)
            self._blocked[channel_id] = (time.monotonic() + BLOCK_SECONDS, why)
            return ChatPermissionError(why)
        if isinstance(err, discord.DiscordServerError) and posting:
            return ChatReplyLost(f"{where}: HTTP {err.status}, the message may have been posted")
        if isinstance(err, discord.RateLimited):
            return ChatError(f"{where}: rate limited for {err.retry_after:.0f}s")
        if isinstance(err, discord.HTTPException):
            return ChatError(f"{where}: HTTP {err.status} (code {err.code}) {err.text[:200]}")
        if isinstance(err, aiohttp.ClientConnectorError):
            return ChatError(f"{where}: cannot connect ({type(err).__name__})")  # nothing was sent
        kind = "timed out" if isinstance(err, asyncio.TimeoutError) else f"connection lost ({type(err).__name__})"
        if posting:
            return ChatReplyLost(f"{where}: {kind}; the message may have been posted")
        return ChatError(f"{where}: {kind}")

    async def _call(self, what: str, channel_id: str, call: Callable[[], Awaitable[Any]], *, posting: bool) -> Any:
        self._check_blocked(channel_id)
        try:
            return await call()
        except (discord.HTTPException, discord.RateLimited, aiohttp.ClientError, asyncio.TimeoutError, OSError) as err:
            failure = self._failure(err, what, channel_id, posting=posting)
            log.warning("%s", failure)
            raise failure from None

    def _messageable(self, channel: ChannelRef, channel_id: str | None = None) -> discord.PartialMessageable:
        guild = int(channel.workspace_id) if channel.workspace_id.isdigit() else None
        return self.client.get_partial_messageable(int(channel_id or channel.channel_id), guild_id=guild)

    async def _send(self, channel: ChannelRef, key: str, **message: Any) -> MessageRef:
        target = self._messageable(channel)
        try:
            sent = await self._call(
                "send",
                channel.channel_id,
                lambda: target.send(nonce=nonce_of(key), allowed_mentions=NO_MENTIONS, **message),
                posting=True,
            )
        except ChatPermissionError as err:
            if self.on_refused is not None:
                self.on_refused(channel, str(err))
            raise
        return MessageRef(channel, str(sent.id))

    # -- the port ------------------------------------------------------------------------

    async def post_header(self, channel: ChannelRef, digest: Digest, key: str) -> MessageRef:
        return await self._send(channel, key, content=header_text(digest) + ref_line(nonce_of(key)))

    async def post_card(self, channel: ChannelRef, card: Card, digest: Digest, key: str) -> MessageRef:
        embed = with_ref(card_embed(card, digest.topic, digest.language, digest.window.tz, self.site_url), nonce_of(key))
        view = AskView(
            label=say(digest.language, "ask_button"), related_label=RELATED_TEXTS.text(digest.language, "related_button")
        )
        view.stop()  # a template only: clicks go to the persistent view the client registered
        return await self._send(channel, key, embed=embed, view=view)

    async def post_notice(self, channel: ChannelRef, text: str, key: str) -> MessageRef:
        """A short message of the bot's own (a digest failing, then resolved), with the
        nonce and visible reference of ``key`` like a header: ``find_posted`` finds it."""
        return await self._send(channel, key, content=fit(text, CONTENT - REF_ROOM) + ref_line(nonce_of(key)))

    async def find_posted(self, channel: ChannelRef, key: str) -> MessageRef | None:
        """The bot's message among the channel's last ``HISTORY_SCAN`` that carries ``key``."""
        nonce, me = nonce_of(key), self.client.user

        async def scan() -> MessageRef | None:
            async for message in self._messageable(channel).history(limit=HISTORY_SCAN):
                if me is not None and message.author.id != me.id:
                    continue
                if str(message.nonce or "") == nonce or has_ref(message, nonce):
                    return MessageRef(channel, str(message.id))
            return None

        return await self._call("history", channel.channel_id, scan, posting=False)

    async def thread_for(self, message: MessageRef, name: str) -> tuple[ThreadRef, bool]:
        """The card's one public thread, and whether it was created just now.

        A thread started from a message has the message's id, so an existing one (made
        by a member, or by us before) is found in the cache or by Discord's answer.
        """
        channel = message.channel
        existing = self.client.get_channel(int(message.message_id))
        if isinstance(existing, discord.Thread):
            return ThreadRef(channel, str(existing.id)), False
        async def create() -> Any:
            try:
                # The HTTP client directly: PartialMessage.create_thread needs the guild cached.
                return await self.client.http.start_thread_with_message(
                    channel.channel_id,
                    message.message_id,
                    name=thread_name(name),
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                )
            except discord.HTTPException as err:
                if err.code == THREAD_EXISTS:
                    return None
                raise

        # Blocked apart from the channel: a bot that may post but not start threads
        # still delivers digests there.
        data = await self._call("thread", f"{channel.channel_id}/threads", create, posting=False)
        if data is None:
            return ThreadRef(channel, message.message_id), False
        return ThreadRef(channel, str(data["id"])), True

    async def reply(self, thread: ThreadRef, text: str) -> MessageRef:
        """Post ``text`` in the thread; mentions disabled, so LLM output can never ping."""
        target = self._messageable(thread.channel, thread.thread_id)
        sent = await self._call(
            "reply",
            thread.thread_id,
            lambda: target.send(content=fit(text, CONTENT) or "…", allowed_mentions=NO_MENTIONS),
            posting=True,
        )
        return MessageRef(thread.channel, str(sent.id))

    async def card_reply(self, card: MessageRef, title: str, text: str) -> MessageRef:
        """Plain ``text`` (a version note) in the card's thread, opened and named ``title``
        if it has none yet; Markdown escaped, so a paper's comment shows as written."""
        thread, _ = await self.thread_for(card, title)
        return await self.reply(thread, escape_markdown(text))

    @asynccontextmanager
    async def typing(self, thread: ThreadRef) -> AsyncIterator[None]:
        """Discord's typing indicator, renewed every 5 s; a failure only loses the indicator."""
        indicator = self._messageable(thread.channel, thread.thread_id).typing()
        try:
            await indicator.__aenter__()
        except (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError, OSError) as err:
            log.info("no typing indicator in %s: %s", thread.thread_id, type(err).__name__)
            yield
            return
        try:
            yield
        finally:
            await indicator.__aexit__(None, None, None)
