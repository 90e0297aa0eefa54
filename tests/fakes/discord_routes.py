"""The fake's REST routes: what each endpoint answers, as Discord answers it.

A mixin of ``FakeDiscord`` (``discord_api.py``), which holds the state, the rate
limits, the fault script and the recording.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes import discord_payloads as p

if TYPE_CHECKING:
    from tests.fakes.discord_api import FakeDiscord

ARRIVED = web.RequestKey("arrived", float)  # time.monotonic() when the request came in
FAULT = web.RequestKey("fault", object)  # a scripted fault acted on after the work is done
UNKNOWN_CHANNEL = {"message": "Unknown Channel", "code": 10003}
UNKNOWN_MESSAGE = {"message": "Unknown Message", "code": 10008}
UNKNOWN_USER = {"message": "Unknown User", "code": 10013}
MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}
THREAD_EXISTS = {"message": "A thread has already been created for this message", "code": 160004}
ACKNOWLEDGED = {"message": "Interaction has already been acknowledged.", "code": 40060}
UNKNOWN_INTERACTION = {"message": "Unknown interaction", "code": 10062}


async def _json(request: web.Request) -> Any:
    raw = await request.read()
    return json.loads(raw) if raw else None


class Routes:
    def add_routes(self: FakeDiscord, app: web.Application) -> None:
        api, r = self.API, app.router
        r.add_get(f"{api}/users/@me", self._me)
        r.add_post(f"{api}/users/@me/channels", self._open_dm)
        r.add_get(f"{api}/users/{{user}}", self._user)
        r.add_get(f"{api}/oauth2/applications/@me", self._application)
        r.add_get(f"{api}/gateway/bot", self._gateway_bot)
        r.add_put(f"{api}/applications/{{app}}/commands", self._sync)
        r.add_put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._sync)
        r.add_get(f"{api}/channels/{{channel}}", self._channel)
        r.add_post(f"{api}/channels/{{channel}}/messages", self._post_message)
        r.add_get(f"{api}/channels/{{channel}}/messages", self._history)
        r.add_post(f"{api}/channels/{{channel}}/messages/{{message}}/threads", self._start_thread)
        r.add_post(f"{api}/channels/{{channel}}/typing", self._typing)
        r.add_post(f"{api}/interactions/{{id}}/{{token}}/callback", self._callback)
        r.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        r.add_route("*", f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._original)

    def _answer(
        self: FakeDiscord, request: web.Request, route: str, channel: str | None, body: Any, status: int,
        data: Any = None, headers: dict[str, str] | None = None,
    ) -> web.Response:
        self.record(request, route, channel, body, status)
        return self.reply(status, data, headers)

    def _fault(
        self: FakeDiscord, request: web.Request, route: str, channel: str | None, body: Any
    ) -> web.Response | None:
        fault = self.take_fault(route, channel)
        if fault is None or fault.kind not in ("429", "status"):
            if fault is not None:
                request[FAULT] = fault
            return None
        if fault.kind == "429":
            self.record(request, route, channel, body, 429)
            return self.too_many(fault.value, is_global=fault.is_global)
        return self._answer(request, route, channel, body, int(fault.value), {"message": "fault", "code": 0})

    # -- identity --------------------------------------------------------------------------

    async def _me(self: FakeDiscord, request: web.Request) -> web.Response:
        return self._answer(request, "me", None, None, 200, self.bot)

    async def _user(self: FakeDiscord, request: web.Request) -> web.Response:
        user_id = request.match_info["user"]
        known = user_id == self.person["id"]
        return self._answer(request, "user", None, None, 200 if known else 404, self.person if known else UNKNOWN_USER)

    async def _open_dm(self: FakeDiscord, request: web.Request) -> web.Response:
        body = await _json(request)
        if str(body.get("recipient_id")) != self.person["id"]:
            return self._answer(request, "dm", None, body, 400, {"message": "Cannot send messages to this user",
                                                                  "code": 50007})
        channel = {"id": self.dm_channel_id, "type": 1, "recipients": [self.person], "last_message_id": None}
        with self.state.lock:
            self.state.channels[self.dm_channel_id] = channel
        return self._answer(request, "dm", None, body, 200, channel)

    async def _application(self: FakeDiscord, request: web.Request) -> web.Response:
        app = {
            "id": self.application_id, "name": "arxiv-digest", "icon": None, "description": "", "summary": "",
            "verify_key": "00" * 32, "bot_public": True, "bot_require_code_grant": False, "flags": 0,
            "owner": p.user("1", "owner"),
        }
        return self._answer(request, "application", None, None, 200, app)

    async def _gateway_bot(self: FakeDiscord, request: web.Request) -> web.Response:
        limits = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        data = {"url": f"ws://127.0.0.1:{self.port}/gateway", "shards": self.shards, "session_start_limit": limits}
        return self._answer(request, "gateway", None, None, 200, data)

    async def _sync(self: FakeDiscord, request: web.Request) -> web.Response:
        body = await _json(request)
        guild = request.match_info.get("guild")
        commands = [
            {**c, "id": self.ids(), "application_id": self.application_id, "version": self.ids(), "guild_id": guild}
            for c in body
        ]
        with self.state.lock:
            self.state.commands[guild or "global"] = commands
        return self._answer(request, "sync", None, body, 200, commands)

    # -- channels --------------------------------------------------------------------------

    async def _channel(self: FakeDiscord, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        with self.state.lock:
            data = self.state.channels.get(channel)
        return self._answer(request, "channel", channel, None, 200 if data else 404, data or UNKNOWN_CHANNEL)

    def _refusal(self: FakeDiscord, channel: str, *, threads: bool = False) -> tuple[int, dict[str, Any]] | None:
        with self.state.lock:
            known = channel in self.state.channels
        if not known:
            return 404, UNKNOWN_CHANNEL
        if channel in self.forbidden or (threads and channel in self.no_threads):
            return 403, MISSING_PERMISSIONS
        return None

    async def _post_message(self: FakeDiscord, request: web.Request) -> web.StreamResponse:
        channel = request.match_info["channel"]
        body = await _json(request)
        if (refusal := self._refusal(channel)) is not None:
            return self._answer(request, "messages", channel, body, *refusal)
        if (faulty := self._fault(request, "messages", channel, body)) is not None:
            return faulty
        wait, headers = self.channel_wait(channel, request[ARRIVED])
        if wait is not None:
            self.record(request, "messages", channel, body, 429)
            return self.too_many(wait, headers=headers)
        nonce = str(body.get("nonce") or "")
        with self.state.lock:
            first = self.state.nonces.get((channel, nonce)) if body.get("enforce_nonce") and nonce else None
            if first is None:
                guild = self.state.channels[channel].get("guild_id")
                first = p.message(
                    self.ids(), channel, guild, self.bot, content=body.get("content") or "",
                    embeds=body.get("embeds"), components=body.get("components"),
                )
                self.state.messages[channel].append(first)
                if nonce:
                    self.state.nonces[(channel, nonce)] = first
        fault = request.get(FAULT)
        if fault is not None and fault.kind == "drop_reply":
            self.record(request, "messages", channel, body, 0)
            assert request.transport is not None
            request.transport.close()  # stored, but the answer never leaves
            return web.Response()
        if fault is not None and fault.kind == "status_after_store":
            return self._answer(request, "messages", channel, body, int(fault.value), {"message": "fault", "code": 0})
        return self._answer(request, "messages", channel, body, 200, {**first, "nonce": nonce or None}, headers)

    async def _history(self: FakeDiscord, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        if (refusal := self._refusal(channel)) is not None:
            return self._answer(request, "history", channel, None, *refusal)
        limit = min(int(request.query.get("limit", 50)), 100)
        before = int(request.query.get("before", 0)) or None
        with self.state.lock:
            posted = reversed(self.state.messages[channel])
            newest_first = [m for m in posted if before is None or int(m["id"]) < before]
        return self._answer(request, "history", channel, dict(request.query), 200, newest_first[:limit])

    async def _start_thread(self: FakeDiscord, request: web.Request) -> web.Response:
        channel, message = request.match_info["channel"], request.match_info["message"]
        body = await _json(request)
        if (refusal := self._refusal(channel, threads=True)) is not None:
            return self._answer(request, "threads", channel, body, *refusal)
        if (faulty := self._fault(request, "threads", channel, body)) is not None:
            return faulty
        with self.state.lock:
            if not any(m["id"] == message for m in self.state.messages[channel]):
                data, status = UNKNOWN_MESSAGE, 404
            elif message in self.state.channels:
                data, status = THREAD_EXISTS, 400
            else:
                parent = self.state.channels[channel]
                data = p.thread_channel(message, parent, body["name"], self.bot["id"])
                self.state.channels[message] = data
                status = 201
        if status == 201:
            await self.broadcast("THREAD_CREATE", {**data, "newly_created": True})
        return self._answer(request, "threads", channel, body, status, data)

    async def _typing(self: FakeDiscord, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        return self._answer(request, "typing", channel, None, 204)

    # -- interactions ----------------------------------------------------------------------

    async def _callback(self: FakeDiscord, request: web.Request) -> web.Response:
        interaction_id = request.match_info["id"]
        body = await _json(request)
        with self.state.lock:
            record = self.state.interactions.get(interaction_id)
        if record is None or record["token"] != request.match_info["token"]:
            return self._answer(request, "callback", None, body, 404, UNKNOWN_INTERACTION)
        channel = record["channel_id"]
        if record["callback"] is not None:
            return self._answer(request, "callback", channel, body, 400, ACKNOWLEDGED)
        kind, data = body["type"], body.get("data") or {}
        answer: dict[str, Any] = {"interaction": {"id": interaction_id, "type": 2}}
        with self.state.lock:
            record["callback"] = body
            if kind == 4:
                record["original"] = self._store_reply(channel, data)
                answer["resource"] = {"type": 4, "message": record["original"]}
            elif kind == 5:
                record["original"] = {"loading": True, "flags": data.get("flags", 0), "id": self.ids()}
                answer["interaction"] |= {"response_message_loading": True,
                                          "response_message_ephemeral": bool(data.get("flags", 0) & p.EPHEMERAL)}
            elif kind == 8:
                record["choices"] = data.get("choices", [])
        return self._answer(request, "callback", channel, body, 200, answer)

    def _store_reply(self: FakeDiscord, channel: str, data: dict[str, Any]) -> dict[str, Any]:
        """A message an interaction sent (lock held); ephemeral ones stay out of the channel."""
        flags = data.get("flags") or 0
        guild = self.state.channels[channel].get("guild_id")
        message = p.message(
            self.ids(), channel, guild, self.bot, content=data.get("content") or "", embeds=data.get("embeds"),
            components=data.get("components"), flags=flags,
        )
        if not flags & p.EPHEMERAL:
            self.state.messages[channel].append(message)
        return message

    def _by_token(self: FakeDiscord, token: str) -> dict[str, Any] | None:
        with self.state.lock:
            return next((r for r in self.state.interactions.values() if r["token"] == token), None)

    async def _followup(self: FakeDiscord, request: web.Request) -> web.Response:
        body = await _json(request)
        record = self._by_token(request.match_info["token"])
        if record is None or record["callback"] is None:
            return self._answer(request, "followup", None, body, 404, UNKNOWN_INTERACTION)
        with self.state.lock:
            message = self._store_reply(record["channel_id"], body)
            record["followups"].append(message)
        return self._answer(request, "followup", record["channel_id"], body, 200, message)

    async def _original(self: FakeDiscord, request: web.Request) -> web.Response:
        record = self._by_token(request.match_info["token"])
        body = await _json(request) if request.method == "PATCH" else None
        if record is None or record["original"] is None:
            return self._answer(request, "original", None, body, 404, UNKNOWN_MESSAGE)
        channel = record["channel_id"]
        if request.method == "DELETE":
            with self.state.lock:
                record["deleted"] = True
            return self._answer(request, "original", channel, None, 204)
        with self.state.lock:
            if request.method == "PATCH":
                original = record["original"]
                if original.get("loading"):
                    original = self._store_reply(channel, {**body, "flags": original["flags"]})
                else:
                    edited = {k: v for k, v in body.items() if k in ("content", "embeds", "components")}
                    original = {**original, **edited}
                record["original"] = original
                record.setdefault("edits", []).append(body)
            data = record["original"]
        return self._answer(request, "original", channel, body, 200, data)
