"""Discord over REST alone: the client logged in, no gateway connected.

What ``digest-bot worker`` posts through (``bot/worker.py``): ``DiscordPort`` needs only
discord.py's HTTP client and the bot's own user (``login`` asks ``/users/@me``), not the
gateway's events, which the ``digest-bot run`` processes receive. As in
``DiscordService.start``, ``DIGEST_DISCORD_API_URL`` becomes ``Route.BASE``.
"""

from __future__ import annotations

import aiohttp
import discord
from discord.http import Route

from bot.discord.client import DiscordStartupError
from bot.unreachable import ServiceUnreachable
from config.settings import DiscordSettings


class DiscordRest:
    """``start`` logs ``client`` in (a refused token: ``DiscordStartupError``; the API not
    reached: ``ServiceUnreachable``); ``stop`` closes its HTTP session."""

    def __init__(self, settings: DiscordSettings, client: discord.Client) -> None:
        self.settings, self.client = settings, client
        self._previous_base: str | None = None

    async def start(self) -> None:
        token = self.settings.token.get_secret_value().strip() if self.settings.token else ""
        if not token:
            raise DiscordStartupError("DISCORD_TOKEN is not set")
        self._previous_base, Route.BASE = Route.BASE, self.settings.api_url.rstrip("/")
        try:
            await self.client.login(token)
        except discord.LoginFailure:
            await self.stop()
            raise DiscordStartupError("Discord refused DISCORD_TOKEN (401): copy a fresh bot token") from None
        except (discord.HTTPException, aiohttp.ClientError, OSError) as err:
            await self.stop()
            raise ServiceUnreachable(
                f"cannot reach the Discord API at {self.settings.api_url} (DIGEST_DISCORD_API_URL): {type(err).__name__}"
            ) from None

    async def stop(self) -> None:
        await self.client.close()
        if self._previous_base is not None:
            Route.BASE, self._previous_base = self._previous_base, None
