"""The state and methods behind the fake Slack Web API (``slack_api.py`` serves them).

Each method takes the decoded parameters and returns Slack's JSON answer, or raises
``SlackError`` for an ``{"ok": false, "error": ...}`` answer. Shapes follow Slack's
documented responses as far as the bot reads them.
"""

from __future__ import annotations

import base64
import copy
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

Message = dict[str, Any]


class SlackError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _micros(ts: Any, default: int) -> int:
    """A Slack ts ("1714000000.000100") as integer microseconds, for exact comparison."""
    if ts in (None, ""):
        return default
    try:
        return int(Decimal(str(ts)) * 1_000_000)
    except InvalidOperation:
        raise SlackError("invalid_ts_latest") from None


def _page(items: list[Message], params: dict[str, Any], default_limit: int) -> dict[str, Any]:
    """Cursor pagination: the cursor is an opaque encoding of the next offset."""
    limit = int(params.get("limit") or default_limit)
    cursor = params.get("cursor") or ""
    try:
        start = int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("next:")) if cursor else 0
    except ValueError:
        raise SlackError("invalid_cursor") from None
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    next_cursor = base64.urlsafe_b64encode(f"next:{start + limit}".encode()).decode() if more else ""
    return {"ok": True, "messages": chunk, "has_more": more, "response_metadata": {"next_cursor": next_cursor}}


@dataclass(frozen=True)
class Installed:
    """An app installed in the workspace, as its bot token acts: its bot user, bot and app ids."""

    bot_user_id: str
    bot_id: str
    app_id: str
    name: str
    team_id: str = ""  # the workspace it is installed in; "": the fake's first team


