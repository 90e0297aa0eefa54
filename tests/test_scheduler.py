"""The weekly scheduler, driven by a clock the test moves: what fires, once, and what waits."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta, timezone

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import event

from bot.handlers import CommandHandlers, Invocation
from bot.schedule import WeeklySchedule, cron_fields, due_since
from bot.scheduler import WAKE_GATHER_SECONDS
from config.settings import DefaultsSettings
from digest.delivery.keys import run_key
from tests.engine_fixtures import Clock
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.recording_chat import RecordingChat
from tests.scheduler_fixtures import (
    C1, C2, D1, DAYS, START, WEEK, World, cards, headers, ids_between, papers, subscribe,
)  # fmt: skip


@pytest.fixture(scope="module")
def arxiv():
    with ArxivFeedServer(papers(START, DAYS)) as server:
        yield server


async def test_a_due_tick_fires_one_digest_and_the_same_tick_again_nothing(store, arxiv):
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1)
    world = World(store, arxiv, chat, clock)
    assert await world.scheduler.tick.fire(sub.id) is not None
    again = await asyncio.gather(world.scheduler.tick.fire(sub.id), world.scheduler.tick.fire(sub.id))
    assert again == [None, None]
    assert headers(chat) == [f"{run_key(sub.id, D1)}#0"]
    assert set(cards(chat)) == ids_between(-6, 0) and len(cards(chat)) == 7  # the first digest: 7 days
    [timing] = store.scheduled_runs()
    assert (timing.due_at, timing.state, timing.retry_at) == (D1, "done", None)
    await world.engine.aclose()


async def test_nothing_fires_before_the_due_instant(store, arxiv):
    clock, chat = Clock(D1 - timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1)
    world = World(store, arxiv, chat, clock)
    assert await world.scheduler.tick.fire(sub.id) is None and await world.scheduler.tick.catch_up() == []
    await world.engine.aclose()


@pytest.mark.parametrize("missed", [1, 2])
async def test_downtime_across_scheduled_times_gives_one_digest_covering_the_gap(store, arxiv, missed):
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1)
    await World(store, arxiv, chat, clock).boot()  # the digest of D1
    # Down across `missed` scheduled times; back three hours after the last one.
    back_due = D1 + missed * WEEK
    clock.now = back_due + timedelta(hours=3)
    await World(store, arxiv, chat, clock).boot()
    assert headers(chat) == [f"{run_key(sub.id, D1)}#0", f"{run_key(sub.id, back_due)}#0"]
    first, gap = cards(chat)[:7], cards(chat)[7:]
    assert set(first) == ids_between(-6, 0)
    assert sorted(gap) == sorted(ids_between(1, 7 * missed))  # every paper of the gap, once
    assert len(set(cards(chat))) == len(cards(chat))


async def test_a_schedule_missed_beyond_the_grace_does_not_fire_late(store, arxiv):
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1)
    await World(store, arxiv, chat, clock, grace_hours=24).boot()
    clock.now = D1 + WEEK + timedelta(hours=25)  # back a day and an hour after D2
    await World(store, arxiv, chat, clock, grace_hours=24).boot()
    assert len(headers(chat)) == 1
    clock.now = D1 + 2 * WEEK + timedelta(minutes=1)  # the next week: it covers D2's week too
    await World(store, arxiv, chat, clock, grace_hours=24).boot()
    assert headers(chat)[1] == f"{run_key(sub.id, D1 + 2 * WEEK)}#0"
    assert sorted(cards(chat)[7:]) == sorted(ids_between(1, 14))


async def test_one_channel_failing_does_not_stop_the_others(store, arxiv):
    clock = Clock(D1 + timedelta(minutes=1))
    chat = RecordingChat(["permission"])  # the first post (one of the two headers) is refused
    subs = [subscribe(store, C1), subscribe(store, C2)]
    world = World(store, arxiv, chat, clock)
    runs = await world.scheduler.tick.catch_up()
    assert sorted(run.state for run in runs) == ["done", "failed"]
    paused = [s for s in store.list_subscriptions() if s.paused]
    assert len(paused) == 1 and {s.id for s in subs} - {paused[0].id}
    await world.engine.aclose()


async def test_subscriptions_of_one_topic_at_one_tick_share_fetch_and_summaries(store, arxiv):
    clock = Clock(D1 + timedelta(minutes=1))
    chat = RecordingChat()
    subscribe(store, C1)
    subscribe(store, C2)
    before = len(arxiv.requests)
    with FakeOpenAI() as llm:
        world = World(store, arxiv, chat, clock, llm_url=llm.base_url)
        runs = await world.scheduler.tick.catch_up()
        await world.engine.aclose()
    assert [run.state for run in runs] == ["done", "done"]
    assert len(arxiv.requests) - before == 1
    assert cards(chat, C1) and sorted(cards(chat, C1)) == sorted(cards(chat, C2))
    assert len(llm.card_requests()) == len(cards(chat, C1))  # one LLM call per unique paper
    assert llm.count == len(cards(chat, C1)) + 1  # and one week at a glance: both channels got the same cards


async def test_a_paused_subscription_does_not_fire(store, arxiv):
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1)
    store.set_paused(sub.id, "not allowed to post in C1")
    world = World(store, arxiv, chat, clock)
    assert await world.scheduler.tick.fire(sub.id) is None and await world.scheduler.tick.catch_up() == []
    await world.boot()
    assert chat.posted(C1) == [] and store.scheduled_runs() == []


async def test_jobs_follow_subscribe_unsubscribe_and_pause(store, arxiv):
    clock, chat = Clock(D1 - timedelta(hours=1)), RecordingChat()
    world = World(store, arxiv, chat, clock)
    handlers = CommandHandlers(
        store, world.deliverer, {"recording": chat}, DefaultsSettings(timezone="UTC"), world.scheduler, clock
    )

    def say(text):
        return handlers.handle(Invocation("recording", "T1", "C1", "U1", text))

    await world.scheduler.changed()  # not leading: no jobs, no error
    assert world.scheduler.jobs() == {}
    await world.scheduler.start()
    await say("subscribe synthetic data day=mon time=09:00 tz=UTC")
    await say("subscribe diffusion day=wed time=18:30 tz=Asia/Tokyo")
    first, second = store.list_subscriptions()
    jobs = world.scheduler.jobs()
    assert set(jobs) == {first.id, second.id}
    # APScheduler's next fire time is the schedule's next due instant (real time).
    assert jobs[second.id] == WeeklySchedule.of(second).next_after(jobs[second.id] - timedelta(seconds=1))
    await say(f"unsubscribe {first.id}")
    assert set(world.scheduler.jobs()) == {second.id}
    store.set_paused(second.id, "no access")
    await world.scheduler.changed()
    assert world.scheduler.jobs() == {}
    store.set_paused(second.id, None)
    await world.scheduler.sweep()  # the periodic re-read picks up changes made elsewhere
    assert set(world.scheduler.jobs()) == {second.id}
    await world.scheduler.stop()
    assert not world.scheduler.leading and world.scheduler.jobs() == {}
    await world.engine.aclose()



class HeldChat(RecordingChat):
    """RecordingChat whose cards to C1 wait until the test releases them."""

    def __init__(self) -> None:
        super().__init__()
        self.holding, self.release = asyncio.Event(), asyncio.Event()

    async def post_card(self, channel, card, digest, key):
        if channel == C1:
            self.holding.set()
            await self.release.wait()
        return await super().post_card(channel, card, digest, key)


async def test_a_subscription_busy_delivering_holds_no_other_up(store, arxiv):
    clock, chat = Clock(D1 + timedelta(minutes=1)), HeldChat()
    s1, s2 = subscribe(store, C1), subscribe(store, C2)
    world = World(store, arxiv, chat, clock)
    first = asyncio.ensure_future(world.scheduler.tick.fire(s1.id))
    await asyncio.wait_for(chat.holding.wait(), 5)
    both = asyncio.ensure_future(world.scheduler.tick.fire_many([s1.id, s2.id]))
    for _ in range(500):  # C2's digest goes out while C1's is still held
        run = store.get_run(run_key(s2.id, D1))
        if run is not None and run.state == "done":
            break
        await asyncio.sleep(0.01)
    assert len(cards(chat, C2)) == 7 and cards(chat, C1) == [] and not both.done()
    chat.release.set()
    assert (await first).state == "done"
    assert [run.key for run in await both] == [run_key(s2.id, D1)]  # s1's week was fired already
    assert headers(chat, C1) == [f"{run_key(s1.id, D1)}#0"] and len(cards(chat, C1)) == 7
    await world.engine.aclose()


async def test_the_jobs_of_one_tick_are_fired_as_one_batch(store, arxiv):
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat()
    s1, s2 = subscribe(store, C1), subscribe(store, C2)
    world = World(store, arxiv, chat, clock)
    runs_sql = []  # every statement on the run rows
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, sql, *_: runs_sql.append(sql) if " digest_runs" in sql.split("WHERE")[0] else None)
    await world.scheduler.start()
    await world.scheduler.idle()  # nothing owed before the tick: the clock stands still
    clock.advance(days=7)
    await world.scheduler._wake(s1.id)  # what APScheduler's cron jobs call at the tick
    await world.scheduler._wake(s2.id)
    await asyncio.sleep(WAKE_GATHER_SECONDS + 0.2)
    await world.scheduler.idle()
    await world.scheduler.stop()
    await world.engine.aclose()
    assert headers(chat, C1)[-1] == f"{run_key(s1.id, D1 + WEEK)}#0"
    assert headers(chat, C2)[-1] == f"{run_key(s2.id, D1 + WEEK)}#0"
    # The first digests at start (one catch-up), then the next week's two in one INSERT, not two.
    assert len([sql for sql in runs_sql if sql.startswith("INSERT INTO digest_runs")]) == 2
    # Each row is written whole when planned (its due instant) and when it ends (its next
    # try): no UPDATE of the schedule state alone.
    updates = [sql.split(" WHERE")[0] for sql in runs_sql if sql.startswith("UPDATE digest_runs")]
    assert updates and not [sql for sql in updates if "due_at" in sql or ("retry_at" in sql and "state=" not in sql)]


# --- cron_fields: the APScheduler trigger built from the same schedule ----------------

MON, WED, SUN = 0, 2, 6


def test_cron_fields():
    assert cron_fields(WeeklySchedule(SUN, time(2, 30), "America/New_York")) == {
        "day_of_week": "sun",
        "hour": 2,
        "minute": 30,
        "second": 0,
        "timezone": "America/New_York",
    }


@pytest.mark.parametrize(
    "schedule",
    [
        WeeklySchedule(MON, time(9), "Asia/Tokyo"),
        WeeklySchedule(SUN, time(2, 30), "America/New_York"),
        WeeklySchedule(SUN, time(1, 30), "America/New_York"),
        WeeklySchedule(SUN, time(1, 30), "Europe/London"),
        WeeklySchedule(SUN, time(2, 15), "Australia/Lord_Howe"),
        WeeklySchedule(SUN, time(1, 45), "Australia/Lord_Howe"),
        WeeklySchedule(WED, time(18, 5), "Asia/Kolkata"),
    ],
    ids=str,
)
def test_cron_trigger_plus_due_since_fires_exactly_the_schedule(schedule):
    """A year of CronTrigger fires, each asking due_since what is owed: one run per week, on time.

    On DST days the trigger fires a skipped time late and a repeated time twice; the due
    instant never comes after the fire, and the repeat finds nothing owed.
    """
    trigger = CronTrigger(**cron_fields(schedule))
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    expected, moment = [], start
    while (moment := schedule.next_after(moment)) < datetime(2025, 1, 1, tzinfo=timezone.utc):
        expected.append(moment)

    runs, fired, last = [], trigger.get_next_fire_time(None, start), start
    while fired < datetime(2025, 1, 1, tzinfo=timezone.utc):
        due = due_since(schedule, last, fired, timedelta(hours=2))
        if due is not None:
            assert due <= fired
            runs.append(due)
            last = due
        fired = trigger.get_next_fire_time(fired, fired)
    assert runs == expected
    assert len(runs) == 52
