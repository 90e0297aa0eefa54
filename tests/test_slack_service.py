"""SlackService: real HTTP to /slack/events, Socket Mode over a loopback WebSocket, start-up errors.

Plus the README's app manifest, checked against what the code needs.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import socket
import time as clock
from datetime import time
from pathlib import Path

import aiohttp
import pytest
import yaml
from aiohttp import web

from bot.slack.app import SlackService, SlackStartupError, build_slack_app
from bot.slack.inbound import MAX_BODY
from tests.engine_fixtures import WEEK
from tests.fakes.slack_requests import (
    FORM,
    JSON,
    app_mention,
    event_callback,
    sign,
    slash_command,
    unsigned,
    url_verification,
)
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


def signed_bytes(raw: bytes, content_type: str = FORM, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    """``raw`` (any bytes, UTF-8 or not) with a valid v0 signature over them."""
    ts = str(int(clock.time()))
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return raw, {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def command_fields(text: str = "subscribe synthetic data") -> dict[str, str]:
    return slash_command(SECRET, text).payload


def malformed() -> dict[str, tuple[bytes, dict[str, str]]]:
    """Each request Slack never sends, as (body, headers); signed unless named unsigned."""
    command = slash_command(SECRET, "subscribe synthetic data")
    cut = '{"type": "event_callback", "event": {"type": "app_mention", "text": "subscribe synthetic data'
    bare = {k: v for k, v in command.headers.items() if not k.startswith("X-Slack-")}
    lacking = {k: v for k, v in command_fields().items() if k != "response_url"}
    return {
        "timestamp not a number": (command.body.encode(), {**command.headers, "X-Slack-Request-Timestamp": "soon"}),
        "timestamp not a number, unsigned": (command.body.encode(), {**bare, "X-Slack-Request-Timestamp": "1e9"}),
        "invalid UTF-8": signed_bytes(b"text=subscribe+synthetic\xff\xfe+data&" + command.body.encode()),
        "invalid UTF-8, unsigned": (b"\xc3\x28" + command.body.encode(), bare),
        "a command as JSON": signed_bytes(json.dumps(command_fields()).encode(), JSON),
        "an event carrying a command": signed_bytes(
            json.dumps({"type": "event_callback", "event": {"type": "app_mention"}, **command_fields()}).encode(), JSON
        ),
        "JSON under the form's type": signed_bytes(json.dumps(command_fields()).encode(), FORM),
        "a form lacking response_url": signed_bytes("&".join(f"{k}={v}" for k, v in lacking.items()).encode()),
        "a form that is not a form": signed_bytes(b"subscribe synthetic data"),
        "an interaction whose payload is cut": signed_bytes(b'payload=%7B%22type%22%3A%22synthetic'),
        "truncated JSON": signed_bytes(cut.encode(), JSON),
        "JSON nested too deep": signed_bytes(b"[" * 200_000, JSON),
        "an event without its event": signed_bytes(b'{"type": "event_callback", "event": "subscribe"}', JSON),
        "ids of the wrong shape": signed_bytes(
            json.dumps({"type": "event_callback", "event": {"type": "app_mention"}, "authorizations": [7]}).encode(),
            JSON,
        ),
        "a signature not in ASCII": (command.body.encode(), {**command.headers, "X-Slack-Signature": "v0=été"}),
        "no body": signed_bytes(b""),
        "no body, unsigned": (b"", bare),
        "a body over the limit": signed_bytes(b"text=" + b"a" * MAX_BODY),
        "plain text": signed_bytes(b"subscribe synthetic data", "text/plain"),
    }


@pytest.fixture
async def http_service(tmp_path):
    port = free_port()
    with world(tmp_path, http_port=port) as w:
        service = SlackService(w.settings, w.app)
        await service.start()
        try:
            yield port, w
        finally:
            await service.stop()


async def post_raw(port: int, body, headers: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{port}/slack/events"
        async with session.post(url, data=body, headers=headers) as response:
            return response.status, await response.text()


@pytest.mark.parametrize("case", list(malformed()))
async def test_a_malformed_request_gets_400_one_warning_and_changes_nothing(http_service, caplog, case):
    port, w = http_service
    body, headers = malformed()[case]
    caplog.set_level(logging.DEBUG)
    status, answer = await post_raw(port, body, headers)
    assert status == 400, answer
    assert w.store.list_subscriptions() == [] and w.slack.messages("C0CHAN") == []
    records = [r for r in caplog.records if r.name != "aiohttp.access"]
    assert not any(r.exc_info or r.levelno >= logging.ERROR for r in records), caplog.text  # no traceback
    [warning] = [r for r in records if r.levelno == logging.WARNING]
    assert warning.name == "bot.slack.service" and "/slack/events" in warning.getMessage()
    assert "synthetic" not in caplog.text and "synthetic" not in answer  # the body is never echoed


async def test_a_body_sent_without_a_length_is_cut_off_at_the_limit(http_service, caplog):
    port, w = http_service

    async def chunks():
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"a" * 65536

    status, _ = await post_raw(port, chunks(), {"Content-Type": FORM})  # chunked: no Content-Length
    assert status == 400 and w.store.list_subscriptions() == []
    assert not any(r.exc_info for r in caplog.records)


async def test_an_unsigned_body_is_not_parsed_and_never_logged(http_service, caplog):
    port, w = http_service
    caplog.set_level(logging.DEBUG)
    truncated = unsigned(sign('{"type": "event_callback", "event": {"text": "synthetic', SECRET, content_type=JSON))
    status, _ = await post_raw(port, truncated.body.encode(), truncated.headers)
    assert status == 401  # refused before anything reads it: bolt's status for a missing signature
    forged = sign(json.dumps(command_fields()), "another-apps-secret", content_type=JSON)
    status, _ = await post_raw(port, forged.body.encode(), forged.headers)
    assert status == 401 and w.store.list_subscriptions() == []
    assert "synthetic" not in caplog.text  # bolt logs a forged request's body; it never sees one
    assert not any(r.exc_info or r.levelno >= logging.WARNING for r in caplog.records)


async def test_a_command_whose_text_says_payload_is_still_a_command(http_service):
    # bolt's own parser takes any form containing "payload" for an interaction, and answers 404.
    port, w = http_service
    request = slash_command(SECRET, "subscribe adversarial payload", response_url=w.slack.response_url())
    status, body = await post_raw(port, request.body.encode(), request.headers)
    assert status == 200 and "adversarial payload" in json.loads(body)["text"]
    assert [s.topic for s in w.store.list_subscriptions()] == ["adversarial payload"]


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
    # reactions:read: 👍/👎 on cards (bot/slack/reactions.py).
    assert scopes == {"commands", "chat:write", "app_mentions:read", "channels:history", "groups:history", "users:read",
                      "reactions:read"}
    [slash] = m["features"]["slash_commands"]
    assert slash["command"] == "/arxiv"
    # Socket Mode by default: no public URL; the README says what HTTP mode changes.
    assert m["settings"]["socket_mode_enabled"] is True
    assert m["settings"]["event_subscriptions"]["bot_events"] == ["app_mention", "reaction_added", "reaction_removed"]
    assert m["features"]["bot_user"]["always_online"] is True
