"""The weekly scheduler, driven by a clock the test moves: what fires, once, and what waits."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta

import pytest
from sqlalchemy import event

from bot.gate import PostGate
from bot.handlers import CommandHandlers, Invocation
from bot.schedule import WeeklySchedule
from bot.instances import HOST
from bot.scheduler import WAKE_GATHER_SECONDS, DigestScheduler
from config.settings import DefaultsSettings, SchedulerSettings
from digest.delivery.deliverer import Deliverer
from digest.delivery.keys import run_key
from digest.models import ChannelRef, Window
from tests.engine_fixtures import Clock, make_engine
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.recording_chat import Crash, RecordingChat
from tests.scheduler_fixtures import first_due, paper_id, papers, subscribe

WEEK = timedelta(days=7)
C1 = ChannelRef("recording", "T1", "C1")
C2 = ChannelRef("recording", "T1", "C2")
D1 = first_due()  # the first Monday 09:00 UTC the tests' subscriptions are due
START = D1 - timedelta(days=13)  # one paper a day at 12:00 UTC, from here ...
DAYS = 42  # ... for six weeks


def day_of(n: int) -> int:
    """Days from D1's date to paper n's date."""
    return n - 13


@pytest.fixture(scope="module")
def arxiv():
    with ArxivFeedServer(papers(START, DAYS)) as server:
        yield server


class World:
    """One bot "process": its own engine, deliverer and scheduler over the shared store."""

    def __init__(self, store, arxiv, chat, clock, llm_url=None, **settings):
        self.gate = PostGate()
        self.engine = make_engine(arxiv.url, store, llm_url, clock)
        self.deliverer = Deliverer(self.engine, store, self.gate.wrap({"recording": chat}))
        self.scheduler = DigestScheduler(store, self.deliverer, SchedulerSettings(**settings), clock)

    async def boot(self):
        """What taking the lead does: resume, then catch up; then stop firing."""
        await self.scheduler.start()
        await self.scheduler.idle()
        await self.scheduler.stop()
        await self.engine.aclose()


def cards(chat, channel=C1):
    return [p.text for p in chat.posted(channel) if p.kind == "card"]


def headers(chat, channel=C1):
    return [p.key for p in chat.posted(channel) if p.kind == "header"]


def week_before_d1() -> Window:
    """The week before D1, as an /arxiv now digest asks for it."""
    return Window((D1 - timedelta(days=7)).date(), (D1 - timedelta(days=1)).date(), "UTC")


def ids_between(first_day: int, last_day: int) -> set[str]:
    return {paper_id(n) for n in range(DAYS) if first_day <= day_of(n) <= last_day}


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


async def test_a_failed_run_is_retried_with_backoff_then_given_up(store, arxiv):
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat(["error"] * 3)
    sub = subscribe(store, C1)
    world = World(store, arxiv, chat, clock, retry_minutes=10, max_attempts=3)
    run = await world.scheduler.tick.fire(sub.id)
    assert (run.state, run.attempts) == ("failed", 1)
    [timing] = store.scheduled_runs()
    assert timing.retry_at == clock.now + timedelta(minutes=10)

    clock.advance(minutes=9)
    assert await world.scheduler.recovery.retry_due() == []
    clock.advance(minutes=1)
    [run] = await world.scheduler.recovery.retry_due()
    assert run.attempts == 2 and store.scheduled_runs()[0].retry_at == clock.now + timedelta(minutes=20)
    clock.advance(minutes=20)
    [run] = await world.scheduler.recovery.retry_due()
    assert (run.state, run.attempts) == ("failed", 3)
    assert store.scheduled_runs()[0].retry_at is None  # given up, and the store says so

    clock.advance(days=1)
    assert await world.scheduler.recovery.retry_due() == [] and await world.scheduler.recovery.resume() == []
    assert chat.posted(C1) == [] and await world.scheduler.tick.fire(sub.id) is None  # the week was fired
    await world.engine.aclose()


async def test_a_retry_that_succeeds_finishes_the_digest(store, arxiv):
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat([None, None, "error"])
    sub = subscribe(store, C1)
    world = World(store, arxiv, chat, clock, retry_minutes=5)
    assert (await world.scheduler.tick.fire(sub.id)).state == "failed"
    clock.advance(minutes=5)
    [run] = await world.scheduler.recovery.retry_due()
    assert run.state == "done" and store.scheduled_runs()[0].retry_at is None
    assert [p.key for p in chat.posted(C1)] == [f"{run.key}#{n}" for n in range(8)]
    await world.engine.aclose()


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
    assert llm.count == len(cards(chat, C1))  # one LLM call per unique paper


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


async def test_a_stopped_run_is_finished_first_on_the_next_start(store, arxiv):
    """SIGTERM mid-digest: the post in flight completes, the rest waits for the next start,
    which finishes that run before the next week's digest."""
    clock = Clock(D1 + timedelta(minutes=1))
    chat = RecordingChat()
    sub = subscribe(store, C1)
    world = World(store, arxiv, chat, clock)

    class ClosesTheGate:  # the signal arrives while the third message is being posted
        platform = "recording"

        async def post_header(self, channel, digest, key):
            return await chat.post_header(channel, digest, key)

        async def post_card(self, channel, card, digest, key):
            if len(chat.posted(C1)) == 2:
                world.gate.close()
            return await chat.post_card(channel, card, digest, key)

        async def find_posted(self, channel, key):
            return await chat.find_posted(channel, key)

    world.deliverer.ports = world.gate.wrap({"recording": ClosesTheGate()})
    await world.scheduler.start()
    await world.scheduler.idle()
    await world.scheduler.stop()
    await world.engine.aclose()
    assert len(chat.posted(C1)) == 3
    assert [d.state for d in store.deliveries(run_key(sub.id, D1))][:4] == ["sent", "sent", "sent", "sending"]

    clock.now = D1 + WEEK + timedelta(minutes=1)  # restarted after the next week fell due
    await World(store, arxiv, chat, clock).boot()
    keys = [p.key for p in chat.posted(C1)]
    first, second = run_key(sub.id, D1), run_key(sub.id, D1 + WEEK)
    assert keys == [f"{first}#{n}" for n in range(8)] + [f"{second}#{n}" for n in range(8)]
    assert len(set(cards(chat))) == 14


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
    written = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, sql, *_: written.append(sql) if sql.startswith("INSERT INTO digest_runs") else None)
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
    assert len(written) == 2


