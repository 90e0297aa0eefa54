"""The fake's gateway websocket, and the events a test injects through it.

Discord's handshake: HELLO (op 10) -> IDENTIFY (op 2) -> READY and one GUILD_CREATE
per guild, or RESUME (op 6) -> RESUMED; heartbeats (op 1) get ACKs (op 11).
Sharding as Discord does it (https://discord.com/developers/docs/events/gateway#sharding):
IDENTIFY's ``shard: [id, count]`` (absent: ``[0, 1]``; an id not below the count is
closed with 4010) picks the guilds ``(guild_id >> 22) % count == id``; READY names only
those and a GUILD_CREATE follows for each; every event of a guild goes out on the
connections of its shard only, and events without a guild (direct messages) on shard 0's.
A RESUME keeps its session's shard. ``hang_up``
ends every connection as Discord does, with a close frame or RECONNECT (op 7), after
which a client resumes at READY's ``resume_gateway_url`` (``resume_url``: this gateway
unless a test names another); ``refused`` connection attempts are answered 503, as by a
gateway that has gone away. Frames are plain JSON text (discord.py
asks for zlib-stream but reads text frames as they are). ``dispatch`` sends an event
(op 0) to the connections of its guild's shard; the helpers build the interaction and
message events a person's actions cause, in the guild of the channel they happen in.
"""

from __future__ import annotations

import itertools
import json
import secrets
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.fakes import discord_payloads as p

if TYPE_CHECKING:
    from tests.fakes.discord_api import FakeDiscord

HEARTBEAT_MS = 41250
USER_ID = "100000000000000001"  # the person clicking and typing in the tests


