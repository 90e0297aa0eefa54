"""A whole wired Discord world for the tests and the benchmark: everything real.

The store, engine, Deliverer, handlers, the composition root's thread answerer and the discord.py
client run against the loopback arXiv (API and full text), Discord and, given ``llm``,
OpenAI fakes; only base URLs point at them. The made-up papers have no full text, so
questions are answered from the abstract.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.discord.client import GLOBAL_REQUESTS_PER_SECOND, DiscordClient, DiscordService
from bot.discord.port import DiscordPort
from bot.handlers import CommandHandlers
from config.settings import DefaultsSettings, DiscordSettings
from digest.delivery.deliverer import Deliverer
from digest.llm.client import LLMClient
from digest.models import ChannelRef, Subscription
from digest.delivery.ports import DigestPort
from digest.qa import QAService
from digest.qa.limits import QALimits
from digest.store import Store, open_store
from tests.engine_fixtures import Clock, fulltext_fetcher, make_engine
from tests.fakes.arxiv import ArxivFeedServer, synthetic_week
from tests.fakes.arxiv_fulltext import FullTextServer
from tests.fakes.discord_api import FakeDiscord

NOW = datetime(2024, 4, 25, 3, 0, tzinfo=timezone.utc)  # Thursday; the window is 19-25 April


week = synthetic_week


@dataclass
class World:
    discord: FakeDiscord
    arxiv: ArxivFeedServer
    store: Store
    deliverer: Deliverer
    handlers: CommandHandlers
    service: DiscordService

    def channel(self, channel_id: str | None = None) -> ChannelRef:
        return ChannelRef("discord", self.discord.guild_id, channel_id or self.discord.channel_id)

    def subscribe(
        self, channel_id: str | None = None, max_papers: int = 12, topic: str = "synthetic data"
    ) -> Subscription:
        return self.store.add_subscription(
            self.channel(channel_id), topic, weekday=0, at=NOW.time(), tz="UTC", language="en",
            max_papers=max_papers, created_by="100000000000000001",
        )


def settings_for(fake: FakeDiscord, **overrides: Any) -> DiscordSettings:
    return DiscordSettings(**{"token": fake.token, "api_url": fake.api_url, **overrides})


@asynccontextmanager
async def world(
    tmp_path: Path, papers: int = 12, *, fake: FakeDiscord | None = None, ready: bool = True,
    db: Path | None = None, requests_per_second: float = GLOBAL_REQUESTS_PER_SECOND, llm: LLMClient | None = None,
    titles: dict[int, str] | None = None, **settings: Any,
) -> AsyncIterator[World]:
    """Started and (with ``ready``) connected; ``fake`` to configure limits or channels."""
    with fake or FakeDiscord() as discord_api, ArxivFeedServer(week(papers, titles=titles)) as arxiv, \
            FullTextServer() as fulltext:
        store = open_store(f"sqlite:///{db or tmp_path / 'discord.db'}")
        # In the composition root's order: the client and its port before the Deliverer.
        discord_settings = settings_for(discord_api, **settings)
        client = DiscordClient(discord_settings, requests_per_second=requests_per_second, guild_ready_timeout=0.1)
        port = DiscordPort(client)
        ports: dict[str, DigestPort] = {"discord": port}
        deliverer = Deliverer(make_engine(arxiv.url, store, clock=Clock(NOW)), store, ports)
        defaults = DefaultsSettings(language="en", timezone="UTC")
        handlers = CommandHandlers(store, deliverer, ports, defaults, clock=Clock(NOW))
        qa = QAService(store, fulltext_fetcher(fulltext.html_url, fulltext.pdf_url), llm, QALimits())
        service = DiscordService(discord_settings, client, port, handlers, store, qa)
        await service.start()
        try:
            if ready:
                await service.wait_ready()
            yield World(discord_api, arxiv, store, deliverer, handlers, service)
        finally:
            await service.stop()
            store.close()