@pytest.mark.parametrize("owner_alive", [False, True], ids=["owner-gone", "owner-alive"])
async def test_a_digest_whose_process_died_is_finished_at_once_and_a_live_one_is_left_alone(store, arxiv, owner_alive):
    clock = Clock(D1 - timedelta(hours=1))  # nothing scheduled is owed: only the /arxiv now run
    sub = subscribe(store, C1, max_papers=4)
    crashing = RecordingChat(faults=[None, None, "crash_before"])  # the process dies at card 2
    dying = World(store, arxiv, crashing, clock)
    run = await dying.deliverer.plan(sub, week_before_d1(), "sub1@now:x")
    with pytest.raises(Crash):
        await dying.deliverer.deliver(run)
    await dying.engine.aclose()
    # The exception freed the run as a stopping delivery does; a SIGKILL would not have.
    assert store.get_run("sub1@now:x").owner is None
    if owner_alive:  # instead, another live process of this host is delivering it (its parent shell, say)
        assert store.take_over("sub1@now:x", dying.deliverer.owner, store.get_run("sub1@now:x").fence)
        store.beat(dying.deliverer.owner, HOST, os.getppid())
    chat = RecordingChat()
    leader = World(store, arxiv, chat, clock)
    await leader.boot()
    assert store.get_run("sub1@now:x").state == ("delivering" if owner_alive else "done")
    expected = [] if owner_alive else [f"sub1@now:x#{i}" for i in range(2, 5)]
    assert [p.key for p in chat.posted(C1)] == expected  # the rest, once; a live owner's run untouched
    if owner_alive:  # that process stops cleanly: its run is finished on the next look
        store.forget_instance(dying.deliverer.owner)
        await leader.scheduler.recovery.adopt_orphans()
        assert [p.key for p in chat.posted(C1)] == [f"sub1@now:x#{i}" for i in range(2, 5)]
    assert await leader.scheduler.recovery.adopt_orphans() == []
    assert store.get_run("sub1@now:x").state == "done"
