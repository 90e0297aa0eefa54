"""The store's announcements (digest/store/announced.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from digest.models import Announced, Paper
from digest.store import Store

MON = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)  # Sunday 20:00 EST, listed Monday
TUE = MON + timedelta(days=1)


def paper(arxiv_id: str, version: int = 1, comment: str | None = None) -> Paper:
    at = datetime(2026, 12, 4, 15, 30, tzinfo=timezone.utc)
    return Paper(
        arxiv_id=arxiv_id, version=version, title=f"Title of {arxiv_id}", authors=("A. Author", "B. Author"),
        abstract="An abstract.", categories=("cs.CL", "math.OC"), primary_category="cs.CL", comment=comment,
        published=at, updated=at + timedelta(days=version - 1), abs_url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}v{version}",
    )


def announced(arxiv_id: str, at: datetime, kind: str = "new", version: int = 1, **extra: object) -> Announced:
    return Announced(paper(arxiv_id, version, **extra), at, kind)  # type: ignore[arg-type]


def test_an_announcement_is_stored_once_and_read_back(store: Store) -> None:
    items = [announced("2612.00001", MON), announced("2612.00002", MON, "cross")]
    assert store.add_announcements(MON, items, "listing") == 2
    assert store.add_announcements(MON, items, "oai") == 0  # idempotent, the first row kept

    assert store.announced_between(MON - timedelta(seconds=1), MON) == items
    [row] = store.announcements_between(MON - timedelta(days=1), TUE)
    assert (row.announced_at, row.listed_on, row.papers, row.source) == (MON, date(2026, 12, 7), 2, "listing")
    assert row.harvested_at.tzinfo is not None
    assert store.last_announcement() == row


def test_a_cross_list_of_a_stored_version_adds_nothing(store: Store) -> None:
    store.add_announcements(MON, [announced("2612.00001", MON)], "listing")
    assert store.add_announcements(TUE, [announced("2612.00001", TUE, "cross")], "listing") == 0
    assert store.announced_between(MON, TUE) == []
    [kept] = store.announced_between(MON - timedelta(days=1), TUE)
    assert (kept.announced_at, kept.announce_type) == (MON, "new")
    assert [a.papers for a in store.announcements_between(MON - timedelta(days=1), TUE)] == [1, 1]


def test_one_call_prefers_the_papers_own_listing_over_a_cross_list(store: Store) -> None:
    twice = [announced("2612.00003", MON, "cross"), announced("2612.00003", MON, "new")]
    assert store.add_announcements(MON, twice, "listing") == 1
    [only] = store.announced_between(MON - timedelta(days=1), MON)
    assert only.announce_type == "new"


def test_a_new_version_is_a_row_of_its_own_and_keeps_withdrawn(store: Store) -> None:
    store.add_announcements(MON, [announced("2612.00001", MON)], "listing")
    v2 = replace(announced("2612.00001", TUE, "replace", 2, comment="withdrawn: a flaw in Lemma 2"), withdrawn=True)
    assert store.add_announcements(TUE, [v2], "oai") == 1
    got = store.announced_between(MON - timedelta(days=1), TUE)
    assert [(a.paper.version, a.announce_type, a.withdrawn) for a in got] == [(1, "new", False), (2, "replace", True)]
    assert got[1] == v2


def test_a_holiday_is_recorded_as_none(store: Store) -> None:
    assert store.add_announcements(TUE, [], "oai") == 0
    [holiday] = store.announcements_between(MON, TUE)
    assert holiday.papers == 0 and holiday.source == "oai"
    assert store.last_announcement() == holiday


def test_bounds_are_half_open(store: Store) -> None:
    store.add_announcements(MON, [announced("2612.00001", MON)], "listing")
    store.add_announcements(TUE, [announced("2612.00002", TUE)], "listing")
    assert [a.paper.arxiv_id for a in store.announced_between(MON, TUE)] == ["2612.00002"]
    assert [a.announced_at for a in store.announcements_between(MON, TUE)] == [TUE]
    assert store.announced_between(TUE, TUE + timedelta(days=1)) == []


def test_an_empty_store_has_no_last_announcement(store: Store) -> None:
    assert store.last_announcement() is None
    assert store.announcements_between(MON - timedelta(days=30), MON) == []


def test_refuses_what_it_cannot_store_faithfully(store: Store) -> None:
    with pytest.raises(ValueError, match="source"):
        store.add_announcements(MON, [], "rss")
    with pytest.raises(ValueError, match="naive"):
        store.add_announcements(MON.replace(tzinfo=None), [], "listing")
    with pytest.raises(ValueError, match="announce type"):
        store.add_announcements(MON, [announced("2612.00001", MON, "updated")], "listing")
    with pytest.raises(ValueError, match="announced at"):
        store.add_announcements(MON, [announced("2612.00001", TUE)], "listing")
    assert store.last_announcement() is None  # nothing half-written


def test_many_papers_in_one_announcement(store: Store) -> None:
    items = [announced(f"2612.{i:05d}", MON) for i in range(1200)]
    assert store.add_announcements(MON, items, "oai") == 1200
    assert store.add_announcements(MON, items, "oai") == 0
    assert len(store.announced_between(MON - timedelta(days=1), MON)) == 1200


def test_an_announcement_records_its_archives_and_is_widened_by_a_later_harvest(store: Store) -> None:
    cs = announced("2612.00001", MON)
    store.add_announcements(MON, [cs], "listing", frozenset({"cs"}))
    [row] = store.announcements_between(MON - timedelta(days=1), MON)
    assert (row.archives, row.papers) == (frozenset({"cs"}), 1)

    # math fetched for the same day: its paper added, the cs paper cross-listed there not twice.
    math = replace(announced("2612.00002", MON), paper=replace(paper("2612.00002"), primary_category="math.ST"))
    assert store.add_announcements(MON, [math, replace(cs, announce_type="cross")], "oai", frozenset({"math"})) == 1
    [row] = store.announcements_between(MON - timedelta(days=1), MON)
    assert (row.archives, row.papers, row.source) == (frozenset({"cs", "math"}), 2, "listing")
    assert store.announced_between(MON - timedelta(seconds=1), MON)[0].announce_type == "new"  # cs's own row kept

    assert store.add_announcements(MON, [math], "oai", frozenset({"math"})) == 0  # held already: unchanged
    assert store.announcements_between(MON - timedelta(days=1), MON) == [row]
    store.add_announcements(MON, [cs, math], "oai", None)  # all archives
    [row] = store.announcements_between(MON - timedelta(days=1), MON)
    assert (row.archives, row.papers) == (None, 2)
    store.add_announcements(MON, [], "oai", frozenset({"hep-th"}))  # all holds hep-th: stays all
    assert store.announcements_between(MON - timedelta(days=1), MON) == [row]


def test_upgrading_marks_the_announcements_harvested_before_as_holding_no_archive(store_url: str) -> None:
    """Rows from before revision 0013 hold unknown archives: none serves a topic until widened."""
    from alembic import command
    from sqlalchemy import create_engine

    from digest.store import open_store
    from digest.store.migrations import alembic_config
    from digest.store.tables import AnnouncementRow

    engine = create_engine(store_url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0012")
        # As 0012 wrote them (the columns it had; the instants as the store types them).
        conn.execute(AnnouncementRow.__table__.insert().values(
            announced_at=MON, listed_on=MON.date(), papers=3, source="oai", harvested_at=MON))
    engine.dispose()
    upgraded = open_store(store_url)
    try:
        [row] = upgraded.announcements_between(MON - timedelta(days=1), MON)
        assert (row.papers, row.archives) == (3, frozenset())
        upgraded.add_announcements(MON, [announced("2612.00001", MON)], "oai", frozenset({"cs"}))
        [row] = upgraded.announcements_between(MON - timedelta(days=1), MON)
        assert (row.papers, row.archives) == (4, frozenset({"cs"}))
    finally:
        upgraded.close()


def test_stored_versions_get_their_comment_and_submission_dates(store: Store) -> None:
    store.add_announcements(MON, [announced("2612.00001", MON), announced("2612.00002", MON, "replace", version=2)], "listing")
    first = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    enriched = replace(paper("2612.00002", 2), comment="accepted", published=first)
    other = replace(paper("2612.00002", 3), comment="not stored")  # another version: left out
    assert store.update_announced_papers([enriched, other]) == 1
    one, two = store.announced_between(MON - timedelta(seconds=1), MON)
    assert one.paper == paper("2612.00001") and two.paper == enriched and two.announce_type == "replace"
    assert store.update_announced_papers([]) == 0
    with pytest.raises(ValueError, match="naive"):
        store.update_announced_papers([replace(enriched, updated=datetime(2026, 12, 4))])


def test_a_harvested_paper_is_found_like_a_searched_one(store: Store) -> None:
    """A digest served from the harvest has its papers only in announced_papers: a thread
    question on its card (bot.threads.card_of) and a resumed run read them by id."""
    store.add_announcements(MON, [announced("2612.00001", MON)], "listing")
    store.add_announcements(TUE, [announced("2612.00001", TUE, "replace", 2)], "listing")
    store.put_papers([paper("2612.00002")])
    assert store.get_paper("2612.00001") == paper("2612.00001", 2)  # the highest version of either table
    assert store.get_paper("2612.00001", 1) == paper("2612.00001")
    assert store.get_paper("2612.00003") is None
    found = store.get_papers([("2612.00001", 1), ("2612.00002", 1), ("2612.00003", 1)])
    assert found == {("2612.00001", 1): paper("2612.00001"), ("2612.00002", 1): paper("2612.00002")}
