"""DiscordService start-up: one URL setting, the gateway from the API, minimal intents, command sync."""

from __future__ import annotations

import logging

import aiohttp
import discord
import pytest
from pydantic import ValidationError
from discord.http import Route

from bot.discord.client import DiscordClient, DiscordService, DiscordStartupError, intents_for
from bot.unreachable import ServiceUnreachable
from bot.discord.port import DiscordPort
from config.settings import DiscordSettings
from tests.test_discord_commands import content
from tests.discord_fixtures import world
from tests.fakes.discord_api import FakeDiscord


def test_intents_are_the_minimum_and_message_content_only_on_request():
    plain = intents_for(DiscordSettings())
    assert plain.value == discord.Intents(guilds=True, guild_messages=True, guild_reactions=True).value
    assert intents_for(DiscordSettings(message_content=True)).message_content


async def test_start_points_rest_and_gateway_at_the_api_url_and_syncs_commands_globally(tmp_path):
    before = Route.BASE
    async with world(tmp_path) as w:
        assert Route.BASE == w.discord.api_url
        routes = [c.route for c in w.discord.calls]
        assert routes[:4] == ["me", "application", "sync", "gateway"]  # login, setup_hook, then /gateway/bot
        [identify] = w.discord.identify
        assert identify["intents"] == intents_for(DiscordSettings()).value and identify["shard"] == [0, 1]
        [command] = w.discord.state.commands["global"]
        assert command["name"] == "arxiv"
        subs = {o["name"]: o for o in command["options"]}
        assert set(subs) == {
            "subscribe", "list", "edit", "pause", "resume", "unsubscribe", "now", "paper", "preview", "publish", "usage", "ask",
            "related", "help",
        }
        edit = {o["name"]: o for o in subs["edit"]["options"]}
        assert edit["id"]["required"] and edit["id"]["autocomplete"] and not edit["topic"]["required"]
        assert set(edit) == {"id", "day", "time", "tz", "lang", "max", "topic", "terms", "learn", "budget"}
        topic, *options = subs["subscribe"]["options"]
        assert topic["name"] == "topic" and topic["required"]
        by_name = {o["name"]: o for o in options}
        assert [c["value"] for c in by_name["day"]["choices"]] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        assert by_name["tz"]["autocomplete"] and by_name["time"]["autocomplete"]
        assert (by_name["max"]["min_value"], by_name["max"]["max_value"]) == (1, 100)
        assert subs["unsubscribe"]["options"][0]["autocomplete"]
    assert Route.BASE == before


async def test_every_reconnection_goes_to_the_gateway_the_configured_api_gave(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="bot.discord.client")
    fake = FakeDiscord()
    fake.resume_url = "wss://gateway.discord.gg/"  # what Discord's READY names, whoever relays it
    async with world(tmp_path, fake=fake) as w:
        client = w.service.client
        assert client.gateway == f"ws://127.0.0.1:{fake.port}/gateway"
        fake.hang_up(reconnect=True)  # discord.py resumes at READY's resume_gateway_url
        await fake.until(lambda: fake.resumes and fake.sockets, timeout=20)
        [resume] = fake.resumes
        assert resume["token"] == fake.token and resume["session_id"]
        fake.refused = 1  # the gateway goes away: the resume fails, and discord.py starts
        fake.hang_up()  # afresh at wss://gateway.discord.gg (after its 5 s between identifies)
        await fake.until(lambda: len(fake.identify) == 2 and fake.sockets, timeout=30)
        assert len(fake.resumes) == 1 and fake.refused == 0
        record = await fake.answered(fake.slash("help"))  # and the bot still serves
        assert "/arxiv subscribe" in content(record)
    assert "connecting to the gateway 127.0.0.1 that DIGEST_DISCORD_API_URL gave, not gateway.discord.gg" in caplog.text


def test_discords_own_api_keeps_discords_resume_gateways():
    ours = DiscordClient(DiscordSettings())  # https://discord.com/api/v10
    ours.gateway = "wss://gateway.discord.gg"
    resume = "wss://gateway-us-east1-b.discord.gg/?v=10&encoding=json"
    assert ours.pinned(resume) == resume
    proxied = DiscordClient(DiscordSettings(api_url="https://discord-proxy.example/api/v10"))
    assert proxied.pinned(resume) == resume  # the gateway not yet asked for: nothing to pin to
    proxied.gateway = "wss://discord-proxy.example/gateway"
    assert proxied.pinned(resume) == "wss://discord-proxy.example/gateway?v=10&encoding=json"
    same = "wss://discord-proxy.example/resume/7?v=10"
    assert proxied.pinned(same) == same  # its own resume address: the configured gateway's host


async def test_commands_sync_to_one_guild_when_configured(tmp_path):
    fake = FakeDiscord()
    async with world(tmp_path, fake=fake, guild_id=fake.guild_id) as w:
        assert set(w.discord.state.commands) == {fake.guild_id}
        record = await w.discord.answered(w.discord.slash("help"))
        assert "/arxiv subscribe" in content(record)


def bare_service(settings: DiscordSettings) -> DiscordService:
    """A service with its client and port and nothing behind it: start-up checks only."""
    client = DiscordClient(settings)
    return DiscordService(settings, client, DiscordPort(client), None, None, None)  # type: ignore[arg-type]


async def test_a_refused_token_fails_start_naming_the_variable(tmp_path):
    with FakeDiscord() as fake:
        settings = DiscordSettings(token="wrong", api_url=fake.api_url)
        service = bare_service(settings)
        with pytest.raises(DiscordStartupError, match="DISCORD_TOKEN"):
            await service.start()
        await service.stop()
        missing = bare_service(DiscordSettings(api_url=fake.api_url))
        with pytest.raises(DiscordStartupError, match="DISCORD_TOKEN is not set"):
            await missing.start()
        with pytest.raises(ValidationError, match="must be a server id"):  # refused with the settings now
            DiscordSettings(token=fake.token, api_url=fake.api_url, guild_id="my-server")


async def test_an_unreachable_api_names_the_url_setting():
    settings = DiscordSettings(token="t", api_url="http://127.0.0.1:9/api/v10")
    service = bare_service(settings)
    with pytest.raises(ServiceUnreachable, match="DIGEST_DISCORD_API_URL"):
        await service.start()
    await service.stop()


async def test_the_fake_answers_429s_as_discord_does():
    with FakeDiscord(channel_limit=(1, 5.0)) as fake:
        url = f"{fake.api_url}/channels/{fake.channel_id}/messages"
        headers = {"Authorization": f"Bot {fake.token}"}
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json={"content": "a"}, headers=headers) as first:
                assert first.status == 200 and first.headers["Content-Type"] == "application/json"
                assert first.headers["X-RateLimit-Limit"] == "1" and first.headers["X-RateLimit-Remaining"] == "0"
            async with session.post(url, json={"content": "b"}, headers=headers) as second:
                body = await second.json()
                assert second.status == 429 and second.headers["Via"] and second.headers["Retry-After"] == "5"
                assert body["global"] is False and 4 < body["retry_after"] <= 5
                assert second.headers["X-RateLimit-Scope"] == "user"
            async with session.post(url, json={"content": "c"}) as anonymous:
                assert anonymous.status == 401
