"""A loopback fake of Discord's REST API and gateway, for the real discord.py client.

``with FakeDiscord() as discord_api:`` then point ``DIGEST_DISCORD_API_URL`` at
``discord_api.api_url``. It runs an aiohttp server on 127.0.0.1 in a thread of its own:

- REST: ``/users/@me``, ``/oauth2/applications/@me``, ``/gateway/bot``, command sync,
  channel messages (``nonce`` + ``enforce_nonce`` return the first message again),
  history (newest first, without nonces, as Discord's history has none), threads
  from messages (the thread takes the message's id), typing, interaction callbacks
  and followup webhooks (``discord_routes.py``).
- The gateway (``discord_gateway.py``): HELLO, IDENTIFY -> READY + GUILD_CREATE,
  heartbeat ACKs, and the events a test injects with ``dispatch``, sharded as Discord
  shards: ``shards`` is the count ``/gateway/bot`` recommends; ``add_guild(shard=, of=)``
  adds a guild (with a channel) whose events go to that shard of that many.
- Rate limits as Discord answers them: 429 with a JSON body (``retry_after``,
  ``global``), ``Retry-After``, ``X-RateLimit-*`` and ``Via`` headers (discord.py
  takes a 429 without ``Via`` for a Cloudflare ban). ``channel_limit=(5, 5.0)``: 5
  messages per 5 s per channel; ``global_limit=50``: requests per second, interactions
  and webhooks exempt; ``script`` queues one-off faults.
- 403 for channels in ``forbidden`` (or ``no_threads`` for thread creation).

Every request is recorded in ``calls``. Replies carry ``Content-Type:
application/json`` exactly: with a charset appended discord.py reads the body as text.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from tests.fakes import discord_payloads as p
from tests.fakes.discord_gateway import Gateway
from tests.fakes.discord_routes import ARRIVED, Routes

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # without the /api/v10 prefix
    route: str  # "messages", "threads", "history", "callback", "followup", ...
    channel_id: str | None
    body: Any
    status: int
    time: float  # time.monotonic() on arrival


@dataclass
class Fault:
    route: str
    channel_id: str | None
    kind: str  # "429", "status", "drop_reply", "status_after_store"
    value: float = 0.0
    is_global: bool = False


@dataclass
class _Bucket:
    start: float = 0.0
    count: int = 0


@dataclass
class State:
    """Everything the fake knows, guarded by ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    nonces: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    interactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # scope -> commands


