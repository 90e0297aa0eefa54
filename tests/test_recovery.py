"""Finishing what a tick left unfinished: retries with backoff, a stopped run, a dead process's run."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from bot.instances import HOST
from digest.delivery.keys import run_key
from tests.engine_fixtures import Clock
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.recording_chat import Crash, RecordingChat
from tests.scheduler_fixtures import C1, D1, DAYS, START, WEEK, World, cards, papers, subscribe, week_before_d1


@pytest.fixture(scope="module")
def arxiv():
    with ArxivFeedServer(papers(START, DAYS)) as server:
        yield server


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
