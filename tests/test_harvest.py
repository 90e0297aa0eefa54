"""The harvester against the loopback listing and OAI-PMH: catch-up, the latest day, retries.

The scripted fortnight (December 2026, US Eastern winter time, listing dates):
Mon 7 to Wed 9 announce papers, Thu 10 is a holiday (no announcement), Fri 11 announces,
the weekend none, Mon 14 announces. Its papers are new ones, cross-lists, replacements
of older papers and a withdrawal, one in math alone; a metadata edit of an old paper
restamps it on Wed 9.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.app import build_harvester
from config.settings import Settings
from digest.arxiv.calendar import instant_of_listing
from digest.arxiv.harvest import ALL_ARCHIVES, Harvester, HarvestFailed
from digest.arxiv.http import ArxivHttp
from digest.store import Store
from tests.fakes.arxiv_days import Day, FakePaper
from tests.fakes.arxiv_listing import ListingServer
from tests.fakes.arxiv_oai import OaiServer

UTC = timezone.utc
OLD = datetime(2026, 10, 1, 12, tzinfo=UTC)


def submitted(day: int) -> datetime:
    return datetime(2026, 12, day, 16, tzinfo=UTC)


A = FakePaper("2612.00101", "Synthetic data for translation", ("cs.CL",), submitted=submitted(4))
B = FakePaper("2612.00102", "Sparse regression", ("math.OC", "cs.LG"), submitted=submitted(4))  # a cross-list into cs
C = FakePaper("2612.00201", "Agents that prove", ("cs.AI",), submitted=submitted(7))
R = FakePaper("2610.00301", "Old paper, revised", ("cs.CL",), version=2, comment="accepted at ICML 2026",
              submitted=submitted(7), first_submitted=OLD)
D = FakePaper("2612.00401", "Strings", ("hep-th",), submitted=submitted(8))  # not in cs
W = FakePaper("2610.00501", "Withdrawn one", ("cs.LG",), version=3,
              comment="This paper has been withdrawn by the authors due to an error", submitted=submitted(8),
              first_submitted=OLD)
E = FakePaper("2609.00601", "Journal reference added", ("cs.CL",), submitted=OLD)  # an edit, no new version
F = FakePaper("2612.00701", "Friday's paper", ("cs.CV",), submitted=submitted(10))
G = FakePaper("2612.00801", "Monday's paper", ("cs.CL", "math.ST"), submitted=submitted(11))
S = FakePaper("2612.00901", "Minimax rates", ("math.ST",), submitted=submitted(7))  # math alone

DAYS = [
    Day(date(2026, 12, 7), (A, B)),
    Day(date(2026, 12, 8), (C, R, S)),
    Day(date(2026, 12, 9), (D, W), edited=(E,)),
    # Thursday 10: a holiday, no announcement
    Day(date(2026, 12, 11), (F,)),
    Day(date(2026, 12, 14), (G,)),
]
FRIDAY = datetime(2026, 12, 11, 12, tzinfo=UTC)  # 07:00 EST: Friday's listing is up
MONDAY = datetime(2026, 12, 14, 12, tzinfo=UTC)


def at(listed_on: int) -> datetime:
    instant = instant_of_listing(date(2026, 12, listed_on))
    assert instant is not None
    return instant


@pytest.fixture
def servers() -> Iterator[tuple[ListingServer, OaiServer]]:
    with ListingServer(DAYS, FRIDAY) as listing, OaiServer(DAYS, FRIDAY) as oai:
        oai.page_size = 2  # so that a catch-up pages through resumption tokens
        yield listing, oai


def harvester(servers: tuple[ListingServer, OaiServer], store: Store, retries: int = 2) -> Harvester:
    listing, oai = servers
    http = ArxivHttp(min_interval=0.0, retries=retries, backoff=0.01, timeout=2.0)
    return Harvester(listing.base, oai.url, http, store, horizon_days=6)


def clock(servers: tuple[ListingServer, OaiServer], now: datetime) -> datetime:
    for server in servers:
        server.now = now
    return now


async def test_a_fresh_install_catches_up_over_a_holiday_then_follows_the_listing(servers, store):
    listing, oai = servers
    report = await harvester(servers, store).harvest(FRIDAY, {"cs"})

    # Mon-Wed and the holiday from OAI-PMH (6 records in cs, 2 a page), Friday from the listing
    # and enriched from OAI-PMH (Friday's records in cs: one page).
    assert report.announcements == [at(7), at(8), at(9), at(10), at(11)]
    assert [r.params.get("set") for r in oai.requests] == ["cs", "cs", None, None]  # then resumption tokens
    assert (oai.requests[0].params["from"], oai.requests[0].params["until"]) == ("2026-12-11", "2026-12-11")
    assert len(listing.requests) == 1 and listing.requests[0].path == "/atom/cs"
    assert report.requests == 5
    days = store.announcements_between(at(7) - timedelta(seconds=1), FRIDAY)
    assert [(d.listed_on.day, d.papers, d.source) for d in days] == [
        (7, 2, "oai"), (8, 2, "oai"), (9, 1, "oai"), (10, 0, "oai"), (11, 1, "listing")
    ]
    got = store.announced_between(at(7) - timedelta(seconds=1), FRIDAY)
    assert [(a.announced_at, a.paper.versioned_id, a.announce_type, a.withdrawn) for a in got] == [
        (at(7), "2612.00101v1", "new", False),
        (at(7), "2612.00102v1", "cross", False),
        (at(8), "2610.00301v2", "replace", False),
        (at(8), "2612.00201v1", "new", False),
        (at(9), "2610.00501v3", "replace", True),
        (at(11), "2612.00701v1", "new", False),
    ]
    assert got[2].paper.comment == "accepted at ICML 2026"
    assert got[5].paper.published == got[5].paper.updated == submitted(10)  # from OAI-PMH, not the listing date
    assert report.papers == 6 and [a.paper.versioned_id for a in report.replacements] == ["2610.00301v2", "2610.00501v3"]

    # Monday: the weekend had none, so only Sunday evening's announcement, one listing
    # request and its enrichment.
    report = await harvester(servers, store).harvest(clock(servers, MONDAY), {"cs"})
    assert report.announcements == [at(14)] and report.requests == 2 and report.papers == 1
    [g] = store.announced_between(at(11), MONDAY)
    assert (g.paper.versioned_id, g.announce_type, g.paper.categories) == ("2612.00801v1", "new", ("cs.CL", "math.ST"))

    # Harvesting again asks arXiv nothing and stores nothing twice.
    again = await harvester(servers, store).harvest(MONDAY + timedelta(hours=3), {"cs"})
    assert again.announcements == [] and again.requests == 0 and again.papers == 0
    assert len(store.announced_between(at(7) - timedelta(seconds=1), MONDAY)) == 7


async def test_on_a_weekend_the_listing_is_empty_so_oai_serves_the_missing_days(servers, store):
    listing, oai = servers
    saturday = clock(servers, datetime(2026, 12, 12, 15, tzinfo=UTC))
    report = await harvester(servers, store).harvest(saturday, None)
    assert listing.requests == []  # Friday's listing is gone; the weekend's is empty
    assert [r.params.get("set") for r in oai.requests][:1] == [None]  # all archives: no set
    assert report.announcements == [at(7), at(8), at(9), at(10), at(11)]
    hep = [a for a in store.announced_between(at(8), at(9))]
    assert {(a.paper.arxiv_id, a.announce_type) for a in hep} == {("2612.00401", "new"), ("2610.00501", "replace")}
    b = [a for a in store.announced_between(at(7) - timedelta(days=1), at(7)) if a.paper.arxiv_id == B.arxiv_id]
    assert b[0].announce_type == "new"  # all archives: B is in its own one


async def test_a_day_not_yet_settled_is_left_for_the_next_harvest(servers, store):
    early = clock(servers, at(11) + timedelta(hours=1))  # Thursday 21:00 EST: nothing out yet
    report = await harvester(servers, store).harvest(early, {"cs"})
    assert at(11) not in report.announcements and at(10) in report.announcements
    assert store.last_announcement().announced_at == at(10)


@pytest.mark.parametrize("topics", [1, 50])
async def test_requests_do_not_grow_with_topics(servers, store, topics):
    listing, oai = servers
    # Every earlier day is stored: only Friday's announcement is missing.
    for listed_on in (7, 8, 9, 10):
        store.add_announcements(at(listed_on), [], "oai")
    archives = {"cs"} if topics == 1 else set(sorted(ALL_ARCHIVES)[: min(topics, len(ALL_ARCHIVES))])
    report = await harvester(servers, store).harvest(FRIDAY, archives)
    # One listing request, and one OAI-PMH list enriching it: of cs, or of all archives.
    assert report.requests == 2 and len(listing.requests) == 1
    assert [r.params.get("set") for r in oai.requests] == ["cs" if topics == 1 else None]
    assert report.announcements == [at(11)]


async def test_days_harvested_for_fewer_archives_are_fetched_again_for_the_missing_ones(servers, store):
    listing, oai = servers
    await harvester(servers, store).harvest(FRIDAY, {"cs"})
    assert S.arxiv_id not in {a.paper.arxiv_id for a in store.announced_between(at(7) - timedelta(days=1), FRIDAY)}
    asked = len(oai.requests)

    # A cat:math.ST topic subscribes: one OAI-PMH pass over those days, for math alone.
    report = await harvester(servers, store).harvest(FRIDAY + timedelta(hours=1), {"cs", "math"})
    assert [r.params.get("set") for r in oai.requests[asked:]] == ["math"]  # B and S: one page
    assert len(listing.requests) == 1  # the listing is not asked again
    assert report.announcements == [at(7), at(8), at(9), at(10), at(11)] and report.papers == 1
    days = store.announcements_between(at(7) - timedelta(days=1), FRIDAY)
    assert {d.archives for d in days} == {frozenset({"cs", "math"})}
    assert [(d.listed_on.day, d.papers) for d in days] == [(7, 2), (8, 3), (9, 1), (10, 0), (11, 1)]
    [s] = [a for a in store.announced_between(at(7), at(8)) if a.paper.arxiv_id == S.arxiv_id]
    assert s.announce_type == "new"

    # Both held now, or a subset: nothing asked; however many topics need them.
    for archives in ({"cs", "math"}, {"math"}):
        again = await harvester(servers, store).harvest(FRIDAY + timedelta(hours=2), archives)
        assert again.requests == 0 and again.announcements == []

    # A free-text topic subscribes: those days again for every archive, with no set.
    asked = len(oai.requests)
    report = await harvester(servers, store).harvest(FRIDAY + timedelta(hours=3), None)
    assert {r.params.get("set") for r in oai.requests[asked:]} == {None}
    assert D.arxiv_id in {a.paper.arxiv_id for a in store.announced_between(at(8), at(9))}  # hep-th
    assert {d.archives for d in store.announcements_between(at(7) - timedelta(days=1), FRIDAY)} == {None}
    assert (await harvester(servers, store).harvest(FRIDAY + timedelta(hours=4), {"hep-th"})).requests == 0


async def test_503_with_retry_after_is_retried(servers, store):
    listing, oai = servers
    listing.script([("status", 503, {"Retry-After": "0"})])
    oai.script([("status", 503, {"Retry-After": "0"}), ("malformed",)])
    report = await harvester(servers, store).harvest(FRIDAY, {"cs"})
    assert report.announcements == [at(7), at(8), at(9), at(10), at(11)]
    assert report.requests == 5 + 3  # two failed OAI attempts and one failed listing attempt
    assert len(listing.requests) == 2


async def test_arxiv_down_fails_the_harvest_and_stores_what_came(servers, store):
    listing, oai = servers
    # Both attempts of the listing's enrichment (the listing's data kept), then both of the catch-up.
    oai.script([("status", 503, {"Retry-After": "0"})] * 4)
    with pytest.raises(HarvestFailed, match="HTTP 503"):
        await harvester(servers, store, retries=1).harvest(FRIDAY, {"cs"})
    # The listing's day (asked first) is stored; the catch-up is tried again next time.
    assert [a.announced_at for a in store.announcements_between(at(7) - timedelta(days=1), FRIDAY)] == [at(11)]
    report = await harvester(servers, store).harvest(FRIDAY, {"cs"})
    assert report.announcements == [at(7), at(8), at(9), at(10)]


def test_the_root_builds_a_harvester_from_the_settings(store, monkeypatch):
    defaults = Settings().arxiv
    assert (defaults.listing_url, defaults.oai_url, defaults.harvest_horizon_days) == (
        "https://rss.arxiv.org", "https://oaipmh.arxiv.org/oai", 30
    )
    monkeypatch.setenv("DIGEST_ARXIV_LISTING_URL", "http://127.0.0.1:9/rss")
    monkeypatch.setenv("DIGEST_ARXIV_OAI_URL", "http://127.0.0.1:9/oai")
    monkeypatch.setenv("DIGEST_ARXIV_HARVEST_HORIZON_DAYS", "21")
    built = build_harvester(Settings(), store)
    assert (built.listing_url, built.oai_url, built.horizon) == (
        "http://127.0.0.1:9/rss", "http://127.0.0.1:9/oai", timedelta(days=21)
    )