class FakeDiscord(Routes, Gateway):
    API = "/api/v10"

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        channels: int = 1,
        channel_limit: tuple[int, float] | None = None,
        global_limit: int | None = None,
    ) -> None:
        self.token = token
        self.ids = p.Snowflakes()
        self.application_id = self.ids()
        self.guild_id = self.ids()  # the first guild; ``add_guild`` adds more
        self.guild_ids = [self.guild_id]
        self.shards = 1  # what GET /gateway/bot recommends
        self.bot = p.user(self.application_id, "arxiv-digest", bot=True)
        self.dm_channel_id = self.ids()  # the bot's direct messages with ``person``
        self.channel_limit = channel_limit
        self.global_limit = global_limit
        self.forbidden: set[str] = set()
        self.no_threads: set[str] = set()
        self.calls: list[Call] = []
        self.state = State()
        self.channel_ids: list[str] = []
        for i in range(channels):
            self.add_channel(f"papers-{i}")
        self._faults: list[Fault] = []
        self._buckets: dict[str, _Bucket] = defaultdict(_Bucket)
        self._global: deque[float] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server_thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        Gateway.__init__(self)

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.API}"

    @property
    def channel_id(self) -> str:
        return self.channel_ids[0]

    def add_channel(self, name: str, guild_id: str | None = None) -> str:
        channel_id = self.ids()
        self.state.channels[channel_id] = p.text_channel(channel_id, guild_id or self.guild_id, name)
        self.channel_ids.append(channel_id)
        return channel_id

    def add_guild(self, *, shard: int, of: int) -> tuple[str, str]:
        """A guild whose events Discord sends on shard ``shard`` of ``of`` (``(id >> 22) % of``),
        with one text channel; returns (guild id, channel id). Before the bot connects."""
        ms, low = divmod(int(self.ids()), 1 << 22)
        ms -= (ms - shard) % of  # the id's timestamp, moved back to the next one on that shard
        guild_id = str((ms << 22) | low)
        self.guild_ids.append(guild_id)
        return guild_id, self.add_channel(f"papers-{len(self.channel_ids)}", guild_id)

    def __enter__(self) -> FakeDiscord:
        started = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._start())
            started.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._shutdown())
            self._loop.close()

        self._server_thread = threading.Thread(target=serve, name="fake-discord", daemon=True)
        self._server_thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake Discord did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._server_thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._server_thread.join(10)

    async def _start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        self.add_routes(app)
        app.router.add_get("/gateway", self.serve_gateway)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _shutdown(self) -> None:
        await self.close_sockets()
        if self._runner is not None:
            await self._runner.cleanup()

    def submit(self, coro: Any) -> Any:
        """Run ``coro`` on the fake's loop from another thread and wait for it."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    # -- test controls -------------------------------------------------------------------

    def script(
        self, route: str, kind: str, value: float = 0.0, *, channel_id: str | None = None, is_global: bool = False,
        count: int = 1,
    ) -> None:
        """Queue ``count`` faults for the next requests of ``route`` (to ``channel_id``).

        ``"429"``: rate limited for ``value`` seconds (``is_global``: the global limit).
        ``"status"``: HTTP ``value`` (int), nothing done. ``"status_after_store"``: the
        message is stored, then HTTP ``value`` is answered. ``"drop_reply"``: stored,
        then the connection is closed without an answer.
        """
        with self.state.lock:
            self._faults += [Fault(route, channel_id, kind, value, is_global) for _ in range(count)]

    def take_fault(self, route: str, channel_id: str | None) -> Fault | None:
        with self.state.lock:
            for i, fault in enumerate(self._faults):
                if fault.route == route and fault.channel_id in (None, channel_id):
                    return self._faults.pop(i)
        return None

    def calls_to(self, route: str, channel_id: str | None = None) -> list[Call]:
        with self.state.lock:
            return [c for c in self.calls if c.route == route and channel_id in (None, c.channel_id)]

    def messages(self, channel_id: str | None = None) -> list[dict[str, Any]]:
        """The channel's messages in post order (ephemeral interaction replies excluded)."""
        with self.state.lock:
            return list(self.state.messages[channel_id or self.channel_id])

    def rate_limited(self) -> list[Call]:
        with self.state.lock:
            return [c for c in self.calls if c.status == 429]

    async def until(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Poll ``predicate`` until truthy: the bot works in the background."""
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() > deadline:
                raise AssertionError(f"fake Discord: condition not met within {timeout}s")
            await asyncio.sleep(0.01)
        return value

    # -- serving -------------------------------------------------------------------------

    @staticmethod
    def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> web.Response:
        if status == 204:
            return web.Response(status=204, headers=headers)
        data = json.dumps(body).encode()
        return web.Response(status=status, body=data, headers={**(headers or {}), "Content-Type": "application/json"})

    def record(self, request: web.Request, route: str, channel_id: str | None, body: Any, status: int) -> None:
        path = request.path.removeprefix(self.API)
        with self.state.lock:
            self.calls.append(Call(request.method, path, route, channel_id, body, status, request[ARRIVED]))

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        request[ARRIVED] = time.monotonic()
        exempt = "/interactions/" in request.path or "/webhooks/" in request.path or request.path == "/gateway"
        if not exempt:
            if request.headers.get("Authorization") != f"Bot {self.token}":
                return self.reply(401, {"message": "401: Unauthorized", "code": 0})
            if (limited := self._global_wait(request[ARRIVED])) is not None:
                self.record(request, "global", None, None, 429)
                return self.too_many(limited, is_global=True)
        return await handler(request)

    def _global_wait(self, now: float) -> float | None:
        """Seconds until the global window has room, or None (and the request counts)."""
        if not self.global_limit:
            return None
        with self.state.lock:
            sent = self._global
            while sent and sent[0] <= now - 1.0:
                sent.popleft()
            if len(sent) >= self.global_limit:
                return sent[0] + 1.0 - now
            sent.append(now)
        return None

    def channel_wait(self, channel_id: str, now: float) -> tuple[float | None, dict[str, str]]:
        """Per-channel message bucket: (seconds to wait or None, the X-RateLimit headers)."""
        if self.channel_limit is None:
            return None, {}
        limit, window = self.channel_limit
        with self.state.lock:
            bucket = self._buckets[channel_id]
            if now >= bucket.start + window:
                bucket.start, bucket.count = now, 0
            reset_after = bucket.start + window - now
            headers = {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": "fake-messages-bucket",
            }
            if bucket.count >= limit:
                return reset_after, {**headers, "X-RateLimit-Remaining": "0"}
            bucket.count += 1
            return None, {**headers, "X-RateLimit-Remaining": str(limit - bucket.count)}

    def too_many(
        self, retry_after: float, *, is_global: bool = False, headers: dict[str, str] | None = None
    ) -> web.Response:
        retry_after = round(max(retry_after, 0.001), 3)
        extra = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, int(retry_after + 0.999))),
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if is_global:
            extra["X-RateLimit-Global"] = "true"
        else:
            extra |= {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": f"{retry_after:.3f}"}
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
        return self.reply(429, body, {**(headers or {}), **extra})
