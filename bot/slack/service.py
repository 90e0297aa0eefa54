"""SlackService: runs the bolt app in Socket Mode or as an HTTP server, and fails early and clearly.

Socket Mode when an app token is set (no public URL needed), otherwise an aiohttp
server at ``/slack/events`` on ``http_port``, whose requests bolt verifies with the
signing secret. Before either starts, the tokens are tried once, so a wrong or missing
one stops the bot at start with the variable to fix, rather than failing every request.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError

from config.settings import ConfigError, SlackSettings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HOST = "0.0.0.0"
_SDK_ERRORS = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError)


class SlackStartupError(ConfigError):
    """The Slack app cannot start as configured; the message names the variable to fix."""


def signing_secret(s: SlackSettings) -> str:
    secret = s.signing_secret.get_secret_value() if s.signing_secret else ""
    if not secret and s.app_token is None:
        raise SlackStartupError(
            "SLACK_SIGNING_SECRET is not set. Without SLACK_APP_TOKEN the Slack app runs in HTTP mode, "
            "which checks every request from Slack with it: copy the Signing Secret from "
            "https://api.slack.com/apps > your app > Basic Information > App Credentials, "
            "or set SLACK_APP_TOKEN to use Socket Mode instead."
        )
    return secret


class SlackService:
    """Runs the app: Socket Mode with ``app_token``, else HTTP on ``http_port`` at ``/slack/events``."""

    def __init__(self, settings: SlackSettings, app: AsyncApp) -> None:
        self._settings = settings
        self._app = app
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None

    @property
    def mode(self) -> str:
        return "socket" if self._settings.app_token is not None else "http"

    async def start(self) -> None:
        s = self._settings
        signing_secret(s)  # checked first: it needs no network
        await self._check_bot_token()
        if s.app_token is not None:
            handler = AsyncSocketModeHandler(self._app, s.app_token.get_secret_value())
            try:
                # Asked here rather than in connect(), which would retry a refused token forever.
                handler.client.wss_uri = await handler.client.issue_new_wss_url()
            except SlackApiError as err:
                await handler.close_async()
                raise SlackStartupError(
                    f"Slack refused SLACK_APP_TOKEN ({err.response.get('error')}): create an app-level token "
                    "with the connections:write scope (https://api.slack.com/apps > your app > Basic Information "
                    "> App-Level Tokens) and enable Socket Mode."
                ) from None
            await handler.connect_async()
            self._socket = handler
            log.info("Slack app connected in Socket Mode")
            return
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, self._serve)
        runner = web.AppRunner(web_app)
        await runner.setup()
        try:
            await web.TCPSite(runner, HOST, s.http_port).start()
        except OSError as err:
            await runner.cleanup()
            raise SlackStartupError(f"cannot listen on port {s.http_port} (DIGEST_HTTP_PORT): {err.strerror}") from None
        self._runner = runner
        log.info("Slack app listening on port %d at %s", s.http_port, EVENTS_PATH)

    async def _check_bot_token(self) -> None:
        try:
            await self._app.client.auth_test()
        except SlackApiError as err:
            raise SlackStartupError(
                f"Slack refused SLACK_BOT_TOKEN ({err.response.get('error')}): copy the Bot User OAuth Token "
                "(xoxb-...) from https://api.slack.com/apps > your app > OAuth & Permissions."
            ) from None
        except _SDK_ERRORS as err:
            raise SlackStartupError(
                f"cannot reach the Slack Web API at {self._settings.api_url} (DIGEST_SLACK_API_URL): "
                f"{type(err).__name__}"
            ) from None

    async def _serve(self, request: web.Request) -> web.Response:
        return await to_aiohttp_response(await self._app.async_dispatch(await to_bolt_request(request)))

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
