"""Signed Slack HTTP requests for tests: slash commands and Events API callbacks.

Slack signs each request with the app's signing secret (v0): ``X-Slack-Signature`` is
``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``, and ``X-Slack-Request-Timestamp``
the Unix time it was sent; receivers reject requests older than five minutes. The
builders here produce exactly that, and ``tampered``, ``stale``, ``unsigned`` and
``wrong_secret`` produce the requests a receiver must reject. ``redelivered`` is
Slack's retry of an unacknowledged event: the same body, re-signed, with
``X-Slack-Retry-Num``.

Feed one to bolt as ``AsyncBoltRequest(body=req.body, headers=req.headers)``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field, replace
from typing import Any
import urllib.error
import urllib.request
from urllib.parse import parse_qsl, urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
STALE_AFTER = 5 * 60  # seconds, as Slack and slack_sdk's SignatureVerifier use
_ids = itertools.count(1)


@dataclass(frozen=True)
class SignedRequest:
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def payload(self) -> dict[str, Any]:
        """The body decoded: the form fields or the JSON object."""
        if self.headers.get("Content-Type") == JSON:
            return json.loads(self.body)
        return dict(parse_qsl(self.body, keep_blank_values=True))


def signature(secret: str, timestamp: int | str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def sign(body: str, secret: str, *, content_type: str = FORM, timestamp: int | None = None) -> SignedRequest:
    """``body`` with the headers Slack would send: content type, timestamp, signature."""
    ts = int(time.time()) if timestamp is None else timestamp
    return SignedRequest(
        body,
        {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature(secret, ts, body),
        },
    )


def slack_escape(text: str) -> str:
    """What Slack does to the text a user types before sending it to the app."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slash_command(
    secret: str,
    text: str = "",
    *,
    command: str = "/arxiv",
    user_id: str = "U0USER",
    user_name: str = "ada",
    channel_id: str = "C0CHAN",
    channel_name: str = "papers",
    team_id: str = "T0TEAM",
    response_url: str = "https://hooks.slack.com/commands/T0TEAM/1/x",
    trigger_id: str | None = None,
    api_app_id: str = "A0APP",
    escaped: bool = True,
    timestamp: int | None = None,
) -> SignedRequest:
    """A slash command as Slack posts it; point ``response_url`` at the fake API.

    ``escaped``: Slack sends ``&``, ``<``, ``>`` of the typed text as entities.
    """
    fields = {
        "token": "legacy-verification-token",  # sent by Slack, superseded by signing
        "team_id": team_id,
        "team_domain": "fake",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": slack_escape(text) if escaped else text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or f"{next(_ids)}.{team_id}.trigger",
    }
    return sign(urlencode(fields), secret, timestamp=timestamp)


def new_ts() -> str:
    """A message ts like Slack's (seconds.microseconds), unique within the process."""
    return f"{int(time.time())}.{next(_ids):06d}"


def app_mention(
    text: str,
    *,
    user: str = "U0USER",
    channel: str = "C0CHAN",
    thread_ts: str | None = None,
    ts: str | None = None,
    bot_user_id: str = "U0BOT",
) -> dict[str, Any]:
    """An ``app_mention`` event: the text starts with the bot's mention, as Slack sends it."""
    stamp = ts or new_ts()
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{bot_user_id}> {text}",
        "ts": stamp,
        "channel": channel,
        "event_ts": stamp,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message_event(
    text: str,
    *,
    user: str | None = "U0USER",
    channel: str = "C0CHAN",
    thread_ts: str | None = None,
    ts: str | None = None,
    bot_id: str | None = None,
    subtype: str | None = None,
) -> dict[str, Any]:
    """A ``message`` event; ``bot_id`` makes it a bot's message (the bot's own, say)."""
    stamp = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "text": text,
        "ts": stamp,
        "channel": channel,
        "event_ts": stamp,
        "channel_type": "channel",
    }
    for key, value in (("user", user), ("thread_ts", thread_ts), ("bot_id", bot_id), ("subtype", subtype)):
        if value:
            event[key] = value
    return event


def event_callback(
    secret: str,
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team_id: str = "T0TEAM",
    api_app_id: str = "A0APP",
    bot_user_id: str = "U0BOT",
    timestamp: int | None = None,
) -> SignedRequest:
    """An Events API ``event_callback`` wrapping ``event``, signed."""
    body = {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return sign(json.dumps(body), secret, content_type=JSON, timestamp=timestamp)


def url_verification(secret: str, challenge: str = "challenge-token") -> SignedRequest:
    """The handshake Slack sends when the Request URL is saved."""
    body = json.dumps({"token": "legacy-verification-token", "challenge": challenge, "type": "url_verification"})
    return sign(body, secret, content_type=JSON)


# -- requests a receiver must treat specially ------------------------------------------


def redelivered(
    request: SignedRequest, secret: str, *, attempt: int = 1, reason: str = "http_timeout"
) -> SignedRequest:
    """Slack's retry of an event it thinks was not acknowledged: same body, new signature."""
    again = sign(request.body, secret, content_type=request.headers["Content-Type"])
    return replace(again, headers={**again.headers, "X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": reason})


def tampered(request: SignedRequest) -> SignedRequest:
    """The body changed after signing (the signature no longer matches)."""
    if request.headers.get("Content-Type") == JSON:
        body = json.loads(request.body)
        body["team_id"] = "T0EVIL"
        return replace(request, body=json.dumps(body))
    return replace(request, body=request.body + "&user_id=U0EVIL")


def stale(request: SignedRequest, secret: str, *, age: int = STALE_AFTER + 60) -> SignedRequest:
    """Correctly signed, but ``age`` seconds old: a replay."""
    return sign(request.body, secret, content_type=request.headers["Content-Type"], timestamp=int(time.time()) - age)


def unsigned(request: SignedRequest) -> SignedRequest:
    """No signature headers at all."""
    headers = {k: v for k, v in request.headers.items() if not k.startswith("X-Slack-")}
    return replace(request, headers=headers)


def wrong_secret(request: SignedRequest) -> SignedRequest:
    """Signed, but with another app's secret."""
    return sign(request.body, "not-the-signing-secret", content_type=request.headers["Content-Type"])


def deliver(port: int, request: SignedRequest) -> int:
    """POST ``request`` to a bot's HTTP endpoint on ``port``; its status, or 0 while it is not up."""
    http = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=request.body.encode(), headers=request.headers, method="POST"
    )
    try:
        with urllib.request.urlopen(http, timeout=5) as answer:
            return answer.status
    except (urllib.error.URLError, ConnectionError, OSError):
        return 0
