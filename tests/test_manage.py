"""Managing subscriptions below the chat platforms: the store's edits, limits and locks on
SQLite and PostgreSQL, the rules of bot/subscriptions.py, and the scheduler following an
edit at once. Through Slack and Discord: tests/test_manage_slack.py, test_manage_discord.py."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest

from bot.handlers import CommandHandlers, Invocation
from bot.manage_text import Refusal
from bot.schedule import WeeklySchedule
from bot.subscriptions import same_topic
from config.settings import ChannelSettings, DefaultsSettings
from digest.models import ChannelRef
from digest.store import open_store
from tests.engine_fixtures import Clock
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.recording_chat import RecordingChat
from tests.scheduler_fixtures import C1, D1, DAYS, START, WEEK, World, headers, papers, subscribe


@pytest.fixture(scope="module")
def arxiv():
    with ArxivFeedServer(papers(START, DAYS)) as server:
        yield server


def test_same_topic_ignores_case_spacing_quotes_and_unicode_forms():
    base = same_topic("synthetic data")
    twins = ("Synthetic  DATA", ' "synthetic data" ', "\u300csynthetic data\u300d", "ｓｙｎｔｈｅｔｉｃ data",
             "synthetic\u200b data\ufeff")  # fmt: skip
    for twin in twins:
        assert same_topic(twin) == base, twin
    assert same_topic("synthetic data generation") != base
    assert same_topic('"large language" models') == same_topic("large language models")


def test_update_writes_the_fields_and_a_refusing_check_writes_nothing(store):
    sub = subscribe(store, C1)

    def refuse(edited, subs):
        assert edited == sub and subs == [sub]
        raise Refusal("duplicate", topic="x", id=9)

    with pytest.raises(Refusal):
        store.update_subscription(sub.id, check=refuse, topic="other", max_papers=3)
    assert store.get_subscription(sub.id) == sub
    edited = store.update_subscription(sub.id, topic="other", time=time(17, 30), tz="Europe/Berlin", search_terms=None)
    assert (edited.topic, edited.time, edited.tz, edited.weekday) == ("other", time(17, 30), "Europe/Berlin", 0)
    assert store.get_subscription(sub.id) == edited
    assert store.update_subscription(999, topic="x") is None
    with pytest.raises(ValueError, match="not editable: created_by"):
        store.update_subscription(sub.id, created_by="U2")
    store.set_paused(sub.id, "paused by U2", "U2")
    assert (store.get_subscription(sub.id).paused, store.get_subscription(sub.id).paused_by) == ("paused by U2", "U2")
    store.set_paused(sub.id, None)
    assert (store.get_subscription(sub.id).paused, store.get_subscription(sub.id).paused_by) == (None, None)


def test_the_now_limit_holds_across_store_connections(store_url):
    """Two stores on one database: two processes, or the bot before and after a restart."""
    first, second = open_store(store_url), open_store(store_url)
    try:
        every = timedelta(minutes=10)
        assert first.claim_now(C1, D1, every) is None
        assert second.claim_now(C1, D1 + timedelta(minutes=9), every) == D1 + every
        assert second.claim_now(ChannelRef("recording", "T1", "C9"), D1, every) is None  # per channel
        assert first.claim_now(C1, D1 + every, every) is None
        assert second.claim_now(C1, D1 + every, every) == D1 + 2 * every
    finally:
        first.close()
        second.close()


def test_concurrent_subscribes_cannot_pass_the_channel_limit(store_url):
    """Five at once into a channel that has room for three: the channel's lock serialises
    the count and the insert (PostgreSQL's READ COMMITTED would let all five count two)."""
    shared = open_store(store_url)
    try:
        subscribe(shared, C1, topic="first")
        subscribe(shared, C1, topic="second")
        barrier, refused = threading.Barrier(5), []

        def check(_, subs):
            if len(subs) >= 3:
                raise Refusal("channel_full", count=len(subs), max=3)

        def add(n):
            barrier.wait()
            try:
                shared.add_subscription(C1, f"topic {n}", weekday=0, at=time(9), tz="UTC", language="en",
                                        max_papers=5, created_by="U1", check=check)  # fmt: skip
            except Refusal:
                refused.append(n)

        threads = [threading.Thread(target=add, args=(n,)) for n in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(shared.list_subscriptions(C1)) == 3 and len(refused) == 4
    finally:
        shared.close()


def handlers_for(store, world, clock, **channels):
    return CommandHandlers(store, world.deliverer, {"recording": RecordingChat()}, DefaultsSettings(timezone="UTC", language="en"),
                           world.scheduler, clock, channels=ChannelSettings(**channels))  # fmt: skip


async def test_edit_pause_and_resume_re_time_the_job_at_once(store, arxiv):
    clock, chat = Clock(D1 - timedelta(hours=1)), RecordingChat()
    world = World(store, arxiv, chat, clock)
    handlers = handlers_for(store, world, clock)

    async def say(text, user="U1", admin=False):
        return (await handlers.handle(Invocation("recording", "T1", "C1", user, text, is_admin=admin))).text

    await world.scheduler.start()
    await say("subscribe synthetic data day=mon time=09:00 tz=UTC")
    [sub] = store.list_subscriptions()
    before = world.scheduler.jobs()[sub.id]
    assert before == WeeklySchedule.of(sub).next_after(before - timedelta(seconds=1))
    reply = await say(f"edit {sub.id} day=fri time=17:30 tz=Europe/Berlin")
    edited = store.get_subscription(sub.id)
    berlin = WeeklySchedule(4, time(17, 30), "Europe/Berlin")
    after = world.scheduler.jobs()[sub.id]
    assert WeeklySchedule.of(edited) == berlin and after != before
    assert after == berlin.next_after(after - timedelta(seconds=1))  # APScheduler fires on the new schedule
    next_local = berlin.next_after(clock()).astimezone(berlin.zone)
    assert reply.endswith(f"Next digest: {next_local:%a %Y-%m-%d %H:%M %Z}.")
    # Someone else, not an admin: refused, the job untouched.
    assert (await say(f"pause {sub.id}", user="U2")).startswith(f"Subscription {sub.id} is U1's")
    assert world.scheduler.jobs() == {sub.id: after}
    assert (await say(f"pause {sub.id}", user="U2", admin=True)).startswith(f"Paused subscription {sub.id}")
    assert world.scheduler.jobs() == {} and store.get_subscription(sub.id).paused_by == "U2"
    assert "Paused by U2" in await say("list")
    assert (await say(f"resume {sub.id}")).startswith(f"Resumed subscription {sub.id}")
    assert set(world.scheduler.jobs()) == {sub.id}
    await world.scheduler.stop()
    await world.engine.aclose()


async def test_an_edited_schedule_owes_no_instant_already_past(store, arxiv):
    """Moved at 12:00 on a Monday whose 09:00 digest was delivered, from 09:00 to 11:00:
    the 11:00 just past is not owed (no second digest that day); next week's 11:00 is."""
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1)
    world = World(store, arxiv, chat, clock)
    assert await world.scheduler.tick.fire(sub.id) is not None  # the digest of D1
    clock.advance(hours=3)
    handlers = handlers_for(store, world, clock)
    await handlers.handle(Invocation("recording", "T1", "C1", "U1", f"edit {sub.id} time=11:00"))
    assert await world.scheduler.tick.catch_up() == []
    clock.advance(days=7, hours=-1, minutes=1)  # next Monday 11:01
    [run] = await world.scheduler.tick.catch_up()
    assert run.due_at == D1 + WEEK + timedelta(hours=2) and len(headers(chat)) == 2
    await world.engine.aclose()


async def test_a_channel_holds_at_most_the_set_number_of_subscriptions(store, arxiv):
    clock = Clock(D1)
    world = World(store, arxiv, RecordingChat(), clock)
    handlers = handlers_for(store, world, clock, max_subscriptions=2)

    async def say(text):
        return (await handlers.handle(Invocation("recording", "T1", "C1", "U1", text))).text

    assert (await say("subscribe synthetic data")).startswith("Subscribed")
    assert (await say("subscribe diffusion")).startswith("Subscribed")
    assert await say("subscribe agents") == (
        "This channel already holds 2 subscriptions, the most it may (2); nothing was subscribed. Remove one first "
        "with `/arxiv unsubscribe <id>` (`/arxiv list` shows them)."
    )
    assert len(store.list_subscriptions(C1)) == 2
    other = await handlers.handle(Invocation("recording", "T1", "C2", "U1", "subscribe agents"))
    assert other.text.startswith("Subscribed")  # per channel
    await world.engine.aclose()