class Methods:
    """Channels, users and messages; ``dispatch`` answers one Web API method.

    ``dispatch`` is told which installed app's token made the call (``caller``; the
    bot under test when not said): ``auth.test`` describes that app, and a message it
    posts carries its ``user``, ``bot_id``, ``app_id`` and ``bot_profile``, as Slack
    shows a bot token's messages in ``conversations.history``.

    Several workspaces (teams): a token acts in its own team only. A channel or user of
    another team is, for it, ``channel_not_found`` / ``user_not_found``, as on Slack.
    """

    def __init__(self, *, team_id: str, bot_user_id: str, bot_id: str, app_id: str = "A0APP") -> None:
        self.team_id, self.bot_user_id, self.bot_id, self.app_id = team_id, bot_user_id, bot_id, app_id
        self.me = Installed(bot_user_id, bot_id, app_id, "digestbot", team_id)
        self._installed: dict[str, Installed] = {}  # by bot token
        self._caller = self.me
        self.lock = threading.RLock()
        self._messages: dict[str, list[Message]] = defaultdict(list)
        self._ephemeral: dict[str, list[Message]] = defaultdict(list)
        self._responses: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._channels: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._locales: dict[str, str | None] = {}  # by user: users.info gives it with include_locale
        self._last_ts = 0

    # -- setup and inspection (thread-safe copies) -----------------------------------

    def add_channel(
        self, channel: str, *, name: str | None = None, is_private: bool = False, is_member: bool = True,
        team: str | None = None,
    ) -> None:
        """Describe a channel (of ``team``, default the first); any other channel id exists
        as a public one of the first team, the bot in it."""
        with self.lock:
            self._channels[channel] = {
                "name": name or channel.lower(),
                "is_private": is_private,
                "is_member": is_member,
                "team": team or self.team_id,
            }

    def add_user(
        self, user: str, *, is_admin: bool = False, is_owner: bool = False, name: str | None = None, tz: str = "UTC",
        locale: str | None = None, team: str | None = None,
    ) -> None:
        """``locale``: the user's Slack locale ("ja-JP"), returned by users.info only when asked
        (``include_locale=true``), as Slack does; None: the field is absent."""
        with self.lock:
            self._locales[user] = locale
            self._users[user] = {
                "id": user,
                "team_id": team or self.team_id,
                "name": name or user.lower(),
                "deleted": False,
                "is_admin": is_admin,
                "is_owner": is_owner,
                "is_bot": False,
                "tz": tz,
            }

    def messages(self, channel: str) -> list[Message]:
        """Every message posted to ``channel`` (thread replies included), in post order."""
        with self.lock:
            return copy.deepcopy(self._messages[channel])

    def ephemerals(self, channel: str) -> list[Message]:
        with self.lock:
            return copy.deepcopy(self._ephemeral[channel])

    def responses(self, response_id: str = "1") -> list[dict[str, Any]]:
        """What was posted to ``response_url(response_id)``, in order."""
        with self.lock:
            return copy.deepcopy(self._responses[response_id])

    # -- dispatch --------------------------------------------------------------------

    def dispatch(self, method: str, params: dict[str, Any], caller: Installed | None = None) -> dict[str, Any]:
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            raise SlackError("unknown_method")
        with self.lock:
            self._caller = caller or self.me
            try:
                return handler(params)
            finally:
                self._caller = self.me

    def _new_ts(self) -> str:
        # Unique and increasing across the workspace, like Slack's message ids.
        self._last_ts = max(time.time_ns() // 1000, self._last_ts + 1)
        return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    def _team(self) -> str:
        """The team of the token making the call."""
        return self._caller.team_id or self.team_id

    def _channel(self, params: dict[str, Any]) -> str:
        channel = params.get("channel")
        if not channel or self._channels.get(channel, {}).get("team", self.team_id) != self._team():
            raise SlackError("channel_not_found")  # none, or another workspace's
        if not self._channels.get(channel, {}).get("is_member", True):
            raise SlackError("not_in_channel")
        return str(channel)

    def _find(self, channel: str, ts: Any) -> Message | None:
        return next((m for m in self._messages[channel] if m["ts"] == ts), None)

    def _visible(self, message: Message, with_metadata: bool) -> Message:
        shown = copy.deepcopy(message)
        shown.pop("reply_broadcast", None)
        if not with_metadata:
            shown.pop("metadata", None)
        return shown

    # -- methods ---------------------------------------------------------------------

    def m_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        caller = self._caller
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": f"Fake Team {self._team()}",
            "user": caller.name,
            "team_id": self._team(),
            "user_id": caller.bot_user_id,
            "bot_id": caller.bot_id,
            "is_enterprise_install": False,
        }

    def m_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise SlackError("no_text")
        if "blocks" in params and not isinstance(params["blocks"], list):
            raise SlackError("invalid_blocks")
        ts = self._new_ts()
        caller = self._caller
        message: Message = {
            "type": "message",
            "user": caller.bot_user_id,
            "bot_id": caller.bot_id,
            "app_id": caller.app_id,
            "team": self._team(),
            "bot_profile": {
                "id": caller.bot_id, "app_id": caller.app_id, "name": caller.name, "deleted": False,
                "team_id": self._team(),
            },
            "text": params.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "metadata", "attachments"):
            if params.get(key):
                message[key] = params[key]
        if thread_ts := params.get("thread_ts"):
            message["thread_ts"] = str(thread_ts)
            message["reply_broadcast"] = _flag(params.get("reply_broadcast"))
            if parent := self._find(channel, str(thread_ts)):
                parent["thread_ts"] = parent["ts"]
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = ts
        self._messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": self._visible(message, True)}

    def m_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        message = self._find(channel, params.get("ts"))
        if message is None:
            raise SlackError("message_not_found")
        if message.get("bot_id") != self._caller.bot_id:
            raise SlackError("cant_update_message")  # a bot token edits only its own app's messages
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise SlackError("no_text")
        for key in ("text", "blocks", "metadata"):
            if key in params:
                message[key] = params[key]
        message["edited"] = {"user": self._caller.bot_user_id, "ts": self._new_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": self._visible(message, True),
        }

    def m_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        if not params.get("user"):
            raise SlackError("user_not_in_channel")
        if not (params.get("text") or params.get("blocks")):
            raise SlackError("no_text")
        ts = self._new_ts()
        self._ephemeral[channel].append(
            {
                "user": params["user"],
                "text": params.get("text", ""),
                "blocks": params.get("blocks"),
                "thread_ts": params.get("thread_ts"),
                "message_ts": ts,
            }
        )
        return {"ok": True, "message_ts": ts}

    def m_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        oldest, latest = _micros(params.get("oldest"), 0), _micros(params.get("latest"), 1 << 62)
        inclusive = _flag(params.get("inclusive"))
        top = [m for m in self._messages[channel] if m.get("thread_ts") in (None, m["ts"]) or m.get("reply_broadcast")]

        def within(ts: str) -> bool:
            at = _micros(ts, 0)
            return oldest <= at <= latest if inclusive else oldest < at < latest

        inside = [m for m in top if within(m["ts"])]
        metadata = _flag(params.get("include_all_metadata"))
        newest_first = [self._visible(m, metadata) for m in reversed(inside)]
        return _page(newest_first, params, 100)

    def m_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        asked = self._find(channel, params.get("ts"))
        if asked is None:
            raise SlackError("thread_not_found")
        root = asked.get("thread_ts") or asked["ts"]
        oldest, latest = _micros(params.get("oldest"), 0), _micros(params.get("latest"), 1 << 62)
        thread = [
            m
            for m in self._messages[channel]
            if (m["ts"] == root or m.get("thread_ts") == root) and oldest <= _micros(m["ts"], 0) <= latest
        ]
        metadata = _flag(params.get("include_all_metadata"))
        return _page([self._visible(m, metadata) for m in thread], params, 1000)

    def m_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            raise SlackError("channel_not_found")
        info = self._channels.get(channel, {"name": channel.lower(), "is_private": False, "is_member": True})
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "is_channel": True,
                "is_archived": False,
                "is_im": False,
                **info,
            },
        }

    def m_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(params.get("user", ""))
        if user is None or user["team_id"] != self._team():
            raise SlackError("user_not_found")
        answer = dict(user)
        if str(params.get("include_locale", "")).lower() in ("true", "1") and self._locales.get(answer["id"]):
            answer["locale"] = self._locales[answer["id"]]
        return {"ok": True, "user": answer}

    def m_response_url(self, params: dict[str, Any]) -> dict[str, Any]:
        payload = {k: v for k, v in params.items() if k != "id"}
        self._responses[params["id"]].append(payload)
        return {"ok": True}
