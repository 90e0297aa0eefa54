"""Delivery through the ledger: at most once, in order, resumable after a crash anywhere."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from digest.delivery import keys
from digest.delivery.deliverer import Deliverer
from digest.models import ChannelRef, Window
from tests.engine_fixtures import WEEK, make_engine
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.recording_chat import Crash, RecordingChat

CHANNEL = ChannelRef("recording", "T1", "C1")
OTHER = ChannelRef("recording", "T1", "C2")


@pytest.fixture
def arxiv():
    with ArxivFeedServer(WEEK_XML) as server:
        yield server


def subscribe(store, channel=CHANNEL, max_papers=5):
    return store.add_subscription(
        channel, "synthetic data", weekday=0, at=time(9), tz="UTC", language="en", max_papers=max_papers, created_by="U1"
    )


def deliverer(arxiv, store, chat):
    return Deliverer(make_engine(arxiv.url, store), store, {"recording": chat})


def cards_of(chat, channel=CHANNEL):
    return [p.text for p in chat.posted(channel) if p.kind == "card"]


async def test_a_digest_is_a_header_then_cards_in_rank_order(arxiv, store):
    chat = RecordingChat()
    sub = subscribe(store)
    run = await deliverer(arxiv, store, chat).run(sub, WEEK, "k1")
    assert run.state == "done" and run.candidates == 8
    posted = chat.posted(CHANNEL)
    assert [p.kind for p in posted] == ["header"] + ["card"] * 5
    planned = [d.arxiv_id for d in store.deliveries("k1")[1:]]
    assert cards_of(chat) == planned
    assert all(d.state == "sent" and d.message_id for d in store.deliveries("k1"))
    third = store.deliveries("k1")[3]
    assert store.delivery_of_message(CHANNEL, third.message_id) == third
    assert store.delivery_of_message(OTHER, third.message_id) is None
    assert store.delivery_of_message(CHANNEL, store.deliveries("k1")[0].message_id) is None  # the header


async def test_running_a_finished_run_again_posts_nothing(arxiv, store):
    chat = RecordingChat()
    sub = subscribe(store)
    d = deliverer(arxiv, store, chat)
    await d.run(sub, WEEK, "k1")
    await d.run(sub, WEEK, "k1")
    assert len(chat.posted(CHANNEL)) == 6


async def test_a_later_week_never_repeats_a_paper_in_the_channel(arxiv, store):
    chat = RecordingChat()
    sub = subscribe(store, max_papers=5)
    d = deliverer(arxiv, store, chat)
    await d.run(sub, WEEK, "week1")
    wider = Window(date(2024, 4, 12), date(2024, 4, 26), "UTC")  # overlaps the first week
    await d.run(sub, wider, "week2")
    ids = cards_of(chat)
    assert len(ids) == 8 and len(set(ids)) == 8  # the 3 left over, none again
    # Another channel subscribing to the same topic gets its own full digest.
    await d.run(subscribe(store, OTHER), WEEK, "other")
    assert len(cards_of(chat, OTHER)) == 5


async def test_a_run_with_no_new_papers_posts_nothing(arxiv, store):
    chat = RecordingChat()
    sub = subscribe(store, max_papers=10)
    d = deliverer(arxiv, store, chat)
    first = await d.run(sub, WEEK, "week1")
    posted = len(chat.posted(CHANNEL))
    run = await d.run(sub, WEEK, "week2")
    # No empty header in the channel: whoever asked is told instead (bot/handlers.py).
    assert run.state == "done" and len(chat.posted(CHANNEL)) == posted and store.deliveries("week2") == []
    assert run.skipped == posted - 1 == first.candidates  # every candidate is in the channel already


POINTS = [(i, when) for i in range(6) for when in ("crash_before", "crash_after")]


@pytest.mark.parametrize(("index", "when"), POINTS, ids=[f"{w}-{i}" for i, w in POINTS])
async def test_a_crash_at_any_point_resumes_to_exactly_once_in_order(arxiv, store, index, when):
    sub = subscribe(store)
    chat = RecordingChat([None] * index + [when])
    with pytest.raises(Crash):
        await deliverer(arxiv, store, chat).run(sub, WEEK, "k1")
    # A new process: new engine and deliverer, the same store and channel.
    run = await deliverer(arxiv, store, chat).run(sub, WEEK, "k1")
    assert run.state == "done"
    posted = chat.posted(CHANNEL)
    keys = [p.key for p in posted]
    assert keys == [f"k1#{n}" for n in range(6)]  # no duplicate, no gap, in order
    assert [d.message_id for d in store.deliveries("k1")] == [p.message_id for p in posted]
    assert chat.lookups == 1  # the one row left "sending" was looked up before any repost


async def test_a_lost_reply_is_reconciled_not_reposted(arxiv, store):
    sub = subscribe(store)
    chat = RecordingChat([None, None, "lost"])  # the second card's reply is lost
    d = deliverer(arxiv, store, chat)
    run = await d.run(sub, WEEK, "k1")
    assert run.state == "failed" and "connection reset" in run.error
    assert store.deliveries("k1")[2].state == "unknown"
    run = await d.deliver(run)
    assert run.state == "done" and [p.key for p in chat.posted(CHANNEL)] == [f"k1#{n}" for n in range(6)]


async def test_a_definite_failure_stops_the_run_and_a_retry_finishes_it(arxiv, store):
    sub = subscribe(store)
    chat = RecordingChat([None, None, None, "error"])
    d = deliverer(arxiv, store, chat)
    run = await d.run(sub, WEEK, "k1")
    assert run.state == "failed" and run.attempts == 1
    assert [x.state for x in store.deliveries("k1")] == ["sent"] * 3 + ["failed", "pending", "pending"]
    run = await d.deliver(run)
    assert run.state == "done" and len(cards_of(chat)) == 5


async def test_a_missing_permission_pauses_the_subscription(arxiv, store):
    sub = subscribe(store)
    chat = RecordingChat(["permission"])
    run = await deliverer(arxiv, store, chat).run(sub, WEEK, "k1")
    assert run.state == "failed" and chat.posted(CHANNEL) == []
    assert store.get_subscription(sub.id).paused == "not allowed to post in C1"


def test_an_event_is_claimed_once(store):
    assert store.claim_event("slack", "Ev1") is True
    assert store.claim_event("slack", "Ev1") is False
    assert store.claim_event("discord", "Ev1") is True


def test_every_idempotency_key_keeps_its_stored_format():
    """Databases and posted messages hold these keys: a changed format would post twice."""
    due = datetime(2026, 11, 23, 10, tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Berlin"))
    assert keys.run_key(3, due) == "sub3@2026-11-23T10:00:00+00:00"
    assert keys.now_key(3, datetime(2026, 11, 23, 9, 15, 2, 123456, timezone.utc)) == "sub3@now:20261123T091502.123456"
    assert keys.paper_key(ChannelRef("slack", "T1", "C1"), "2404.14361") == "paper:slack:T1:C1:2404.14361"
    assert keys.post_key("sub3@2026-11-23T10:00:00+00:00", 0) == "sub3@2026-11-23T10:00:00+00:00#0"
    assert keys.notice_key(3, due, "gave-up") == "notice:sub3@2026-11-23T10:00:00+00:00:gave-up"
    assert keys.nonce_of("k#1") == hashlib.sha256(b"k#1").hexdigest()[:16]
    with pytest.raises(ValueError):
        keys.notice_key(3, due, "late")
