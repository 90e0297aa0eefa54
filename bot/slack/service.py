"""SlackService: runs the bolt app in Socket Mode or as an HTTP server, and fails early and clearly.

Socket Mode when an app token is set (no public URL needed), otherwise an aiohttp
server at ``/slack/events`` on ``http_port``, whose requests are verified with the
signing secret and checked for the shape Slack sends (``bot/slack/inbound.py``) before
bolt parses them: a malformed request gets 400 and one log line, never a 500. In OAuth
mode that server also serves the install pages (``bot/slack/oauth.py``); in Socket Mode
it then serves only them, since Slack sends an installer's browser there. Before either
starts, the bot token is tried once (OAuth mode has none of its own: only whether the Web
API answers), so a wrong or missing one stops the bot at start with the variable to fix,
rather than failing every request, and a Web API that cannot be reached with one line.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.inbound import MAX_BODY, Refused, screen
from bot.slack.oauth import INSTALL_PATH, REDIRECT_PATH, InstallPages
from bot.unreachable import ServiceUnreachable
from config.settings import ConfigError, SlackSettings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HOST = "0.0.0.0"
_SDK_ERRORS = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError)


class SlackStartupError(ConfigError):
    """The Slack app cannot start as configured; the message names the variable to fix."""


def signing_secret(s: SlackSettings) -> str:
    """The signing secret ("" in Socket Mode without one); ``SlackStartupError`` in HTTP
    mode without one, with ``config check``'s message (``SlackSettings.problem``)."""
    if problem := s.problem():
        raise SlackStartupError(problem)
    return s.signing_secret.get_secret_value() if s.signing_secret else ""


async def check_bot_token(s: SlackSettings, client: AsyncWebClient) -> None:
    """Try ``s``'s bot token once (``auth.test`` through ``client``): ``SlackStartupError``
    (exit 2) when Slack refuses it, ``ServiceUnreachable`` (exit 1) when the Web API does
    not answer. In OAuth mode, with no token of its own (each workspace's comes with its
    installation), only whether the Web API answers at all. ``digest-bot run``
    (``SlackService.start``) and ``digest-bot worker`` (``bot/slack/rest.py``) both ask."""
    try:
        await client.auth_test()
    except SlackApiError as err:
        if s.oauth:
            return  # an answer (not_authed): the Web API is there
        raise SlackStartupError(
            f"Slack refused SLACK_BOT_TOKEN ({err.response.get('error')}): copy the Bot User OAuth Token "
            "(xoxb-...) from https://api.slack.com/apps > your app > OAuth & Permissions."
        ) from None
    except _SDK_ERRORS as err:
        raise unreachable(s, err) from None


def unreachable(s: SlackSettings, err: Exception) -> ServiceUnreachable:
    return ServiceUnreachable(f"cannot reach the Slack Web API at {s.api_url} (DIGEST_SLACK_API_URL): {type(err).__name__}")


class SlackService:
    """Runs the app: Socket Mode with ``app_token``, else HTTP on ``http_port`` at ``/slack/events``."""

    def __init__(self, settings: SlackSettings, app: AsyncApp) -> None:
        self._settings = settings
        self._app = app
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._verifier: SignatureVerifier | None = None

    @property
    def mode(self) -> str:
        return "socket" if self._settings.app_token is not None else "http"

    async def start(self) -> None:
        s = self._settings
        signing_secret(s)  # checked first: it needs no network
        await check_bot_token(s, self._app.client)
        if s.app_token is not None:
            await self._connect_socket(s.app_token.get_secret_value())
            if s.oauth:  # the events come through the socket, the installers' browsers over HTTP
                await self._listen(events=False)
            return
        self._verifier = SignatureVerifier(signing_secret(s))
        await self._listen(events=True)

    async def _connect_socket(self, app_token: str) -> None:
        handler = AsyncSocketModeHandler(self._app, app_token)
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
        except _SDK_ERRORS as err:
            await handler.close_async()  # its aiohttp session, else "Unclosed client session"
            raise unreachable(self._settings, err) from None
        await handler.connect_async()
        self._socket = handler
        log.info("Slack app connected in Socket Mode")

    async def _listen(self, *, events: bool) -> None:
        """The HTTP server on ``http_port``: Slack's requests at ``/slack/events`` (``events``)
        and, in OAuth mode, the install pages."""
        s = self._settings
        web_app = web.Application(client_max_size=MAX_BODY)
        paths = []
        if events:
            web_app.router.add_post(EVENTS_PATH, self._serve)
            paths.append(EVENTS_PATH)
        if s.oauth:
            InstallPages(self._app).add_to(web_app)
            paths += [INSTALL_PATH, REDIRECT_PATH]
        runner = web.AppRunner(web_app)
        await runner.setup()
        try:
            await web.TCPSite(runner, HOST, s.http_port).start()
        except OSError as err:
            await runner.cleanup()
            await self.stop()  # the socket, when connected
            raise SlackStartupError(f"cannot listen on port {s.http_port} (DIGEST_HTTP_PORT): {err.strerror}") from None
        self._runner = runner
        log.info("Slack app listening on port %d at %s", s.http_port, ", ".join(paths))

    async def _serve(self, request: web.Request) -> web.Response:
        assert self._verifier is not None
        try:
            if (request.content_length or 0) > MAX_BODY:
                raise Refused(400, f"the body is over {MAX_BODY} bytes")  # not read at all
            try:
                raw = await request.read()
            except web.HTTPRequestEntityTooLarge:  # sent without a length, or a false one
                raise Refused(400, f"the body is over {MAX_BODY} bytes") from None
            payload = screen(raw, request.headers, request.content_type, self._verifier)
            bolt_request = _bolt_request(raw.decode("utf-8"), request, payload)
        except Refused as refused:
            # 401 is what every scanner gets: not worth a warning. Never the body: it may be anyone's.
            level = logging.INFO if refused.status == 401 else logging.WARNING
            log.log(level, "refused a request to %s from %s: %s", EVENTS_PATH, request.remote, refused.reason)
            return web.json_response({"error": refused.reason}, status=refused.status)
        return await to_aiohttp_response(await self._app.async_dispatch(bolt_request))

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def _bolt_request(body: str, request: web.Request, payload: dict[str, Any]) -> AsyncBoltRequest:
    """Bolt's request for a screened one, read as ``payload`` (bolt's own parser reads a
    slash command whose text mentions "payload" as an empty interaction, and answers 404)."""
    try:
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
        if bolt_request.body != payload:
            bolt_request.body = payload
            bolt_request.context = build_async_context(AsyncBoltContext(), payload)
        return bolt_request
    except Exception:  # bolt reads ids from a payload's nested objects, trusting their shape
        raise Refused(400, "the body does not have the shape Slack sends") from None