class Gateway:
    def __init__(self) -> None:
        self.sockets: list[web.WebSocketResponse] = []
        self.shard_of: dict[web.WebSocketResponse, tuple[int, int]] = {}  # socket -> (id, count)
        self.delivered: list[tuple[str, str | None, tuple[int, int]]] = []  # (event, guild, shard) per frame sent
        self._sessions: dict[str, tuple[int, int]] = {}  # session_id -> its shard
        self.identify: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.resume_url: str | None = None  # READY's resume_gateway_url; None: this gateway
        self.refused = 0  # the next connection attempts answered 503
        self.person = p.user(USER_ID, "researcher")
        self._seq = itertools.count(1)

    # -- serving -------------------------------------------------------------------------

    async def serve_gateway(self: FakeDiscord, request: web.Request) -> web.StreamResponse:
        if self.refused > 0:
            self.refused -= 1
            return web.Response(status=503)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_MS}, "s": None, "t": None}))
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                break
            message = json.loads(frame.data)
            op = message.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif op == 2:
                if message["d"].get("token") != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                shard_id, count = message["d"].get("shard") or (0, 1)
                if not 0 <= shard_id < count:
                    await ws.close(code=4010, message=b"Invalid shard.")
                    break
                self.identify.append(message["d"])
                self.shard_of[ws] = (shard_id, count)
                await self._hello_guilds(ws, (shard_id, count))
                self.sockets.append(ws)
            elif op == 6:
                if message["d"].get("token") != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                self.resumes.append(message["d"])
                self.shard_of[ws] = self._sessions.get(message["d"].get("session_id"), (0, 1))
                await ws.send_str(self._event("RESUMED", {}))
                self.sockets.append(ws)
        if ws in self.sockets:
            self.sockets.remove(ws)
        self.shard_of.pop(ws, None)
        return ws

    def guilds_of(self: FakeDiscord, shard: tuple[int, int]) -> list[str]:
        """The guilds Discord serves on ``shard`` = ``(id, count)``: its documented formula."""
        shard_id, count = shard
        return [g for g in self.guild_ids if (int(g) >> 22) % count == shard_id]

    async def _hello_guilds(self: FakeDiscord, ws: web.WebSocketResponse, shard: tuple[int, int]) -> None:
        session_id = secrets.token_hex(16)
        self._sessions[session_id] = shard
        guilds = self.guilds_of(shard)
        ready = {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": g, "unavailable": True} for g in guilds],
            "session_id": session_id,
            "resume_gateway_url": self.resume_url or f"ws://127.0.0.1:{self.port}/gateway",
            "shard": list(shard),
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await ws.send_str(self._event("READY", ready))
        for guild_id in guilds:
            with self.state.lock:
                channels = [c for c in self.state.channels.values()
                            if c["type"] == p.TEXT and c.get("guild_id") == guild_id]
            await ws.send_str(self._event("GUILD_CREATE", p.guild(guild_id, channels, p.member(self.bot))))
            self.delivered.append(("GUILD_CREATE", guild_id, shard))

    def _event(self, name: str, data: dict[str, Any]) -> str:
        return json.dumps({"op": 0, "t": name, "s": next(self._seq), "d": data})

    async def broadcast(self, name: str, data: dict[str, Any]) -> None:
        """``name`` on the connections of its guild's shard (shard 0's without a guild)."""
        frame, guild = self._event(name, data), data.get("guild_id")
        for ws in list(self.sockets):
            shard_id, count = self.shard_of.get(ws, (0, 1))
            if shard_id == ((int(guild) >> 22) % count if guild else 0):
                await ws.send_str(frame)
                self.delivered.append((name, guild, (shard_id, count)))

    async def close_sockets(self) -> None:
        for ws in list(self.sockets):
            await ws.close()

    async def _hang_up(self, reconnect: bool) -> None:
        for ws in list(self.sockets):
            self.sockets.remove(ws)
            if reconnect:
                await ws.send_str(json.dumps({"op": 7, "d": None, "s": None, "t": None}))
            else:
                await ws.close(code=1000)

    def hang_up(self: FakeDiscord, *, reconnect: bool = False) -> None:
        """End every connection (from the test's thread) with a close frame or, with
        ``reconnect``, op 7: either way the client resumes its session."""
        self.submit(self._hang_up(reconnect))

    # -- test controls -----------------------------------------------------------------------

    def dispatch(self: FakeDiscord, name: str, data: dict[str, Any]) -> None:
        """Send the event ``name`` to the bot (from the test's thread)."""
        self.submit(self.broadcast(name, data))

    async def connected(self: FakeDiscord, timeout: float = 10.0) -> None:
        await self.until(lambda: self.sockets, timeout)

    def _interaction(
        self: FakeDiscord, kind: int, data: dict[str, Any], channel_id: str | None, permissions: int,
        card: dict[str, Any] | None = None, locale: str = "en-US",
    ) -> str:
        interaction_id = self.ids()
        with self.state.lock:
            channel = dict(self.state.channels[channel_id or self.channel_id])
        token = f"itoken-{interaction_id}"
        payload = p.interaction(
            interaction_id, kind, data, application_id=self.application_id, guild_id=channel["guild_id"],
            channel=channel, person=self.person, permissions=permissions, token=token, card=card, locale=locale,
        )
        with self.state.lock:
            self.state.interactions[interaction_id] = {"token": token, "channel_id": channel["id"], "callback": None,
                                                       "original": None, "followups": [], "deleted": False}
        self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id

    def slash(
        self: FakeDiscord, sub: str, *, channel_id: str | None = None, permissions: int = p.ALL_PERMISSIONS,
        focused: str | None = None, locale: str = "en-US", **options: Any,
    ) -> str:
        """``/arxiv <sub> option:value ...`` as Discord delivers it; ``focused``: autocomplete;
        ``locale``: the member's client language."""
        command = self._command("arxiv")
        typed = [p.option(name, value, focused=name == focused) for name, value in options.items() if value is not None]
        data = {
            "id": command["id"],
            "name": "arxiv",
            "type": 1,
            "options": [{"name": sub, "type": 1, "options": typed}],
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self._interaction(4 if focused else 2, data, channel_id, permissions, locale=locale)

    def click(
        self: FakeDiscord, card: dict[str, Any], custom_id: str, *, permissions: int = p.MEMBER_PERMISSIONS
    ) -> str:
        """A member presses the button ``custom_id`` under ``card`` (a stored message)."""
        data = {"custom_id": custom_id, "component_type": 2}
        return self._interaction(3, data, card["channel_id"], permissions, card=card)

    def say(self: FakeDiscord, channel_id: str, content: str, *, mention_bot: bool = False) -> dict[str, Any]:
        """A member writes ``content`` in ``channel_id`` (a thread): a MESSAGE_CREATE event."""
        if mention_bot:
            content = f"<@{self.bot['id']}> {content}"
        with self.state.lock:
            guild_id = self.state.channels[channel_id]["guild_id"]
        message = p.message(
            self.ids(), channel_id, guild_id, self.person, content=content,
            mentions=[self.bot] if mention_bot else [],
        )
        message["member"] = {k: v for k, v in p.member(self.person).items() if k != "user"}
        with self.state.lock:
            self.state.messages[channel_id].append(message)
        self.dispatch("MESSAGE_CREATE", message)
        return message

    def _command(self: FakeDiscord, name: str) -> dict[str, Any]:
        with self.state.lock:
            for commands in self.state.commands.values():
                for command in commands:
                    if command["name"] == name:
                        return command
        raise AssertionError(f"/{name} was never synced")

    def interaction(self: FakeDiscord, interaction_id: str) -> dict[str, Any]:
        with self.state.lock:
            return dict(self.state.interactions[interaction_id])

    async def answered(self: FakeDiscord, interaction_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The interaction's record once it has its final text (callback, edit or followup)."""

        def final() -> dict[str, Any] | None:
            record = self.interaction(interaction_id)
            done = record["followups"] or (record["original"] and not record["original"].get("loading"))
            return record if done or record["deleted"] else None

        return await self.until(final, timeout)

