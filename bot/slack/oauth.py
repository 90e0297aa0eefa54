"""Slack's two install modes: one workspace's bot token, or bolt's OAuth flow for any number.

``bolt_app`` builds the ``AsyncApp``: with ``slack.client_id``/``client_secret`` set, bolt's
OAuth flow (``AsyncOAuthSettings``): ``/slack/install`` gives an "Add to Slack" page and a
state (kept in our database, ``StateStore``, and in a cookie of the installer's browser);
Slack sends the installer back to ``/slack/oauth_redirect`` with a code and that state,
checked (the same browser, issued by us, not used before, not expired: 10 min) before
``oauth.v2.access`` trades the code for the workspace's bot token, saved by
``InstallationStore``. Inbound requests are then authorised by bolt with the token of
their team (``installation_store_bot_only``); outbound calls through ``SlackPort`` ask the
same store (``InstalledTokens``). Without OAuth settings: the configured bot token, as before.

``app_uninstalled`` and ``tokens_revoked`` (of the bot) delete the workspace's
installation and pause its subscriptions (``installs.uninstall``); after a reinstall an
admin resumes them (``/arxiv resume <id>``).

``InstallPages`` serves the two pages over aiohttp: OAuth needs HTTP even in Socket Mode
(Slack redirects a browser), so ``SlackService`` listens on ``http_port`` for them then.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.slack.installs import (
    PLATFORM, FixedToken, InstallationStore, InstalledTokens, StateStore, TokenResolver, uninstall,
)
from bot.slack.port import SlackPort, slack_client
from config.settings import SlackSettings
from digest.ratelimit.pacing import Pacer
from digest.store import Store

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an install link's state lives this long (bolt's default)


def build_port(settings: SlackSettings, store: Store, *, site_url: str | None, pacer: Pacer | None = None) -> SlackPort:
    """The ``SlackPort`` of ``settings``: every call with the one bot token, or with the
    token of the channel's workspace's installation (OAuth)."""
    tokens: TokenResolver = InstalledTokens(store) if settings.oauth else FixedToken(
        settings.bot_token.get_secret_value() if settings.bot_token else None
    )
    return SlackPort(
        slack_client(settings), messages_per_second=settings.messages_per_second, site_url=site_url, tokens=tokens,
        workspace_messages_per_minute=settings.workspace_messages_per_minute, pacer=pacer,
    )


def bolt_app(settings: SlackSettings, signing_secret: str, store: Store, tokens: TokenResolver) -> AsyncApp:
    """The bolt app of ``settings``'s mode; in OAuth mode with the uninstall listeners."""
    client = slack_client(settings)  # the base URL; in OAuth mode no token: each request gets its team's
    if not settings.oauth:
        return AsyncApp(
            name="arxiv-digest-bot", client=client, signing_secret=signing_secret, process_before_response=False
        )
    assert settings.client_id is not None and settings.client_secret is not None
    oauth = AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        scopes=list(settings.scopes),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=InstallationStore(store, tokens),
        installation_store_bot_only=True,
        state_store=StateStore(store, STATE_SECONDS),
        state_expiration_seconds=STATE_SECONDS,
    )
    app = AsyncApp(
        name="arxiv-digest-bot", client=client, signing_secret=signing_secret, process_before_response=False,
        oauth_settings=oauth, installation_store_bot_only=True,
    )
    uninstalls = _Uninstalls(store, tokens)
    app.event("app_uninstalled")(uninstalls.on_uninstalled)
    app.event("tokens_revoked")(uninstalls.on_revoked)
    return app


class _Uninstalls:
    def __init__(self, store: Store, tokens: TokenResolver) -> None:
        self._store = store
        self._tokens = tokens

    async def on_uninstalled(self, body: dict[str, Any]) -> None:
        if team := _team(body):
            await uninstall(self._store, self._tokens, team)

    async def on_revoked(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """Revoked user tokens (``tokens.oauth``) are none of ours: only the bot's count."""
        if (event.get("tokens") or {}).get("bot") and (team := _team(body)):
            await uninstall(self._store, self._tokens, team)


def _team(body: dict[str, Any]) -> str:
    team = body.get("team_id") or ""
    if not team:
        log.warning("a %s event without a team_id: nothing to uninstall", PLATFORM)
    return str(team)


class InstallPages:
    """``GET /slack/install`` and ``GET /slack/oauth_redirect``, handed to bolt's OAuth flow."""

    def __init__(self, app: AsyncApp) -> None:
        assert app.oauth_flow is not None
        self._flow = app.oauth_flow

    def add_to(self, web_app: web.Application) -> None:
        web_app.router.add_get(INSTALL_PATH, self._install)
        web_app.router.add_get(REDIRECT_PATH, self._redirect)

    async def _install(self, request: web.Request) -> web.Response:
        return await to_aiohttp_response(await self._flow.handle_installation(_bolt_request(request)))

    async def _redirect(self, request: web.Request) -> web.Response:
        # The query holds a one-use code and the state: logged by neither bolt nor us.
        return await to_aiohttp_response(await self._flow.handle_callback(_bolt_request(request)))


def _bolt_request(request: web.Request) -> AsyncBoltRequest:
    headers = {name: request.headers.getall(name) for name in request.headers.keys()}  # every Cookie line
    return AsyncBoltRequest(body="", query=request.query_string, headers=headers)
