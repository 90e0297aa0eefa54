"""Reconciling a lost post on Slack counts only the bot's own messages, not another app's with the same key."""

from __future__ import annotations

from datetime import time as clock_time

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.port import METADATA_EVENT
from digest.delivery.deliverer import Deliverer
from digest.models import ChannelRef
from digest.store import open_store
from tests.engine_fixtures import WEEK, Clock, make_engine
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_fixtures import NOW, port_for, week

C1 = ChannelRef("slack", "T0TEAM", "C1")
OTHER_TOKEN = "xoxb-another-app"


@pytest.fixture
def slack():
    with FakeSlackAPI() as fake:
        fake.install_app(OTHER_TOKEN, bot_user_id="U0OTHER", bot_id="B0OTHER", app_id="A0OTHER")
        yield fake


@pytest.fixture
def engine_world(tmp_path, slack):
    with ArxivFeedServer(week(4)) as arxiv:
        store = open_store(f"sqlite:///{tmp_path / 'own.db'}")
        port = port_for(slack)
        deliverer = Deliverer(make_engine(arxiv.url, store, clock=Clock(NOW)), store, {"slack": port})
        sub = store.add_subscription(
            C1, "synthetic data", weekday=0, at=clock_time(9), tz="UTC", language="en", max_papers=3, created_by="U1",
        )
        yield store, deliverer, sub
        store.close()


async def other_app_posts(slack, key: str) -> str:
    """Another app in the workspace posts a message carrying our metadata event type and ``key``."""
    client = AsyncWebClient(token=OTHER_TOKEN, base_url=slack.base_url)
    metadata = {"event_type": METADATA_EVENT, "event_payload": {"key": key}}
    answer = await client.chat_postMessage(channel="C1", text="look-alike", metadata=metadata)
    return str(answer["ts"])


def posts_with(slack, key: str, bot_id: str) -> list[dict]:
    return [
        m for m in slack.messages("C1")
        if m.get("bot_id") == bot_id and (m.get("metadata") or {}).get("event_payload", {}).get("key") == key
    ]


async def test_the_fake_shows_which_app_posted_a_message(slack):
    ts = await other_app_posts(slack, "k#0")
    [message] = slack.messages("C1")
    assert message["ts"] == ts
    assert (message["user"], message["bot_id"], message["app_id"]) == ("U0OTHER", "B0OTHER", "A0OTHER")
    assert message["bot_profile"]["app_id"] == "A0OTHER"
    me = await AsyncWebClient(token=OTHER_TOKEN, base_url=slack.base_url).auth_test()
    assert (me["user_id"], me["bot_id"]) == ("U0OTHER", "B0OTHER")


async def test_another_app_s_message_with_our_key_is_not_taken_for_ours(engine_world, slack):
    store, deliverer, sub = engine_world
    slack.script([("ok",), ("ok",), ("status", 503)])  # the second card: 503, nothing stored, may have posted
    first = await deliverer.run(sub, WEEK, "k1")
    assert first.state == "failed" and store.deliveries("k1")[2].state == "unknown"
    assert posts_with(slack, "k1#2", "B0BOT") == []
    look_alike = await other_app_posts(slack, "k1#2")
    again = await deliverer.run(sub, WEEK, "k1")  # the retry looks in history first
    assert again.state == "done"
    [ours] = posts_with(slack, "k1#2", "B0BOT")  # posted once, by the bot
    row = store.deliveries("k1")[2]
    assert row.state == "sent" and row.message_id == ours["ts"] != look_alike
    assert len(posts_with(slack, "k1#2", "B0OTHER")) == 1  # the other app's message is left as it was
    assert len(slack.calls_to("auth.test")) == 1  # the bot's identity is asked once


async def test_our_own_lost_post_is_found_even_behind_a_look_alike(engine_world, slack):
    store, deliverer, sub = engine_world
    slack.script([("ok",), ("ok",), ("drop_reply",)])  # the second card is stored, its answer lost
    first = await deliverer.run(sub, WEEK, "k1")
    assert first.state == "failed" and store.deliveries("k1")[2].state == "unknown"
    [ours] = posts_with(slack, "k1#2", "B0BOT")
    await other_app_posts(slack, "k1#2")  # newer, so the history scan meets it first
    again = await deliverer.run(sub, WEEK, "k1")
    assert again.state == "done"
    assert posts_with(slack, "k1#2", "B0BOT") == [ours]  # found, not posted again
    assert store.deliveries("k1")[2].message_id == ours["ts"]
    assert [len(posts_with(slack, f"k1#{i}", "B0BOT")) for i in range(4)] == [1, 1, 1, 1]
