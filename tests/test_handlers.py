"""The platform-free /arxiv handlers, against a real store, engine and a recording chat."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.handlers import CommandHandlers, Invocation
from config.settings import DefaultsSettings
from digest.delivery.deliverer import Deliverer
from digest.store import open_store
from tests.engine_fixtures import Clock, make_engine
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.recording_chat import RecordingChat

NOW = datetime(2024, 4, 25, 3, 0, tzinfo=timezone.utc)  # Thursday, 12:00 in Tokyo


class Changes:
    def __init__(self) -> None:
        self.count = 0

    async def changed(self) -> None:
        self.count += 1


@pytest.fixture
def world(tmp_path):
    with ArxivFeedServer(WEEK_XML) as arxiv:
        store = open_store(f"sqlite:///{tmp_path / 'h.db'}")
        chat = RecordingChat()
        clock = Clock(NOW)
        engine = make_engine(arxiv.url, store, clock=clock)
        changes = Changes()
        handlers = CommandHandlers(
            store, Deliverer(engine, store, {"recording": chat}), {"recording": chat},
            DefaultsSettings(language="en", timezone="Asia/Tokyo"), changes, clock,
        )
        yield handlers, store, chat, changes, arxiv
        store.close()


def inv(text, channel="C1", may_subscribe=True):
    return Invocation("recording", "T1", channel, "U1", text, may_subscribe)


async def test_subscribe_confirms_id_topic_and_next_delivery(world):
    handlers, store, _, changes, _ = world
    reply = await handlers.handle(inv("subscribe synthetic data day=fri time=09:00 tz=Asia/Tokyo max=3"))
    assert not reply.ephemeral
    assert reply.text == (
        "Subscribed this channel to *synthetic data* (subscription 1): 3 papers every Fri 09:00 Asia/Tokyo, "
        "in English. Next digest: Fri 2024-04-26 09:00 JST."
    )
    assert changes.count == 1 and store.get_subscription(1).max_papers == 3


async def test_defaults_fill_the_options(world):
    handlers, store, *_ = world
    await handlers.handle(inv("subscribe diffusion"))
    sub = store.get_subscription(1)
    assert (sub.weekday, sub.time.isoformat("minutes"), sub.tz, sub.language, sub.max_papers) == (0, "09:00", "Asia/Tokyo", "en", 10)


async def test_bad_input_is_explained_and_changes_nothing(world):
    handlers, store, _, changes, _ = world
    for text in ("subscribe synthetic data day=funday", "subscribe", "unsubscribe x", "frobnicate", "subscribe cat:cs.CL AND"):
        reply = await handlers.handle(inv(text))
        assert reply.ephemeral and reply.text
    assert store.list_subscriptions() == [] and changes.count == 0


async def test_list_and_unsubscribe_only_in_the_owning_channel(world):
    handlers, store, *_ = world
    await handlers.handle(inv("subscribe synthetic data"))
    other = await handlers.handle(inv("unsubscribe 1", channel="C2"))
    assert other.text.startswith("Subscription 1 is not one of this channel's")
    assert (await handlers.handle(inv("list", channel="C2"))).text.startswith("This channel has no subscriptions")
    listing = await handlers.handle(inv("list"))
    assert listing.text.startswith("1. *synthetic data*: Mon 09:00 Asia/Tokyo, 10 papers, English.")
    gone = await handlers.handle(inv("unsubscribe 1"))
    assert gone.text.startswith("Unsubscribed 1") and store.list_subscriptions() == []


async def test_managing_needs_permission(world):
    handlers, store, *_ = world
    reply = await handlers.handle(inv("subscribe synthetic data", may_subscribe=False))
    assert "Only workspace admins" in reply.text and store.list_subscriptions() == []


async def test_now_posts_the_digest_after_the_ack_and_reports(world):
    handlers, store, chat, *_ = world
    await handlers.handle(inv("subscribe synthetic data max=4"))
    reply = await handlers.handle(inv("now"))
    assert reply.work is not None and chat.posted(inv("").channel) == []  # nothing before the ack
    updates = []

    async def update(text):
        updates.append(text)

    result = await reply.work(update)
    assert updates == ["Building the digest of *synthetic data* (2024-04-19 ~ 2024-04-25)…"]
    assert result == "Posted the digest of *synthetic data*: 4 new paper(s) of 8."
    assert [p.kind for p in chat.posted(inv("").channel)] == ["header"] + ["card"] * 4
    handlers.clock.advance(minutes=5)
    # At most one /arxiv now per channel per channels.now_every_minutes (10), whoever asks.
    refused = await handlers.handle(inv("now 1"))
    assert refused.work is None and refused.text == (
        "`/arxiv now` already ran in this channel in the last 10 minutes; it may run again at Thu 2024-04-25 12:10 JST."
    )
    handlers.clock.advance(minutes=5)
    again = await (await handlers.handle(inv("now 1"))).work(update)
    # Since the last digest (with 3 days of overlap for arXiv's lag): 5 papers, 2 not yet posted.
    assert again == "Posted the digest of *synthetic data*: 2 new paper(s) of 5."
    ids = [p.text for p in chat.posted(inv("").channel) if p.kind == "card"]
    assert len(ids) == 6 == len(set(ids))


async def test_paper_posts_one_card(world):
    handlers, _, chat, _, arxiv = world
    reply = await handlers.handle(inv("paper https://arxiv.org/abs/2404.14361v1"))
    assert await reply.work(_ignore) == ""
    assert arxiv.requests[-1].params["search_query"] == "id:2404.14361"
    assert [(p.kind, p.text) for p in chat.posted(inv("").channel)] == [("card", "2404.14361")]


async def test_help(world):
    handlers, *_ = world
    assert "/arxiv subscribe" in (await handlers.handle(inv("help"))).text
    assert "/arxiv subscribe" in (await handlers.handle(inv(""))).text


async def _ignore(text):
    pass
