"""DiscordService: the Discord bot's lifecycle, from settings to a running gateway.

The composition root (``bot/app.py``) builds a ``DiscordClient`` first, wraps it in the
``DiscordPort`` the Deliverer posts through, and later hands both to
``DiscordService(settings, client, port, handlers, store, qa)``, which attaches the
``/arxiv`` commands, the card button and thread questions to the client. ``await
start()`` logs in (failing at once, naming ``DISCORD_TOKEN``, when the token is
refused), syncs the commands in ``setup_hook`` and connects the gateway in the
background; ``await stop()`` closes it.

- One setting points the whole client elsewhere: ``DIGEST_DISCORD_API_URL`` becomes
  ``discord.http.Route.BASE`` (discord.py has no other way to set it; the one
  exception to "only a base URL changes"), and the gateway address comes from
  ``GET /gateway/bot`` on that API, as ``AutoShardedClient`` asks for it. It stays the
  only gateway: discord.py reconnects to ``wss://gateway.discord.gg`` and resumes at the
  READY event's ``resume_gateway_url``, so with any API but Discord's own each gateway
  connection is pinned to the address that API gave (``DiscordClient.pinned``).
- Intents are the minimum: ``guilds`` (channels and threads in the cache, THREAD_CREATE
  for threads members open on cards), ``guild_messages`` (mentions in card threads
  arrive at all), ``guild_reactions`` (👍/👎 on cards, ``bot/discord/reactions.py``),
  and ``message_content`` only when the setting asks to answer every message in a
  card's thread (a privileged intent).
- Pacing: discord.py honours each route's bucket from the response headers, but learns
  of the global limit (50 requests/s) only from a 429, after which every request
  stalls. Requests are spaced out just before they leave, through aiohttp's awaited
  trace hooks, so a digest to many channels stays under it: at the ``discord`` gate
  of the ``digest.pacing.Pacer`` given (every process sharing PostgreSQL together;
  else this process's own ``Spacing``).
  Interaction callbacks and followups are exempt, as they are on Discord.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import discord
from discord import app_commands
from discord.http import Route

from bot.discord.cog import ArxivCommands
from bot.discord.publish import with_publish
from bot.discord.preview import preview_command
from bot.discord.usage import usage_command
from bot.discord.port import NO_MENTIONS, AskView, DiscordPort
from bot.discord.questions import Questions
from bot.discord.reactions import Reactions
from bot.discord.related import RelatedButton, related_command
from bot.discord.translator import CatalogTranslator
from bot.discord.texts import say
from bot.handlers import CommandHandlers
from bot.unreachable import ServiceUnreachable
from config.settings import ConfigError, DiscordSettings
from digest.models import ChannelRef, Subscription
from digest.qa import QAService
from digest.pacing import Gate, Pacer
from digest.ratelimit import Spacing
from digest.store import Store

log = logging.getLogger(__name__)

GLOBAL_REQUESTS_PER_SECOND = 47.5  # Discord allows 50; the margin absorbs timer and network jitter
EXEMPT_PATHS = ("/interactions/", "/webhooks/")  # not bound by the global limit
DISCORD_HOST = "discord.com"  # Discord's own API, whose gateways and resume URLs are its own to choose


class DiscordStartupError(ConfigError):
    """The Discord bot cannot start as configured; the message names the variable to fix."""


def intents_for(settings: DiscordSettings) -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.guild_reactions = True  # GUILD_MESSAGE_REACTIONS: 👍/👎 on cards (bot/discord/reactions.py)
    intents.message_content = settings.message_content
    return intents


def paced(spacing: Gate) -> aiohttp.TraceConfig:
    """An aiohttp trace that makes each request to Discord's API wait for its slot.

    The wait happens once the request has its connection (aiohttp awaits these
    hooks), right before its bytes leave: paced any earlier, requests that then
    queue for a new connection while the loop is busy would leave in a bunch.
    """

    async def on_request_start(_session: Any, context: Any, params: aiohttp.TraceRequestStartParams) -> None:
        url = str(params.url)
        context.paced = url.startswith(Route.BASE) and not any(path in url for path in EXEMPT_PATHS)

    async def on_connection(_session: Any, context: Any, _params: Any) -> None:
        if getattr(context, "paced", False):
            await spacing.pause()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    trace.on_connection_create_end.append(on_connection)
    trace.on_connection_reuseconn.append(on_connection)
    return trace


class DiscordClient(discord.AutoShardedClient):
    """discord.py's client with the minimal intents, paced process-wide, with a command tree.

    Built before its service (the port needs it first; discord.py makes its HTTP client
    at construction and opens the session at login). Until a ``DiscordService`` attaches
    itself, setup and messages do nothing.
    """

    def __init__(
        self,
        settings: DiscordSettings,
        *,
        requests_per_second: float = GLOBAL_REQUESTS_PER_SECOND,
        guild_ready_timeout: float = 2.0,
        pacer: Pacer | None = None,
    ) -> None:
        interval = 1.0 / requests_per_second  # the limit is the bot's, whichever process sends
        self.pacer: Gate = pacer.gate("discord", interval) if pacer else Spacing(interval)
        super().__init__(
            intents=intents_for(settings),
            http_trace=paced(self.pacer),
            guild_ready_timeout=guild_ready_timeout,
            shard_count=None,  # ask GET /gateway/bot: one shard now, more when Discord says so
        )
        self.tree = app_commands.CommandTree(self)
        self.service: DiscordService | None = None
        self.gateway: str | None = None  # what GET /gateway/bot on the configured API answered
        self._own_api = urlsplit(settings.api_url).hostname == DISCORD_HOST
        # Every gateway connection, first, reconnect or resume, is opened by http.ws_connect:
        # wrapped here (on this client's HTTP client alone) to learn the gateway and hold to it.
        self._get_bot_gateway, self.http.get_bot_gateway = self.http.get_bot_gateway, self._bot_gateway
        self._ws_connect, self.http.ws_connect = self.http.ws_connect, self._pinned_ws_connect

    async def _bot_gateway(self) -> tuple[int, str, Any]:
        shards, url, limits = await self._get_bot_gateway()
        self.gateway = url
        return shards, url, limits

    async def _pinned_ws_connect(self, url: str, *, compress: int = 0) -> aiohttp.ClientWebSocketResponse:
        return await self._ws_connect(self.pinned(url), compress=compress)

    def pinned(self, url: str) -> str:
        """``url`` when it is on the configured gateway's scheme and host (and port), or the
        API is Discord's own; else the configured gateway with ``url``'s query (version,
        encoding, compression). Until the gateway is known, ``url`` as it is."""
        if self._own_api or self.gateway is None:
            return url
        asked, home = urlsplit(url), urlsplit(self.gateway)
        if (asked.scheme, asked.netloc) == (home.scheme, home.netloc):
            return url
        log.info("connecting to the gateway %s that DIGEST_DISCORD_API_URL gave, not %s", home.hostname, asked.hostname)
        return urlunsplit(home._replace(query=asked.query))

    async def setup_hook(self) -> None:
        if self.service is not None:
            await self.service._setup(self)

    async def on_message(self, message: discord.Message) -> None:
        if self.service is not None:
            await self.service.questions.on_message(message)

    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        if self.service is not None:
            await self.service.reactions.on_raw(event, self.user.id if self.user else None)

    async def on_raw_reaction_remove(self, event: discord.RawReactionActionEvent) -> None:
        if self.service is not None:
            await self.service.reactions.on_raw(event, self.user.id if self.user else None)


class DiscordService:
    """Serves ``/arxiv``, the card button and thread questions through ``client``;
    ``port`` (wrapping the same client) is told whom to notify when a channel refuses."""

    def __init__(
        self,
        settings: DiscordSettings,
        client: DiscordClient,
        port: DiscordPort,
        handlers: CommandHandlers,
        store: Store,
        qa: QAService,
    ) -> None:
        self.settings, self.client, self.port, self.store = settings, client, port, store
        self.port.on_refused = self._refused
        self._tasks: set[asyncio.Task[None]] = set()
        self.questions = Questions(settings, store, port, qa)
        self.reactions = Reactions(store)
        arxiv = with_publish(ArxivCommands(settings, handlers, self.questions))  # bot/discord/publish.py
        arxiv.add_command(preview_command(arxiv, handlers))  # bot/discord/preview.py
        arxiv.add_command(related_command(arxiv))  # /arxiv related (bot/discord/related.py)
        arxiv.add_command(usage_command(arxiv))  # /arxiv usage (bot/discord/usage.py)
        client.tree.add_command(arxiv)
        self.related = RelatedButton(handlers)
        client.service = self
        self._connection: asyncio.Task[None] | None = None
        self._previous_base: str | None = None

    async def _setup(self, client: DiscordClient) -> None:
        """Persistent button and command sync, before the gateway connects."""
        client.add_view(AskView(on_ask=self.questions.on_ask, on_related=self.related.on_click))
        await client.tree.set_translator(CatalogTranslator())  # descriptions in each member's language
        guild_id = self.settings.guild_id
        try:
            if guild_id:
                guild = discord.Object(id=int(guild_id))
                client.tree.copy_global_to(guild=guild)
                synced = await client.tree.sync(guild=guild)
            else:
                synced = await client.tree.sync()
        except discord.HTTPException as err:
            # The bot can still post digests; commands keep their last synced form.
            log.error("syncing the /arxiv commands failed: HTTP %s %s", err.status, err.text[:200])
            return
        log.info("synced %d command(s) %s", len(synced), f"to guild {guild_id}" if guild_id else "globally")

    def _refused(self, channel: ChannelRef, why: str) -> None:
        """Tell each subscriber of ``channel`` once: only subscriptions not yet paused.

        Runs before the Deliverer pauses the subscription, so the check sees the state
        before; the direct message itself goes out in the background.
        """
        for sub in self.store.list_subscriptions(channel):
            if sub.paused is None and sub.created_by.isdigit():
                task = asyncio.create_task(self._tell(sub, why))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _tell(self, sub: Subscription, why: str) -> None:
        text = say(sub.language, "paused_dm", topic=sub.topic, id=sub.id, channel=sub.channel.channel_id, why=why)
        try:
            user = self.client.get_user(int(sub.created_by)) or await self.client.fetch_user(int(sub.created_by))
            await user.send(text, allowed_mentions=NO_MENTIONS)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as err:
            # DMs closed, or the user left: /arxiv list still shows why it is paused.
            log.warning("could not tell user %s that subscription %d is paused: %s", sub.created_by, sub.id, err)

    async def start(self) -> None:
        token = self.settings.token.get_secret_value().strip() if self.settings.token else ""
        if not token:
            raise DiscordStartupError(
                "DISCORD_TOKEN is not set: copy the bot token from https://discord.com/developers/applications "
                "> your application > Bot > Reset Token."
            )
        if self.settings.guild_id and not self.settings.guild_id.isdigit():
            raise DiscordStartupError(
                f"DIGEST_DISCORD_GUILD_ID={self.settings.guild_id!r} is not a server id: copy it with Developer "
                "Mode on (User Settings > Advanced), right-click the server > Copy Server ID, or leave it unset."
            )
        self._previous_base = Route.BASE
        Route.BASE = self.settings.api_url.rstrip("/")
        try:
            await self.client.login(token)
        except discord.LoginFailure:
            await self.client.close()
            raise DiscordStartupError(
                "Discord refused DISCORD_TOKEN (401): copy a fresh bot token from "
                "https://discord.com/developers/applications > your application > Bot > Reset Token."
            ) from None
        except (discord.HTTPException, aiohttp.ClientError, OSError) as err:
            await self.client.close()
            raise ServiceUnreachable(
                f"cannot reach the Discord API at {self.settings.api_url} (DIGEST_DISCORD_API_URL): "
                f"{type(err).__name__}"
            ) from None
        self._connection = asyncio.create_task(self._connect(), name="discord-gateway")

    async def _connect(self) -> None:
        try:
            await self.client.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired:
            log.error(
                "Discord refused the message-content intent: enable Message Content Intent on the "
                "application's Bot page, or set DIGEST_DISCORD_MESSAGE_CONTENT=false"
            )
        except Exception:
            log.exception("the Discord gateway connection ended")

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Until the gateway has delivered the guilds (tests; the runner need not wait)."""
        await asyncio.wait_for(self.client.wait_until_ready(), timeout)

    async def stop(self) -> None:
        await self.client.close()
        if self._connection is not None:
            try:
                await asyncio.wait_for(self._connection, 10)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._connection.cancel()
            self._connection = None
        if self._previous_base is not None:
            Route.BASE = self._previous_base
            self._previous_base = None
