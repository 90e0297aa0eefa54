"""A loopback fake of the Slack Web API, for the real ``slack_sdk`` clients.

``with FakeSlackAPI() as slack:`` then ``AsyncWebClient(token=slack.token,
base_url=slack.base_url)``. It serves form-, JSON- and query-encoded calls like Slack:
HTTP 200 with ``{"ok": false, "error": ...}`` for API errors, HTTP 429 with
``Retry-After`` when rate limited. Every call is recorded in ``.calls``.

Messages live per channel in post order; ``conversations.history`` shows top-level
messages newest first (thread replies only through ``conversations.replies``), as
Slack does. ``response_url(id)`` gives a URL on this server that records what is
posted to it (slash-command replies). ``install_app`` adds another app's bot token:
what it posts carries that app's ids, as another app's messages do on Slack.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from bot.demo.loopback import LoopbackServer
from tests.fakes.slack_methods import Installed, Methods, SlackError
from tests.fakes.slack_oauth import CLIENT_AUTH, OAuthMethods, basic_auth

logger = logging.getLogger(__name__)

T = TypeVar("T")
Fault = tuple[Any, ...]
_JSON_FIELDS = ("blocks", "metadata", "attachments")  # JSON strings inside form posts


@dataclass(frozen=True)
class Call:
    method: str  # "chat.postMessage", or "response_url" for a response URL
    params: dict[str, Any]  # decoded; the token is left out
    time: float  # time.monotonic() when the call arrived
    status: int  # the HTTP status answered; 0 when the reply was dropped


@dataclass(frozen=True)
class Posted:
    team: str  # the workspace (team id) the post counts against
    channel: str
    time: float  # time.monotonic() when it arrived


class FakeSlackAPI(OAuthMethods, Methods, LoopbackServer):
    """The Web API on 127.0.0.1; ``rate_limit``: chat.postMessage per channel per ``window``
    seconds (Slack: 1 per second); ``team_rate_limit``: per workspace per ``team_window``
    seconds (Slack keeps one without publishing it). A post over either is answered 429
    with Retry-After, as Slack does; each accepted post is recorded in ``.posted``."""

    def __init__(
        self,
        *,
        token: str = "xoxb-test-token",
        rate_limit: int | None = None,
        window: float = 1.0,
        team_rate_limit: int | None = None,
        team_window: float = 60.0,
        team_id: str = "T0TEAM",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        app_id: str = "A0APP",
    ) -> None:
        super().__init__(team_id=team_id, bot_user_id=bot_user_id, bot_id=bot_id, app_id=app_id)
        self.token = token
        self._installed[token] = self.me
        self.rate_limit, self.window = rate_limit, window
        self.team_rate_limit, self.team_window = team_rate_limit, team_window
        self.calls: list[Call] = []
        self.tokens_used: list[tuple[str, str, str]] = []  # (method, channel, bot token) of every call
        self.posted: list[Posted] = []
        self.peers: set[tuple[str, int]] = set()  # client (host, port) pairs: one per connection
        self._faults: list[tuple[str, str | None, Fault]] = []
        self._posted_at: dict[tuple[str, str], deque[float]] = defaultdict(deque)  # by (team, channel)
        self._team_posted_at: dict[str, deque[float]] = defaultdict(deque)
        LoopbackServer.__init__(self, _handler_for(self), "fake-slack")

    # -- addresses and lifecycle ---------------------------------------------------

    @property
    def base_url(self) -> str:
        """For ``AsyncWebClient(base_url=...)``, which needs the trailing slash."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, response_id: str = "1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{response_id}"

    # -- test controls ---------------------------------------------------------------

    def script(self, faults: Sequence[Fault], *, method: str = "chat.postMessage", channel: str | None = None) -> None:
        """Queue faults for the next calls of ``method`` (to ``channel``, or any), one each.

        ``("ratelimited", seconds)``: 429 + Retry-After. ``("status", 500)``: that HTTP
        status, no JSON. ``("error", "channel_not_found")``: ok=false with that error.
        ``("drop_reply",)``: do the call (store the message) but close the connection
        without an answer; ``("drop_reply", seconds)`` hangs that long first.
        ``("ok",)``: no fault, so that a later call is the faulty one.
        """
        with self.lock:
            self._faults.extend((method, channel, fault) for fault in faults)

    def install_app(
        self, token: str, *, bot_user_id: str, bot_id: str, app_id: str, name: str = "other app", team: str = ""
    ) -> None:
        """Another app in the workspace (``team``, default the first), whose bot token
        ``token`` acts as its own bot user."""
        with self.lock:
            self._installed[token] = Installed(bot_user_id, bot_id, app_id, name, team)

    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    async def until(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Poll ``predicate`` until truthy (work after a bolt ack runs in the background)."""
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() > deadline:
                raise AssertionError(f"fake Slack: condition not met within {timeout}s")
            await asyncio.sleep(0.01)
        return value

    # -- serving ---------------------------------------------------------------------

    def _take_fault(self, method: str, channel: str | None) -> Fault | None:
        with self.lock:
            for i, (m, c, fault) in enumerate(self._faults):
                if m == method and (c is None or c == channel):
                    del self._faults[i]
                    return fault
        return None

    def _rate_limited(self, team: str, channel: str) -> int | None:
        """Seconds to wait when ``channel`` had ``rate_limit`` posts in the last ``window``,
        or ``team`` had ``team_rate_limit`` in the last ``team_window``; else the post is
        counted (and recorded) and None."""
        now = time.monotonic()
        with self.lock:
            waits = [
                _window_wait(sent, limit, span, now)
                for sent, limit, span in (
                    (self._posted_at[team, channel], self.rate_limit, self.window),
                    (self._team_posted_at[team], self.team_rate_limit, self.team_window),
                )
                if limit
            ]
            if any(waits):
                return max(waits)
            self._posted_at[team, channel].append(now)
            self._team_posted_at[team].append(now)
            self.posted.append(Posted(team, channel, now))
        return None

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        path = urlsplit(request.path).path
        params = _read_params(request)
        arrived = time.monotonic()
        if path.startswith("/response/"):
            method = "response_url"
            params = {"id": path.removeprefix("/response/"), **params}
        elif path.startswith("/api/"):
            method = path.removeprefix("/api/")
        else:
            return self._answer(request, Call(path, params, arrived, 404), 404, {"ok": False, "error": "not_found"})
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        params.pop("token", None)
        call = lambda status: Call(method, params, arrived, status)  # noqa: E731
        with self.lock:
            self.tokens_used.append((method, str(params.get("channel") or ""), token or ""))
            self.peers.add(request.client_address)
        if method in CLIENT_AUTH:  # the app's client id and secret, as HTTP Basic (or in the form)
            try:
                body = self.dispatch(method, {**params, **basic_auth(auth)})
            except SlackError as exc:
                body = {"ok": False, "error": exc.error}
            return self._answer(request, call(200), 200, body)
        if method != "response_url" and not token:
            return self._answer(request, call(200), 200, {"ok": False, "error": "not_authed"})
        with self.lock:
            caller = self._installed.get(token or "")
            revoked = (token or "") in self.revoked
        if method != "response_url" and caller is None:
            error = "token_revoked" if revoked else "invalid_auth"
            return self._answer(request, call(200), 200, {"ok": False, "error": error})
        fault = self._take_fault(method, params.get("channel"))
        kind = fault[0] if fault else "ok"
        if kind == "ratelimited":
            return self._answer(
                request, call(429), 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(fault[1])}
            )
        if kind == "status":
            return self._answer(request, call(fault[1]), fault[1], None)
        if kind == "error":
            return self._answer(request, call(200), 200, {"ok": False, "error": fault[1]})
        team = getattr(caller, "team_id", None) or self.team_id
        if method == "chat.postMessage" and (wait := self._rate_limited(team, str(params.get("channel")))):
            return self._answer(
                request, call(429), 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}
            )
        try:
            body = self.dispatch(method, params, caller)
        except SlackError as exc:
            body = {"ok": False, "error": exc.error}
        if kind == "drop_reply":
            with self.lock:
                self.calls.append(call(0))
            if len(fault) > 1:
                self._closing.wait(fault[1])
            request.close_connection = True  # the client sees the connection close, no reply
            return None
        return self._answer(request, call(200), 200, body)

    def _answer(
        self,
        request: BaseHTTPRequestHandler,
        call: Call,
        status: int,
        body: dict[str, Any] | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        with self.lock:
            self.calls.append(call)
        data = json.dumps(body).encode() if body is not None else b"<html>Server Error</html>"
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8" if body is not None else "text/html")
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)


def _window_wait(sent: deque[float], limit: int, span: float, now: float) -> int:
    """0 when ``sent`` (arrival times, oldest first) has room for one more within ``span``
    seconds; else the whole seconds until it has (Slack's Retry-After), at least 1."""
    while sent and sent[0] <= now - span:
        sent.popleft()
    if len(sent) < limit:
        return 0
    return max(1, int(sent[0] + span - now + 0.999))


def _read_params(request: BaseHTTPRequestHandler) -> dict[str, Any]:
    """Query string, then a form or JSON body, as slack_sdk sends them."""
    params: dict[str, Any] = dict(parse_qsl(urlsplit(request.path).query, keep_blank_values=True))
    raw = request.rfile.read(int(request.headers.get("Content-Length") or 0))
    kind = request.headers.get("Content-Type", "")
    if raw and "json" in kind:
        params.update(json.loads(raw))
    elif raw:
        params.update(parse_qsl(raw.decode(), keep_blank_values=True))
    for key in _JSON_FIELDS:
        if isinstance(params.get(key), str) and params[key]:
            try:
                params[key] = json.loads(params[key])
            except json.JSONDecodeError:
                pass  # left as sent: the method answers invalid_blocks
    return params


def _handler_for(fake: FakeSlackAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Slack's edge offers

        def do_POST(self) -> None:
            fake.serve(self)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("fake slack: " + format, *args)

    return Handler
