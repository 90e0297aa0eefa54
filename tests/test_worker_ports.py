"""`digest-bot worker`'s chat ports: posting without the platforms' event connections.

Discord: the client logged in over REST only (``bot/discord/rest.py``), never a gateway;
``DiscordPort`` posts and finds its own message by key (it knows the bot's user from the
login) against the loopback Discord fake.
"""

from __future__ import annotations

import pytest

from bot.discord.client import DiscordStartupError
from bot.discord.rest import DiscordRest
from bot.ports import build_ports
from config.settings import Settings
from digest.models import ChannelRef
from digest.store import open_store
from tests.fakes.discord_api import FakeDiscord


@pytest.fixture
def store(tmp_path):
    made = open_store(f"sqlite:///{tmp_path / 'ports.db'}")
    yield made
    made.close()


async def test_a_worker_posts_to_discord_over_rest_alone(store):
    with FakeDiscord() as fake:
        settings = Settings(discord={"token": fake.token, "api_url": fake.api_url})
        built = build_ports(settings, store)
        assert set(built.ports) == {"discord"}
        rest = DiscordRest(settings.discord, built.discord_client)
        await rest.start()
        try:
            channel = ChannelRef("discord", fake.guild_id, fake.channel_id)
            sent = await built.discord.post_notice(channel, "a notice", "sub1@w#notice")
            assert await built.discord.find_posted(channel, "sub1@w#notice") == sent
            assert [m["content"].splitlines()[0] for m in fake.messages()] == ["a notice"]
            assert not fake.calls_to("gateway")  # no gateway asked for, none connected
        finally:
            await rest.stop()


async def test_a_refused_discord_token_stops_a_worker_at_start(store):
    with FakeDiscord() as fake:
        settings = Settings(discord={"token": "not-the-token", "api_url": fake.api_url})
        rest = DiscordRest(settings.discord, build_ports(settings, store).discord_client)
        with pytest.raises(DiscordStartupError, match="refused"):
            await rest.start()


def test_no_platform_no_ports(store):
    assert build_ports(Settings(), store).ports == {}
