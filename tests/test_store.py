"""Contract suite of digest.store, run against SQLite and PostgreSQL via ``store_url``."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from digest.models import CardKey, CardText, Paper
from digest.store import Store, open_store
from digest.store.migrations import alembic_config
from digest.store.tables import Base, CardRow, PaperRow

UTC = timezone.utc
T0 = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def paper(arxiv_id: str = "2404.14361", version: int = 1, **changes: object) -> Paper:
    base = Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=f"Paper {arxiv_id}v{version}",
        authors=("Ada Lovelace", "Alan Turing"),
        abstract="We study things.",
        categories=("cs.CL", "cs.LG"),
        primary_category="cs.CL",
        comment="12 pages",
        published=datetime(2024, 4, 22, 17, 0, tzinfo=UTC),
        updated=datetime(2024, 4, 22, 17, 0, tzinfo=UTC) + timedelta(days=version - 1),
        abs_url=f"https://arxiv.org/abs/{arxiv_id}v{version}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}v{version}",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


KEY = CardKey("2404.14361", 1, "ja", "gpt-4o-mini", "p1", 4)


def card(headline: str = "見出し", language: str = "ja") -> CardText:
    bullets = ("一つ目", "二つ目", "三つ目", "四つ目")
    return CardText(headline, bullets, "面白い。", language, summarizer="llm:gpt-4o-mini")


def test_card_round_trip_and_upsert(store: Store) -> None:
    assert store.get_card(KEY) is None
    store.put_card(KEY, card("first"))
    assert store.get_card(KEY) == card("first")
    store.put_card(KEY, card("first"))  # idempotent
    store.put_card(KEY, card("second"))  # upsert replaces
    assert store.get_card(KEY) == card("second")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cards")).scalar_one() == 1


@pytest.mark.parametrize(
    "change",
    [{"version": 2}, {"language": "en"}, {"model": "gpt-4o"}, {"prompt_version": "p2"},
     {"bullets": 3}, {"arxiv_id": "2404.00001"}],
    ids=lambda change: next(iter(change)),
)
def test_each_key_part_distinguishes(store: Store, change: dict[str, object]) -> None:
    other = dataclasses.replace(KEY, **change)  # type: ignore[arg-type]
    other_text = card("other", language=other.language)
    store.put_card(KEY, card("mine"))
    assert store.get_card(other) is None
    store.put_card(other, other_text)
    assert store.get_card(KEY) == card("mine")
    assert store.get_card(other) == other_text


def test_query_cache_fresh_stale_absent(store: Store) -> None:
    papers = [paper("2404.00003"), paper("2404.00001", 2), paper("2404.00002")]
    hour = timedelta(hours=1)
    assert store.get_query("cat:cs.CL", hour, T0) is None  # absent
    store.put_query("cat:cs.CL", papers, T0)
    assert store.get_query("cat:cs.CL", hour, T0 + timedelta(minutes=59)) == papers  # fresh
    assert store.get_query("cat:cs.CL", hour, T0 + hour) == papers  # exactly max_age: fresh
    assert store.get_query("cat:cs.CL", hour, T0 + hour + timedelta(seconds=1)) is None  # stale
    assert store.get_query("cat:cs.LG", hour, T0) is None  # another query
    store.put_query("nothing matches", [], T0)
    assert store.get_query("nothing matches", hour, T0) == []  # empty is a hit, not a miss


def test_query_refresh_replaces_result_and_stores_papers(store: Store) -> None:
    store.put_query("q", [paper("a1"), paper("b2")], T0)
    later = T0 + timedelta(days=2)
    store.put_query("q", [paper("b2", 2), paper("a1")], later)
    assert store.get_query("q", timedelta(hours=1), later) == [paper("b2", 2), paper("a1")]
    # The Q&A feature finds query papers by id later on.
    assert store.get_paper("b2") == paper("b2", 2)
    assert store.get_paper("b2", 1) == paper("b2")


def test_long_query_text(store: Store) -> None:
    long_query = "all:" + " OR ".join(f"term{i}" for i in range(2000))
    store.put_query(long_query, [paper()], T0)
    assert store.get_query(long_query, timedelta(hours=1), T0) == [paper()]


def test_paper_upsert_and_latest_version(store: Store) -> None:
    assert store.get_paper("2404.14361") is None
    store.put_papers([paper(version=1), paper(version=3), paper(version=2)])
    assert store.get_paper("2404.14361") == paper(version=3)
    assert store.get_paper("2404.14361", 2) == paper(version=2)
    assert store.get_paper("2404.14361", 4) is None
    revised = paper(version=3, title="Revised title", comment=None, pdf_url=None)
    store.put_papers([revised, revised])  # duplicates in one batch are fine
    assert store.get_paper("2404.14361") == revised
    store.put_papers([])  # no-op
    store.put_papers([paper("math/0211159", 1)])  # old-style id
    assert store.get_paper("math/0211159") == paper("math/0211159", 1)


def test_many_papers_in_one_call(store: Store) -> None:
    papers = [paper(f"2405.{i:05d}") for i in range(1200)]  # more than one INSERT chunk
    store.put_query("big", papers, T0)
    assert store.get_query("big", timedelta(hours=1), T0) == papers


def test_returned_datetimes_are_aware_utc(store: Store) -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    given = paper(published=datetime(2024, 4, 23, 2, 0, tzinfo=tokyo))
    store.put_query("q", [given], datetime(2025, 5, 1, 21, 0, tzinfo=tokyo))  # == T0
    got = store.get_paper(given.arxiv_id)
    assert got is not None
    for value in (got.published, got.updated):
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert got.published == datetime(2024, 4, 22, 17, 0, tzinfo=UTC)
    assert store.get_query("q", timedelta(0), T0) == [got]  # fetched_at kept as the same instant
    store.put_card(KEY, card())
    with store.engine.connect() as conn:  # bookkeeping columns come back aware too
        for column in (PaperRow.updated_at, CardRow.created_at):
            stamp = conn.execute(select(column)).scalar_one()
            assert stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0)


def test_bad_input_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="language"):
        store.put_card(KEY, card(language="en"))  # the key's language is the card's
    naive = datetime(2025, 5, 1, 12, 0)
    with pytest.raises(ValueError, match="tz-aware"):
        store.put_query("q", [], naive)
    with pytest.raises(ValueError, match="tz-aware"):
        store.get_query("q", timedelta(hours=1), naive)
    with pytest.raises(ValueError, match="tz-aware"):
        store.put_papers([paper(published=naive)])


def test_unicode_round_trip(store: Store) -> None:
    japanese = paper(
        title="大規模言語モデルによる論文要約 🚀",
        authors=("山田 太郎", "José Ñúñez"),
        abstract="本研究では「要約」を扱う。\n改行と\u3000全角空白も。",
        comment="日本語のコメント",
    )
    query = "all:要約 AND cat:cs.CL"
    store.put_query(query, [japanese], T0)
    assert store.get_query(query, timedelta(hours=1), T0) == [japanese]
    assert store.get_paper(japanese.arxiv_id) == japanese
    store.put_card(KEY, card("論文の見出し"))
    assert store.get_card(KEY) == card("論文の見出し")


def test_open_store_twice_is_idempotent(store_url: str) -> None:
    first = open_store(store_url)
    first.put_card(KEY, card())
    first.close()
    second = open_store(store_url)
    try:
        assert second.get_card(KEY) == card()
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with second.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
    finally:
        second.close()


def in_threads(work: Callable[[int], None], ns: range) -> None:
    """Run ``work(n)`` for every n at once; re-raise the first failure here."""
    barrier = threading.Barrier(len(ns))

    def started_together(n: int) -> None:
        barrier.wait()
        work(n)

    with ThreadPoolExecutor(len(ns)) as pool:
        list(pool.map(started_together, ns))


def test_concurrent_open_and_use_from_threads(store_url: str) -> None:
    """Separate engines (as separate processes would have) racing on a fresh database."""

    def work(n: int) -> None:
        opened = open_store(store_url)
        try:
            key = dataclasses.replace(KEY, version=n)
            opened.put_card(key, card(f"thread {n}"))
            opened.put_query("shared", [paper(version=n)], T0)
            assert opened.get_card(key) == card(f"thread {n}")
        finally:
            opened.close()

    in_threads(work, range(1, 5))
    final = open_store(store_url)
    try:
        assert all(final.get_card(dataclasses.replace(KEY, version=n)) for n in range(1, 5))
        assert final.get_paper("2404.14361") == paper(version=4)
    finally:
        final.close()


_CHILD = """
import sys, time
from digest.models import CardKey, CardText
from digest.store import open_store
url, start, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
time.sleep(max(0.0, start - time.time()))  # all children hit the fresh DB together
store = open_store(url)
store.put_card(CardKey("2404.14361", n, "ja", "m", "p1", 4), CardText("h", ("b",), "", "ja", "extractive"))
store.close()
"""


def test_concurrent_open_from_processes(store_url: str) -> None:
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    start = time.time() + 3  # past every child's interpreter start-up
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, store_url, str(start), str(n)],
            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for n in range(1, 4)
    ]
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], outputs
    final = open_store(store_url)
    try:
        for n in range(1, 4):
            assert final.get_card(CardKey("2404.14361", n, "ja", "m", "p1", 4)) is not None
    finally:
        final.close()


def test_one_store_shared_by_threads(store: Store) -> None:
    def work(n: int) -> None:
        for i in range(20):
            key = dataclasses.replace(KEY, version=n * 100 + i)
            store.put_card(key, card(f"{n}/{i}"))
            assert store.get_card(key) == card(f"{n}/{i}")

    in_threads(work, range(8))


def ours(name: str | None, type_: str, parent: object) -> bool:
    """Not the job queue's tables: procrastinate's own schema (migration 0020, PostgreSQL)."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def test_migrations_match_tables(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": ours})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    sqlite = open_store(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with sqlite.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() > 0
    finally:
        sqlite.close()


def test_in_memory_sqlite_works_across_threads() -> None:
    memory = open_store("sqlite://")
    try:
        in_threads(lambda n: memory.put_card(dataclasses.replace(KEY, version=n), card()), range(1, 5))
        assert all(memory.get_card(dataclasses.replace(KEY, version=n)) for n in range(1, 5))
    finally:
        memory.close()
