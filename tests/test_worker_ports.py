"""`digest-bot worker`'s chat ports: posting without the platforms' event connections.

Discord: the client logged in over REST only (``bot/discord/rest.py``), never a gateway;
``DiscordPort`` posts and finds its own message by key (it knows the bot's user from the
login) against the loopback Discord fake. Slack: the bot token tried at start
(``bot/slack/rest.py``) against the loopback Slack fake and a port nothing listens on.
"""

from __future__ import annotations

import pytest

from bot.discord.client import DiscordStartupError
from bot.discord.rest import DiscordRest
from bot.ports import build_ports
from bot.slack.rest import SlackRest
from bot.slack.service import SlackStartupError
from bot.unreachable import ServiceUnreachable
from config.settings import ConfigError, Settings
from digest.models import ChannelRef
from digest.store import open_store
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlackAPI

CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens


async def test_a_worker_posts_to_discord_over_rest_alone(tmp_path):
    with FakeDiscord() as fake:
        settings = Settings(discord={"token": fake.token, "api_url": fake.api_url})
        built = build_ports(settings, open_store(f"sqlite:///{tmp_path}/digest.db"))
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


async def test_a_refused_discord_token_stops_a_worker_at_start(tmp_path):
    with FakeDiscord() as fake:
        settings = Settings(discord={"token": "not-the-token", "api_url": fake.api_url})
        rest = DiscordRest(settings.discord, build_ports(settings, open_store(f"sqlite:///{tmp_path}/digest.db")).discord_client)
        with pytest.raises(DiscordStartupError, match="refused"):
            await rest.start()


def test_no_platform_no_ports(tmp_path):
    assert build_ports(Settings(), open_store(f"sqlite:///{tmp_path}/digest.db")).ports == {}


async def test_a_worker_tries_the_slack_token_at_start_as_run_does(tmp_path):
    """``SlackRest.start`` is ``SlackService.start``'s check: auth.test once; refused ->
    ``SlackStartupError`` (a ConfigError: exit 2); no answer -> ``ServiceUnreachable`` (exit 1)."""
    store = open_store(f"sqlite:///{tmp_path}/digest.db")
    with FakeSlackAPI() as fake:
        good = Settings(slack={"bot_token": fake.token, "api_url": fake.base_url})
        await SlackRest(good.slack, build_ports(good, store).slack.client).start()
        assert len(fake.calls_to("auth.test")) == 1
        wrong = Settings(slack={"bot_token": "xoxb-fake", "api_url": fake.base_url})
        with pytest.raises(SlackStartupError, match=r"Slack refused SLACK_BOT_TOKEN \(invalid_auth\)") as refused:
            await SlackRest(wrong.slack, build_ports(wrong, store).slack.client).start()
        assert isinstance(refused.value, ConfigError) and "xoxb-fake" not in str(refused.value)
        oauth = Settings(slack={"client_id": "1.2", "client_secret": "cs", "api_url": fake.base_url})
        # No token of its own: only whether the Web API answers (not_authed is an answer).
        await SlackRest(oauth.slack, build_ports(oauth, store).slack.client).start()
        assert len(fake.calls_to("auth.test")) == 3
    away = Settings(slack={"bot_token": "xoxb-fake", "api_url": CLOSED})
    with pytest.raises(ServiceUnreachable, match=r"cannot reach the Slack Web API at http://127.0.0.1:9 "):
        await SlackRest(away.slack, build_ports(away, store).slack.client).start()
    oauth_away = Settings(slack={"client_id": "1.2", "client_secret": "cs", "api_url": CLOSED})
    with pytest.raises(ServiceUnreachable, match=r"cannot reach the Slack Web API at http://127.0.0.1:9 "):
        await SlackRest(oauth_away.slack, build_ports(oauth_away, store).slack.client).start()
