"""The chat ports of the enabled platforms, for posting: built alike by ``digest-bot run``
(``bot/app.py``, which adds the platforms' inbound services around them) and by
``digest-bot worker`` (``bot/worker.py``: posting only, no events, no gateway).

A platform's modules are imported only when it is enabled (and not by the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.pacing import build_pacer
from config.settings import Settings
from digest.delivery.ports import DigestPort
from digest.store import Store


@dataclass
class Ports:
    """Each enabled platform's own port by name, and the objects its service needs too."""

    ports: dict[str, DigestPort]
    slack: Any = None  # SlackPort
    discord_client: Any = None  # DiscordClient: discord.py builds its HTTP client at construction
    discord: Any = None  # DiscordPort around it


def build_ports(settings: Settings, store: Store) -> Ports:
    """``SlackPort`` (over the Web API client; the one bot token or each installation's) and
    ``DiscordClient`` + ``DiscordPort`` of the enabled platforms, paced by the store's
    pacer (``bot/pacing.py``: shared by every process on PostgreSQL); nothing is connected yet."""
    built = Ports({})
    if settings.slack.enabled:
        from bot.slack.oauth import build_port

        built.slack = built.ports["slack"] = build_port(
            settings.slack, store, site_url=settings.site.url, pacer=build_pacer(store)
        )
    if settings.discord.enabled:
        from bot.discord.client import DiscordClient
        from bot.discord.port import DiscordPort

        built.discord_client = DiscordClient(settings.discord, pacer=build_pacer(store))
        built.discord = built.ports["discord"] = DiscordPort(built.discord_client, settings.site.url)
    return built


async def close_ports(ports: Iterable[DigestPort]) -> None:
    """Close what the ports keep open (``aclose``: Slack's kept-alive session), on their loop."""
    for port in ports:
        if (close := getattr(port, "aclose", None)) is not None:
            await close()
