"""What an HTTP request to ``/slack/events`` must be before bolt sees it (HTTP mode only).

Bolt parses a body before it checks the signature, and a body it cannot parse (invalid
UTF-8, truncated JSON, a timestamp header that is not a number) escapes as a 500 with a
traceback in the log; it also takes a command from any body that has a ``command`` field,
JSON included, where Slack only ever sends a form. ``screen`` checks, in this order:

1. the headers and the bytes themselves: a body of at most ``MAX_BODY`` bytes, UTF-8, a
   numeric ``X-Slack-Request-Timestamp`` (400 otherwise, signed or not: nothing is parsed);
2. the signature, with slack_sdk's verifier as bolt does (401), so nothing unsigned is
   parsed, and bolt never logs the body of a forged request;
3. the shape Slack sends (https://api.slack.com/apis/events-api,
   https://api.slack.com/interactivity/slash-commands, https://api.slack.com/interactivity/handling):
   Events API callbacks as a JSON object with its ``type``; slash commands as a form with
   every field Slack posts; interactions as a form whose ``payload`` is a JSON object;
   Slack's ``ssl_check`` form (400 otherwise).

A refusal carries a fixed reason for the log and the response, never the request's text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

MAX_BODY = 1024 * 1024  # bytes; aiohttp's default, far above Slack's largest payloads (modal views)
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
EVENT_TYPES = frozenset({"event_callback", "url_verification", "app_rate_limited"})
# The fields Slack posts with every slash command (``text`` may be empty); the ones bolt
# and our handlers read among them.
COMMAND_FIELDS = ("command", "text", "team_id", "channel_id", "user_id", "response_url", "trigger_id")
_TIMESTAMP = re.compile(r"[0-9]{1,15}")  # Unix seconds, ASCII digits only (int() also reads "١٢")


class Refused(Exception):
    """The request is not one Slack sends; ``status`` 400 or 401, ``reason`` fixed words."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def screen(raw: bytes, headers: Mapping[str, str], content_type: str, verifier: SignatureVerifier) -> dict[str, Any]:
    """The body of a genuine Slack request, parsed (form fields, or the JSON object; an
    interaction's ``payload`` decoded, as bolt does); raises ``Refused``.

    ``content_type``: the media type alone, lowercased (aiohttp's ``request.content_type``).
    """
    if not raw:
        raise Refused(400, "the body is empty")
    if len(raw) > MAX_BODY:
        raise Refused(400, f"the body is over {MAX_BODY} bytes")
    timestamp, signature = headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
    if timestamp is not None and not _TIMESTAMP.fullmatch(timestamp):
        raise Refused(400, "X-Slack-Request-Timestamp is not a Unix time")
    if signature is not None and not signature.isascii():  # hmac.compare_digest raises on it
        raise Refused(400, "X-Slack-Signature is not v0=<hex>")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the body is not UTF-8") from None
    if not verifier.is_valid(body, timestamp, signature):
        raise Refused(401, "the signature is missing, stale or wrong")
    if content_type == JSON:
        return _event(body)
    if content_type == FORM:
        return _form(body)
    raise Refused(400, f"the content type is neither {FORM} nor {JSON}")


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested past the parser's depth
        raise Refused(400, f"{what} is not JSON") from None
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise Refused(400, f"{what} is not a JSON object with a type")
    return value


def _event(body: str) -> dict[str, Any]:
    event = _json_object(body, "the JSON body")
    if event["type"] not in EVENT_TYPES or "command" in event:
        raise Refused(400, "the JSON body is not an Events API callback")
    if event["type"] == "event_callback" and not (
        isinstance(event.get("event"), dict) and isinstance(event["event"].get("type"), str)
    ):
        raise Refused(400, "the event callback has no event")
    return event


def _form(body: str) -> dict[str, Any]:
    if body.startswith("{"):  # bolt would read it as JSON, whatever the content type says
        raise Refused(400, "the form body is JSON")
    try:
        fields = dict(parse_qsl(body, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        raise Refused(400, "the form body is not name=value pairs") from None
    if "payload" in fields:
        return _json_object(fields["payload"], "the interaction payload")
    if "ssl_check" in fields:
        return fields
    if missing := [name for name in COMMAND_FIELDS if name not in fields]:
        raise Refused(400, f"the slash command lacks {', '.join(missing)}")
    return fields
