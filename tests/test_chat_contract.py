"""Contract suite of the ``DigestPort``, run against every implementation via ``chat``.

The promises of ``digest/delivery/ports.py``, kept by RecordingChat (the engine tests'
port), the ``PostGate`` over it (what the runner hands the Deliverer), ``SlackPort``
against the loopback Slack Web API and ``DiscordPort`` with discord.py against the
loopback Discord API. Each platform's own tests check what goes beyond the contract
(Block Kit and embeds, pacing, error texts, the history scan's reach).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import discord
import pytest
from discord.http import Route

from bot.discord.port import DiscordPort
from bot.gate import PostGate
from digest.delivery.ports import ChatError, ChatPermissionError, ChatReplyLost, DigestPort
from digest.models import Card, CardText, ChannelRef, Digest, MessageRef, Paper
from tests.engine_fixtures import WEEK
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.recording_chat import RecordingChat
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_fixtures import port_for

PAPER = Paper(
    arxiv_id="2404.14361", version=1, title="A paper on synthetic data", authors=("Ada Lovelace",),
    abstract="We study things.", categories=("cs.CL",), primary_category="cs.CL", comment=None,
    published=datetime(2024, 4, 22, 17, 0, tzinfo=timezone.utc), updated=datetime(2024, 4, 22, 17, 0, tzinfo=timezone.utc),
    abs_url="https://arxiv.org/abs/2404.14361v1", pdf_url="https://arxiv.org/pdf/2404.14361v1",
)
CARD = Card(PAPER, CardText("A headline", ("One.", "Two."), "", "en", "llm:m"), rank=1, score=1.0)
DIGEST = Digest("synthetic data", WEEK, "en", (CARD,))

Post = Callable[[DigestPort, ChannelRef, str], Awaitable[MessageRef]]
POSTS: dict[str, Post] = {
    "header": lambda port, channel, key: port.post_header(channel, DIGEST, key),
    "card": lambda port, channel, key: port.post_card(channel, CARD, DIGEST, key),
    "notice": lambda port, channel, key: port.post_notice(channel, "The digest of synthetic data failed.", key),
}


@dataclass
class Chat:
    """One implementation on its fake, and the fake's switches for the next post."""

    port: DigestPort
    channel: ChannelRef
    other: ChannelRef  # another channel of the same workspace
    count: Callable[[ChannelRef], int]  # messages the platform holds in a channel
    refuse: Callable[[], None]  # the bot may not post in ``channel``
    fail: Callable[[], None]  # the next post fails for certain: nothing is posted
    lose: Callable[[], None]  # the next post is stored, its answer lost


def recording_chat(gated: bool) -> Chat:
    chat = RecordingChat()
    port: DigestPort = PostGate().wrap({"recording": chat})["recording"] if gated else chat
    return Chat(
        port, ChannelRef("recording", "W1", "C1"), ChannelRef("recording", "W1", "C2"),
        count=lambda channel: len(chat.posted(channel)),
        refuse=lambda: chat.faults.append("permission"),
        fail=lambda: chat.faults.append("error"),
        lose=lambda: chat.faults.append("lost"),
    )


@pytest.fixture(params=["recording", "gated", "slack", "discord"])
async def chat(request: pytest.FixtureRequest) -> AsyncIterator[Chat]:
    if request.param in ("recording", "gated"):
        yield recording_chat(gated=request.param == "gated")
    elif request.param == "slack":
        with FakeSlackAPI() as slack:
            yield Chat(
                port_for(slack), ChannelRef("slack", slack.team_id, "C1"), ChannelRef("slack", slack.team_id, "C2"),
                count=lambda channel: len(slack.messages(channel.channel_id)),
                refuse=lambda: slack.script([("error", "not_in_channel")]),
                fail=lambda: slack.script([("error", "service_unavailable")]),
                lose=lambda: slack.script([("drop_reply",)]),
            )
    else:
        with FakeDiscord(channels=2) as fake:
            before, Route.BASE = Route.BASE, fake.api_url  # as DiscordService.start does
            client = discord.Client(intents=discord.Intents(guilds=True))
            try:
                await client.login(fake.token)  # the REST session only: posting needs no gateway
                first, second = (ChannelRef("discord", fake.guild_id, c) for c in fake.channel_ids)
                yield Chat(
                    DiscordPort(client), first, second,
                    count=lambda channel: len(fake.messages(channel.channel_id)),
                    refuse=lambda: fake.forbidden.add(first.channel_id),
                    fail=lambda: fake.script("messages", "status", 400),
                    lose=lambda: fake.script("messages", "drop_reply"),
                )
            finally:
                await client.close()
                Route.BASE = before


