"""Each arXiv paper at most once per channel, as a property of the store (both backends).

Whatever brings it (two subscriptions of one channel at one tick, two members sending
``/arxiv now`` at the same moment, two processes planning at once), a paper is planned
into a channel once: the ``channel_papers`` claim is written in the planning
transaction, and the primary key lets only one run win it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from datetime import date, datetime, time, timezone

import pytest

from digest.delivery.deliverer import Deliverer
from digest.models import HEADER, ChannelRef, Digest, DigestRun, Owed, Paper, Window
from digest.text.ranking import Scored
from digest.store import open_store
from tests.engine_fixtures import WEEK, make_engine
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.recording_chat import RecordingChat

CHANNEL = ChannelRef("recording", "T1", "C1")
WINDOW = Window(date(2026, 11, 17), date(2026, 11, 23), "UTC")
AT = datetime(2026, 11, 20, tzinfo=timezone.utc)


def paper(n: int) -> Paper:
    return Paper(f"2611.{n:05d}", 1, f"Paper {n}", ("A. Author",), "An abstract.", ("cs.CL",), "cs.CL", None, AT, AT,
                 f"http://arxiv.org/abs/2611.{n:05d}v1")  # fmt: skip


def ranked(*numbers: int) -> list[Scored]:
    return [Scored(paper(n), 10.0 - i) for i, n in enumerate(numbers)]


def run(key: str, channel: ChannelRef = CHANNEL) -> DigestRun:
    return DigestRun(key, 1, channel, "topic", "en", WINDOW, 20, "delivering")


def planned_papers(store, key: str) -> list[str]:
    return [row.arxiv_id for row in store.deliveries(key) if row.position != HEADER]


def test_runs_planned_together_share_out_the_papers_and_count_what_they_skip(store):
    store.put_papers([paper(n) for n in range(10)])
    runs, written = store.plan_runs(
        [(run("a"), ranked(0, 1, 2, 3)), (run("b"), ranked(0, 1, 4, 5, 6)), (run("c", ChannelRef("recording", "T1", "C2")), ranked(0, 1))],
        {"a": 3, "b": 3, "c": 2},
    )
    assert planned_papers(store, "a") == ["2611.00000", "2611.00001", "2611.00002"]
    assert planned_papers(store, "b") == ["2611.00004", "2611.00005", "2611.00006"]  # the next ranked instead
    assert planned_papers(store, "c") == ["2611.00000", "2611.00001"]  # another channel: its own
    assert (runs["a"].skipped, runs["b"].skipped, runs["c"].skipped) == (0, 2, 0)
    assert [s.paper.arxiv_id for s in written["b"]] == planned_papers(store, "b")
    # A later week: what the channel holds is skipped, whatever its version.
    later, _ = store.plan_runs([(run("d"), ranked(2, 7))], {"d": 5})
    assert planned_papers(store, "d") == ["2611.00007"] and later["d"].skipped == 1
    assert store.papers_held(CHANNEL, ["2611.00002", "2611.00007", "2611.00009"]) == {"2611.00002", "2611.00007"}


def test_planning_the_same_key_again_changes_nothing(store):
    store.plan_runs([(run("a"), ranked(0, 1))], {"a": 2})
    again, written = store.plan_runs([(run("a"), ranked(3, 4))], {"a": 2})
    assert written == {} and planned_papers(store, "a") == ["2611.00000", "2611.00001"]


def test_a_digest_with_no_new_paper_has_no_rows(store):
    store.plan_runs([(run("a"), ranked(0, 1))], {"a": 2})
    runs, _ = store.plan_runs([(run("b"), ranked(0, 1))], {"b": 2})
    assert store.deliveries("b") == [] and runs["b"].skipped == 2


def _plan_in_thread(url: str, key: str, numbers: list[int], barrier: threading.Barrier, out: dict) -> None:
    store = open_store(url)
    try:
        barrier.wait()
        store.plan_runs([(run(key), ranked(*numbers))], {key: 5})
        out[key] = planned_papers(store, key)
    finally:
        store.close()


def test_concurrent_planners_never_plan_one_paper_twice(store, store_url):
    """Two stores (two connection pools, as two processes have) plan one channel at once."""
    for attempt in range(5):
        out: dict[str, list[str]] = {}
        barrier = threading.Barrier(2)
        keys = [f"t{attempt}a", f"t{attempt}b"]
        base = attempt * 100
        threads = [
            threading.Thread(target=_plan_in_thread, args=(store_url, key, [base + n for n in range(10)], barrier, out))
            for key in keys
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        a, b = out[keys[0]], out[keys[1]]
        assert len(a) == len(b) == 5 and not set(a) & set(b), (a, b)


def _plan_in_process(url: str, key: str, start: int) -> None:
    store = open_store(url)
    try:
        # Overlapping rankings, in different orders: the race is over the same papers.
        numbers = [(start + n) % 12 for n in range(12)]
        store.plan_runs([(run(key), ranked(*numbers))], {key: 4})
    finally:
        store.close()


def test_three_processes_cannot_break_it(store, store_url):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_plan_in_process, args=(store_url, f"p{i}", i * 4)) for i in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    planned = [planned_papers(store, f"p{i}") for i in range(3)]
    everything = [p for papers in planned for p in papers]
    assert len(everything) == 12 and len(set(everything)) == 12


@pytest.fixture
def arxiv():
    with ArxivFeedServer(WEEK_XML) as server:
        yield server


def subscribe(store, topic: str, max_papers: int = 8, channel: ChannelRef = CHANNEL):
    return store.add_subscription(channel, topic, weekday=0, at=time(9), tz="UTC", language="en",
                                  max_papers=max_papers, created_by="U1")  # fmt: skip


async def test_subscriptions_of_one_channel_at_one_tick_post_each_paper_once(arxiv, store):
    chat = RecordingChat()
    subs = [subscribe(store, topic) for topic in ("synthetic data", "synthetic data", "data")]
    d = Deliverer(make_engine(arxiv.url, store), store, {"recording": chat})
    runs = await d.plan_many([Owed(sub, WEEK, f"tick{sub.id}") for sub in subs])
    await d.deliver_many(runs)
    cards = [p.text for p in chat.posted(CHANNEL) if p.kind == "card"]
    assert cards and len(cards) == len(set(cards))
    assert sum(r.skipped for r in store.get_runs([r.key for r in runs]).values()) > 0
    # Each digest as one block in the channel: its header, then its cards, never interleaved.
    order = [p.key.split("#")[0] for p in chat.posted(CHANNEL)]
    blocks = [key for i, key in enumerate(order) if i == 0 or order[i - 1] != key]
    assert len(blocks) == len(set(blocks))


async def test_two_now_digests_sent_together_post_each_paper_once(arxiv, store):
    chat = RecordingChat()
    sub = subscribe(store, "synthetic data")
    d1 = Deliverer(make_engine(arxiv.url, store), store, {"recording": chat})
    d2 = Deliverer(make_engine(arxiv.url, store), store, {"recording": chat})
    await asyncio.gather(d1.run(sub, WEEK, "now-u1"), d2.run(sub, WEEK, "now-u2"))
    cards = [p.text for p in chat.posted(CHANNEL) if p.kind == "card"]
    headers = [p for p in chat.posted(CHANNEL) if p.kind == "header"]
    assert len(cards) == len(set(cards)) and len(headers) == 1  # the second found nothing new: no header


def test_the_header_says_how_many_the_channel_already_had():
    from bot.discord.embeds import header_text
    from bot.slack.blocks import header_blocks

    digest = Digest("synthetic data", WINDOW, "en", (), candidates=20, planned=3, skipped=2)
    assert "3 of 20 papers (2 more already posted in this channel)" in header_blocks(digest)[1]
    assert "3 of 20 papers (2 more already posted in this channel)" in header_text(digest)
    ja = Digest("合成データ", WINDOW, "ja", (), candidates=20, planned=3, skipped=2)
    assert "20件中3件（ほか2件はこのチャンネルに投稿済み）" in header_text(ja).replace(" (", "（").replace(")", "）")


def test_prune_deletes_only_what_is_past_its_keep(store):
    from datetime import timedelta

    from digest.store.ledger_rows import now

    store.claim_event("slack", "Ev1")
    store.put_query("q", [paper(1)], now() - timedelta(days=2))
    store.put_query("q-fresh", [paper(2)], now())
    store.beat("gone-host:1:ab", "gone-host", 1)
    later = now() + timedelta(seconds=1)
    counts = store.prune(events_before=later, queries_before=now() - timedelta(days=1), instances_before=later)
    assert counts == {"handled_events": 1, "arxiv_queries": 1, "instances": 1}
    assert store.claim_event("slack", "Ev1")  # forgotten: taken as new
    assert store.get_query("q-fresh", timedelta(days=1), now()) is not None
    day_ago = now() - timedelta(days=1)
    assert store.prune(events_before=day_ago, queries_before=day_ago, instances_before=day_ago) == {
        "handled_events": 0, "arxiv_queries": 0, "instances": 0}


def test_upgrading_moves_each_card_text_once_and_claims_what_channels_hold(store_url):
    """A database at revision 0005 with two ledger rows carrying one card's text, upgraded:
    the text is stored once and read back on both rows; the channel holds the paper."""
    import json as jsonlib

    from alembic import command
    from sqlalchemy import create_engine, text

    from digest.store.migrations import alembic_config

    engine = create_engine(store_url)
    config = alembic_config()
    card = {"headline": "見出し", "bullets": ["一", "二"], "comment": "", "language": "ja", "summarizer": "llm:m"}
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
        for key in ("old-a", "old-b"):
            conn.execute(text(
                "INSERT INTO deliveries (run_key, position, platform, workspace_id, channel_id, arxiv_id, version, score,"
                " card, state, message_id, error, updated_at) VALUES (:k, 1, 'recording', 'T1', :c, '2611.00001', 1,"
                " 1.0, :card, 'sent', 'm1', NULL, :at)"), {"k": key, "c": f"C-{key}", "card": jsonlib.dumps(card), "at": AT})
    engine.dispose()
    upgraded = open_store(store_url)
    try:
        rows = [upgraded.deliveries(key)[0] for key in ("old-a", "old-b")]
        assert [row.text.headline for row in rows] == ["見出し", "見出し"] and rows[0].text.bullets == ("一", "二")
        with upgraded.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM card_texts")).scalar() == 1
        assert upgraded.papers_held(ChannelRef("recording", "T1", "C-old-a"), ["2611.00001"]) == {"2611.00001"}
    finally:
        upgraded.close()
