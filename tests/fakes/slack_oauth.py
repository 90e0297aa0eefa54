"""The fake Slack's OAuth v2: installs in any number of workspaces, and uninstalls.

``authorize(team)`` is a person pressing "Allow" on slack.com/oauth/v2/authorize for
their workspace: it gives the one-use ``code`` Slack appends to the app's redirect URL
(with the ``state`` the app sent). ``oauth.v2.access`` trades it, with the app's client
id and secret (HTTP Basic, as slack_sdk sends them, or form fields), for a new bot token
of that team, in Slack's documented response shape
(https://api.slack.com/methods/oauth.v2.access); the token then acts in that team only
(``auth.test`` says which). ``uninstall(team)`` revokes the team's tokens: Slack then
answers ``token_revoked`` to them, and sends the app ``app_uninstalled`` (the test does).
"""

from __future__ import annotations

import base64
import itertools
import secrets
from typing import Any

from tests.fakes.slack_methods import Installed, SlackError

CLIENT_AUTH = frozenset({"oauth.v2.access"})  # methods authenticated by the app's client id/secret


def basic_auth(header: str) -> dict[str, str]:
    """``client_id`` and ``client_secret`` from an ``Authorization: Basic`` header, if any."""
    if not header.startswith("Basic "):
        return {}
    try:
        client_id, _, client_secret = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    except ValueError:
        return {}
    return {"client_id": client_id, "client_secret": client_secret}


class OAuthMethods:
    """A mixin of the fake's ``Methods``: the app's OAuth credentials, codes and installs."""

    _installed: dict[str, Installed]
    lock: Any
    app_id: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client_id = "1111.2222"
        self.client_secret = "fake-client-secret"
        self.revoked: set[str] = set()
        self._codes: dict[str, tuple[str, str, str]] = {}  # code -> (team, installer, scopes)
        self._serial = itertools.count(1)

    def authorize(self, team: str, *, installer: str = "U0INSTALLER", scopes: str = "commands,chat:write") -> str:
        """A code for the app's install in ``team``, as Slack gives it to the redirect URL."""
        code = f"code-{team}-{secrets.token_hex(4)}"
        with self.lock:
            self._codes[code] = (team, installer, scopes)
        return code

    def bot_token_of(self, team: str) -> str | None:
        """The team's current bot token of the app under test (the last install's), or None."""
        with self.lock:
            found = [t for t, app in self._installed.items() if app.team_id == team and app.app_id == self.app_id]
            return found[-1] if found else None

    def uninstall(self, team: str) -> None:
        """The app removed from ``team``: its tokens revoked (``token_revoked`` from now on)."""
        with self.lock:
            for token in [t for t, app in self._installed.items() if app.team_id == team]:
                del self._installed[token]
                self.revoked.add(token)

    def m_oauth_v2_access(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("client_id") != self.client_id:
            raise SlackError("invalid_client_id")
        if params.get("client_secret") != self.client_secret:
            raise SlackError("bad_client_secret")
        granted = self._codes.pop(str(params.get("code") or ""), None)
        if granted is None:
            raise SlackError("invalid_code")  # unknown, or used already
        team, installer, scopes = granted
        n = next(self._serial)
        token = f"xoxb-{team}-{n}-{secrets.token_hex(8)}"
        bot = Installed(f"U0BOT{team}", f"B0BOT{team}", self.app_id, "digestbot", team)
        self._installed[token] = bot
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": scopes,
            "bot_user_id": bot.bot_user_id,
            "app_id": self.app_id,
            "team": {"name": f"Team {team}", "id": team},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": installer},
        }
