"""A tick of many subscriptions: planned and marked in batches, with the single-run guarantees."""

from __future__ import annotations

import asyncio
from datetime import time

import pytest
from sqlalchemy import event

from digest.delivery.deliverer import Deliverer
from digest.delivery.marks import MarkQueue
from digest.models import ChannelRef, Owed
from tests.engine_fixtures import WEEK, Clock, make_engine
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.recording_chat import Crash, RecordingChat


@pytest.fixture
def arxiv():
    with ArxivFeedServer(WEEK_XML) as server:
        yield server


def channel(i: int) -> ChannelRef:
    return ChannelRef("recording", "T1", f"C{i}")


def subscribe(store, i: int, topic: str = "synthetic data", max_papers: int = 3):
    return store.add_subscription(
        channel(i), topic, weekday=0, at=time(9), tz="UTC", language="en", max_papers=max_papers, created_by="U1"
    )


def commits(store) -> list[int]:
    """A counter of the store's committed transactions (SQLAlchemy's own commit event)."""
    seen = [0]
    event.listen(store.engine, "commit", lambda _conn: seen.__setitem__(0, seen[0] + 1))
    return seen


def inserts(store) -> list[str]:
    """The tables of every INSERT the store sends from now on (one entry per executemany)."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many):
        if statement.lstrip().upper().startswith("INSERT INTO"):
            seen.append(statement.split()[2].strip('"'))

    event.listen(store.engine, "before_cursor_execute", note)
    return seen


async def test_many_runs_are_planned_in_one_transaction_and_an_existing_one_is_kept(arxiv, store):
    subs = [subscribe(store, i) for i in range(6)]
    d = Deliverer(make_engine(arxiv.url, store), store, {"recording": RecordingChat()})
    first = await d.plan(subs[0], WEEK, "k0")
    written = inserts(store)
    runs = await d.plan_many([Owed(sub, WEEK, f"k{i}") for i, sub in enumerate(subs)])
    assert [run.key for run in runs] == [f"k{i}" for i in range(6)]
    assert runs[0] == first  # planned before: unchanged
    # Their 15 channel claims, five new runs and their 20 ledger rows, at once.
    assert written == ["channel_papers", "digest_runs", "deliveries"]
    assert all(len(store.deliveries(f"k{i}")) == 4 for i in range(6))


async def test_a_paper_a_channel_already_got_is_left_out_and_the_rest_keep_the_ranking(arxiv, store):
    chat = RecordingChat()
    subs = [subscribe(store, i) for i in range(2)]
    d = Deliverer(make_engine(arxiv.url, store), store, {"recording": chat})
    await d.run(subs[0], WEEK, "first")
    ranked = [row.arxiv_id for row in store.deliveries("first")[1:]]
    later = await d.plan_many([Owed(subs[0], WEEK, "again"), Owed(subs[1], WEEK, "other")])
    again = [row.arxiv_id for row in store.deliveries(later[0].key)[1:]]
    other = [row.arxiv_id for row in store.deliveries(later[1].key)[1:]]
    assert not set(again) & set(ranked)  # channel 0 never gets those three again
    assert other[:3] == ranked  # channel 1 gets the ranking itself
    full = [row.arxiv_id for row in store.deliveries(later[1].key)[1:]] + again
    assert len(set(full)) == len(full)


async def test_a_topic_that_cannot_be_built_fails_alone(arxiv, store):
    good, bad = subscribe(store, 0), subscribe(store, 1, topic="cat:")  # "cat:" names no category
    d = Deliverer(make_engine(arxiv.url, store), store, {"recording": RecordingChat()})
    runs = await d.plan_many([Owed(good, WEEK, "good"), Owed(bad, WEEK, "bad")])
    assert runs[0].key == "good" and isinstance(runs[1], ValueError)
    assert store.get_run("bad") is None


async def test_concurrent_deliveries_share_commits_and_post_every_card_once(arxiv, store):
    chat = RecordingChat()
    subs = [subscribe(store, i) for i in range(8)]
    d = Deliverer(make_engine(arxiv.url, store), store, {"recording": chat})
    runs = await d.plan_many([Owed(sub, WEEK, f"k{i}") for i, sub in enumerate(subs)])
    counted = commits(store)
    delivered = await d.deliver_many(runs)
    assert [run.state for run in delivered] == ["done"] * 8
    assert all(len(chat.posted(channel(i))) == 4 for i in range(8))
    # 64 marks (sending and sent of 32 messages) and 8 run endings, in far fewer commits.
    assert counted[0] < 64 / 2


async def test_a_mark_returns_only_once_committed_and_a_bad_one_fails_alone(arxiv, store):
    sub = subscribe(store, 0)
    d = Deliverer(make_engine(arxiv.url, store), store, {"recording": RecordingChat()})
    await d.plan(sub, WEEK, "k")
    queue = MarkQueue(store)
    results = await asyncio.gather(
        queue.mark("k", 0, "sending"),
        queue.mark("nope", 1, "sending"),
        queue.mark("k", 1, "sent", message_id="m1"),
        return_exceptions=True,
    )
    assert results[0] is None and isinstance(results[1], KeyError) and results[2] is None
    rows = store.deliveries("k")
    assert (rows[0].state, rows[1].state, rows[1].message_id) == ("sending", "sent", "m1")


async def test_the_engine_keeps_the_week_s_answer_in_memory_until_its_ttl(arxiv, store):
    clock = Clock()
    engine = make_engine(arxiv.url, store, clock=clock)
    for _ in range(3):
        await engine.build("synthetic data", WEEK, language="en", max_papers=3, bullets=4)
    assert len(arxiv.requests) == 1
    clock.advance(hours=25)  # past the 24 h cache TTL: arXiv is asked again
    await engine.build("synthetic data", WEEK, language="en", max_papers=3, bullets=4)
    assert len(arxiv.requests) == 2


async def test_the_bulk_reads_answer_per_channel_and_per_subscription(arxiv, store):
    subs = [subscribe(store, i) for i in range(3)]
    elsewhere = store.add_subscription(ChannelRef("recording", "T2", "C0"), "synthetic data", weekday=0, at=time(9),
                                       tz="UTC", language="en", max_papers=3, created_by="U1")  # fmt: skip
    d = Deliverer(make_engine(arxiv.url, store), store, {"recording": RecordingChat()})
    runs = await d.plan_many([Owed(subs[0], WEEK, "a"), Owed(subs[1], WEEK, "b")])
    await d.deliver_many(runs)
    sent = [row.arxiv_id for row in store.deliveries("a")[1:]]
    assert store.papers_held(channel(0), [*sent, "2404.99999"]) == set(sent) and len(sent) == 3
    assert store.papers_held(channel(2), sent) == set() and store.papers_held(elsewhere.channel, sent) == set()
    assert store.last_windows([s.id for s in subs]) == {subs[0].id: WEEK, subs[1].id: WEEK}
    assert set(store.get_runs(["a", "b", "zzz"])) == {"a", "b"}
    assert set(store.deliveries_of(["a", "b"])) == {"a", "b"}


class CountingChat(RecordingChat):
    """RecordingChat noting, at each post, how many summaries the LLM had been asked for."""

    def __init__(self, llm) -> None:
        super().__init__()
        self.llm, self.asked = llm, []

    async def post_header(self, channel, digest, key):
        self.asked.append(self.llm.count)
        return await super().post_header(channel, digest, key)

    async def post_card(self, channel, card, digest, key):
        self.asked.append(self.llm.count)
        return await super().post_card(channel, card, digest, key)


async def test_each_card_is_summarised_just_ahead_of_its_post(arxiv, store):
    with FakeOpenAI() as llm:
        chat = CountingChat(llm)
        d = Deliverer(make_engine(arxiv.url, store, llm.base_url), store, {"recording": chat})
        run = await d.plan(subscribe(store, 0, max_papers=6), WEEK, "k")
        assert llm.count == 0 and all(row.text is None for row in store.deliveries("k"))  # planned: only ranked
        assert (await d.deliver(run)).state == "done"
        await d.engine.aclose()
    # With an LLM the header carries the week at a glance, written over every card's text
    # (digest/cards/overview.py): the six cards are asked for before it, the overview is
    # the seventh call, and the cards then go out with nothing more to ask.
    assert chat.asked == [7] * 7
    assert llm.count == 7
    rows = store.deliveries("k")[1:]
    assert all(row.text is not None and row.text.summarizer == "llm:fake-model" for row in rows)  # recorded


async def test_a_resumed_run_posts_the_text_recorded_before_the_crash(arxiv, store):
    chat = RecordingChat(faults=[None, None, "crash_after"])  # killed after posting card 2
    d = Deliverer(make_engine(arxiv.url, store), store, {"recording": chat})
    run = await d.plan(subscribe(store, 0), WEEK, "k")
    with pytest.raises(Crash):
        await d.deliver(run)
    rows = store.deliveries("k")
    assert [row.state for row in rows] == ["sent", "sent", "sending", "pending"]
    recorded = rows[2].text
    assert recorded is not None and rows[3].text is None  # card 3's text is not written yet
    d2 = Deliverer(make_engine(arxiv.url, store), store, {"recording": chat})
    assert (await d2.deliver(store.get_run("k"))).state == "done"
    assert store.deliveries("k")[2].text == recorded
    assert [p.key for p in chat.posted(channel(0))] == [f"k#{i}" for i in range(4)]  # card 2 found, not reposted


async def test_a_database_write_lock_held_elsewhere_never_blocks_the_event_loop(tmp_path):
    """Marks are committed in a thread: while another connection holds SQLite's write lock,
    the loop (and the platform acknowledgements riding on it) keeps turning."""
    import sqlite3
    import time as clock

    from digest.models import DigestRun
    from digest.store import open_store
    from tests.engine_fixtures import WEEK as WINDOW

    db = tmp_path / "held.db"
    store = open_store(f"sqlite:///{db}")
    run = DigestRun("k", 1, channel(0), "t", "en", WINDOW, 0, "delivering")
    store.plan_runs([(run, [])])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    queue = MarkQueue(store)
    ending = asyncio.ensure_future(queue.finish("k", "done"))
    worst, last = 0.0, clock.monotonic()
    for _ in range(20):  # a second of 50 ms ticks while the lock is held
        await asyncio.sleep(0.05)
        now = clock.monotonic()
        worst, last = max(worst, now - last), now
    assert not ending.done()  # still waiting for the lock ...
    holder.execute("ROLLBACK")
    assert (await asyncio.wait_for(ending, 30)).state == "done"  # ... and written once it is free
    assert worst < 0.5, f"the loop stalled {worst:.2f} s"
    holder.close()
    store.close()
