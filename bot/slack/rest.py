"""Slack over the Web API alone: the bot token tried at start, no events received.

What ``digest-bot worker`` posts through (``bot/worker.py``): ``SlackPort`` needs only
the Web API client, not Socket Mode or the HTTP events endpoint, which the
``digest-bot run`` processes serve. The start check is ``SlackService.start``'s own
(``bot/slack/service.py`` ``check_bot_token``), so both commands fail alike.
"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.service import check_bot_token
from config.settings import SlackSettings


class SlackRest:
    """``start`` tries the bot token (refused: ``SlackStartupError``; the Web API not
    reached: ``ServiceUnreachable``; OAuth mode: nothing to try); ``stop`` has nothing to close."""

    def __init__(self, settings: SlackSettings, client: AsyncWebClient) -> None:
        self.settings, self.client = settings, client

    async def start(self) -> None:
        await check_bot_token(self.settings, self.client)

    async def stop(self) -> None:
        return None  # the client opens a session per call
