"""SlackService: real HTTP to /slack/events, Socket Mode over a loopback WebSocket, start-up errors.

Plus the README's app manifest, checked against what the code needs.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
from datetime import time
from pathlib import Path

import aiohttp
import pytest
import yaml
from aiohttp import web

from bot.slack.app import SlackService, SlackStartupError, build_slack_app
from tests.engine_fixtures import WEEK
from tests.fakes.slack_requests import app_mention, event_callback, slash_command, unsigned, url_verification
from tests.slack_fixtures import CHANNEL, SECRET, settings_for, world

README = Path(__file__).resolve().parents[1] / "README.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def post(port, request):
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{port}/slack/events"
        async with session.post(url, data=request.body.encode(), headers=request.headers) as response:
            return response.status, await response.text()


async def test_http_mode_serves_signed_requests_and_refuses_the_rest(tmp_path):
    port = free_port()
    with world(tmp_path, http_port=port) as w:
        service = SlackService(w.settings, w.app)
        assert service.mode == "http"
        await service.start()
        try:
            status, body = await post(port, slash_command(SECRET, "help", response_url=w.slack.response_url()))
            assert status == 200 and "/arxiv subscribe" in json.loads(body)["text"]
            status, _ = await post(port, unsigned(slash_command(SECRET, "subscribe synthetic data")))
            assert status == 401 and w.store.list_subscriptions() == []
            status, body = await post(port, url_verification(SECRET, "abc"))
            assert status == 200 and json.loads(body) == {"challenge": "abc"}
            with pytest.raises(SlackStartupError, match="DIGEST_HTTP_PORT"):
                await SlackService(w.settings, w.app).start()  # the port is taken
        finally:
            await service.stop()


async def test_missing_signing_secret_in_http_mode_fails_at_start_naming_it(tmp_path):
    with world(tmp_path) as w:
        no_secret = settings_for(w.slack, signing_secret=None)
        with pytest.raises(SlackStartupError, match="SLACK_SIGNING_SECRET") as problem:
            build_slack_app(no_secret, w.handlers, w.store, w.port, w.qa)
        assert "Basic Information > App Credentials" in str(problem.value)
        with pytest.raises(SlackStartupError, match="SLACK_SIGNING_SECRET"):
            await SlackService(no_secret, w.app).start()
        wrong_token = settings_for(w.slack, bot_token="xoxb-wrong-secret")
        with pytest.raises(SlackStartupError, match="SLACK_BOT_TOKEN") as refused:
            await SlackService(wrong_token, build_slack_app(wrong_token, w.handlers, w.store, w.port, w.qa)).start()
        assert "invalid_auth" in str(refused.value) and "xoxb-wrong-secret" not in str(refused.value)


class SocketModeSlack:
    """The two things Socket Mode needs from Slack: apps.connections.open, then a WebSocket.

    ``auth.test`` is answered too (bolt checks its token); events are pushed as envelopes
    and the app's acknowledgements collected in ``acks``.
    """

    def __init__(self, app_token: str = "xapp-test") -> None:
        self.app_token = app_token
        self.acks: list[dict] = []
        self.connected = asyncio.Event()
        self._socket: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> SocketModeSlack:
        app = web.Application()
        app.router.add_post("/api/auth.test", self._auth_test)
        app.router.add_post("/api/apps.connections.open", self._open)
        app.router.add_route("*", "/api/{method}", self._unknown)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{self.port}/api/"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _auth_test(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "user_id": "U0BOT", "bot_id": "B0BOT", "team_id": "T0TEAM"})

    async def _open(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.app_token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"})

    async def _unknown(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error": "unknown_method"})

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._socket = ws
        self.connected.set()
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
        return ws

    async def push(self, envelope_id: str, payload: dict, retry_attempt: int = 0) -> None:
        await self.connected.wait()
        assert self._socket is not None
        await self._socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": "events_api",
                "payload": payload,
                "accepts_response_payload": False,
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )


async def test_socket_mode_answers_an_event_once_whichever_way_it_comes(tmp_path):
    async with SocketModeSlack() as edge:
        with world(tmp_path) as w:
            sub = w.store.add_subscription(
                CHANNEL, "synthetic data", weekday=0, at=time(9), tz="UTC", language="en", max_papers=2,
                created_by="U1",
            )
            await w.deliverer.run(sub, WEEK, "k1")
            card = w.store.deliveries("k1")[1].message_id
            settings = settings_for(w.slack, app_token="xapp-test", signing_secret=None, api_url=edge.base_url)
            app = build_slack_app(settings, w.handlers, w.store, w.port, w.qa)
            service = SlackService(settings, app)
            assert service.mode == "socket"
            await service.start()
            try:
                event = event_callback(SECRET, app_mention("what corpus?", thread_ts=card, channel="C0CHAN"))

                def answers():
                    return [m for m in w.slack.messages("C0CHAN") if m.get("thread_ts") == card and m["ts"] != card]

                await edge.push("env-1", event.payload)
                [answer] = await w.slack.until(answers)  # answered through the socket
                assert "Pile corpus" in answer["text"]
                await edge.push("env-2", event.payload, retry_attempt=1)  # Slack's redelivery: same event_id
                await w.dispatch(event)  # and the same event over HTTP
                await w.slack.until(lambda: len(edge.acks) == 2)
                assert [a["envelope_id"] for a in edge.acks] == ["env-1", "env-2"]
                await asyncio.sleep(0.3)
                assert len(answers()) == 1
            finally:
                await service.stop()

            wrong = settings_for(w.slack, app_token="xapp-wrong", signing_secret=None, api_url=edge.base_url)
            with pytest.raises(SlackStartupError, match="SLACK_APP_TOKEN"):
                await SlackService(wrong, build_slack_app(wrong, w.handlers, w.store, w.port, w.qa)).start()


def manifest() -> dict:
    section = README.read_text(encoding="utf-8").split("## Set up the Slack app", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block, "the README's Slack section has a YAML manifest"
    return yaml.safe_load(block.group(1))


def test_the_readme_manifest_asks_for_what_the_code_uses_and_no_more():
    m = manifest()
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    # commands: /arxiv; chat:write: digests and answers; app_mentions:read: questions;
    # channels/groups:history: reconciling lost posts, thread history, answer_all_replies;
    # users:read: admins_only.
    assert scopes == {"commands", "chat:write", "app_mentions:read", "channels:history", "groups:history", "users:read"}
    [slash] = m["features"]["slash_commands"]
    assert slash["command"] == "/arxiv"
    # Socket Mode by default: no public URL; the README says what HTTP mode changes.
    assert m["settings"]["socket_mode_enabled"] is True
    assert m["settings"]["event_subscriptions"]["bot_events"] == ["app_mention"]
    assert m["features"]["bot_user"]["always_online"] is True