async def test_the_port_names_its_platform(chat: Chat) -> None:
    assert chat.port.platform == chat.channel.platform


@pytest.mark.parametrize("kind", POSTS)
async def test_a_post_returns_its_message_which_find_posted_finds_by_key(chat: Chat, kind: str) -> None:
    ref = await POSTS[kind](chat.port, chat.channel, "run#0")
    assert ref.channel == chat.channel and isinstance(ref.message_id, str) and ref.message_id
    assert chat.count(chat.channel) == 1
    assert await chat.port.find_posted(chat.channel, "run#0") == ref


async def test_find_posted_tells_keys_and_channels_apart(chat: Chat) -> None:
    assert await chat.port.find_posted(chat.channel, "run#0") is None  # nothing posted yet
    refs = {key: await POSTS[kind](chat.port, chat.channel, key)
            for kind, key in (("header", "run#0"), ("card", "run#1"), ("notice", "notice#0"))}  # fmt: skip
    assert len({ref.message_id for ref in refs.values()}) == 3
    for key, ref in refs.items():
        assert await chat.port.find_posted(chat.channel, key) == ref
    assert await chat.port.find_posted(chat.channel, "run#9") is None
    assert await chat.port.find_posted(chat.other, "run#0") is None


@pytest.mark.parametrize("kind", POSTS)
async def test_a_refused_post_is_a_permission_error_and_posts_nothing(chat: Chat, kind: str) -> None:
    chat.refuse()
    with pytest.raises(ChatPermissionError) as refused:
        await POSTS[kind](chat.port, chat.channel, "run#0")
    assert isinstance(refused.value, ChatError)  # the Deliverer's one handler sees it too
    assert chat.count(chat.channel) == 0


@pytest.mark.parametrize("kind", POSTS)
async def test_a_failed_post_is_a_plain_chat_error_posts_nothing_and_may_be_retried(chat: Chat, kind: str) -> None:
    chat.fail()
    with pytest.raises(ChatError) as failed:
        await POSTS[kind](chat.port, chat.channel, "run#0")
    assert type(failed.value) is ChatError  # neither "paused for good" nor "may exist"
    assert chat.count(chat.channel) == 0
    assert await chat.port.find_posted(chat.channel, "run#0") is None
    ref = await POSTS[kind](chat.port, chat.channel, "run#0")  # worth retrying later
    assert await chat.port.find_posted(chat.channel, "run#0") == ref and chat.count(chat.channel) == 1


@pytest.mark.parametrize("kind", POSTS)
async def test_a_lost_reply_may_have_posted_and_find_posted_finds_the_message(chat: Chat, kind: str) -> None:
    chat.lose()
    with pytest.raises(ChatReplyLost):
        await POSTS[kind](chat.port, chat.channel, "run#0")
    assert chat.count(chat.channel) == 1  # the request went out: the message exists
    found = await chat.port.find_posted(chat.channel, "run#0")
    assert found is not None and found.channel == chat.channel
    later = await POSTS[kind](chat.port, chat.channel, "run#1")
    assert later.message_id != found.message_id
    assert await chat.port.find_posted(chat.channel, "run#0") == found
