"""The harvester's version gaps: a paper replaced within a catch-up, and the listing's
missing comment and submission dates (filled from OAI-PMH), against the loopback fakes.

December 2026, listing dates: X v1 is listed Monday 7, its v2 Wednesday 9 (so OAI-PMH
holds X once, as v2 stamped Wednesday); P is Friday 11's paper, a v2 with a comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest

from digest.arxiv.announced import announced_papers
from digest.arxiv.calendar import announcement_of_submission, instant_of_listing
from digest.arxiv.harvest import Harvester
from digest.arxiv.http import ArxivHttp
from digest.models import Window
from digest.store import Store
from tests.fakes.arxiv_days import Day, FakePaper
from tests.fakes.arxiv_listing import ListingServer
from tests.fakes.arxiv_oai import OaiServer

UTC = timezone.utc
FRIDAY = datetime(2026, 12, 11, 12, tzinfo=UTC)


def submitted(day: int) -> datetime:
    return datetime(2026, 12, day, 16, tzinfo=UTC)  # 11:00 EST: before that day's deadline


def at(listed_on: int) -> datetime:
    instant = instant_of_listing(date(2026, 12, listed_on))
    assert instant is not None
    return instant


X1 = FakePaper("2612.00111", "Replaced within the week", ("cs.CL",), submitted=submitted(4))
X2 = FakePaper("2612.00111", "Replaced within the week, v2", ("cs.CL",), version=2, comment="v2: typos",
               submitted=submitted(8), first_submitted=submitted(4))
C = FakePaper("2612.00222", "Another Monday paper", ("cs.AI",), submitted=submitted(4))
P = FakePaper("2612.00333", "Friday's revised paper", ("cs.LG",), version=2, comment="12 pages; NeurIPS 2026",
              submitted=submitted(10), first_submitted=datetime(2026, 11, 20, 9, tzinfo=UTC))
DAYS = [Day(date(2026, 12, 7), (X1, C)), Day(date(2026, 12, 8)), Day(date(2026, 12, 9), (X2,)),
        Day(date(2026, 12, 11), (P,))]


@pytest.fixture
def servers() -> Iterator[tuple[ListingServer, OaiServer]]:
    with ListingServer(DAYS, FRIDAY) as listing, OaiServer(DAYS, FRIDAY) as oai:
        yield listing, oai


def harvester(servers: tuple[ListingServer, OaiServer], store: Store) -> Harvester:
    listing, oai = servers
    http = ArxivHttp(min_interval=0.0, retries=1, backoff=0.01, timeout=2.0)
    return Harvester(listing.base, oai.url, http, store, horizon_days=6)


def test_a_submission_maps_to_its_announcement():
    assert announcement_of_submission(submitted(4)) == at(7)  # Friday before 14:00 EST: Sunday evening
    assert announcement_of_submission(submitted(7)) == at(8)  # Monday: that evening
    assert announcement_of_submission(datetime(2026, 12, 7, 19, 30, tzinfo=UTC)) == at(9)  # after 14:00 EST
    assert announcement_of_submission(datetime(2026, 12, 5, 12, tzinfo=UTC)) == at(8)  # Saturday: Monday


async def test_a_paper_replaced_within_a_catch_up_is_new_on_its_first_day(servers, store):
    report = await harvester(servers, store).harvest(FRIDAY, {"cs"})
    got = store.announced_between(at(7) - timedelta(seconds=1), FRIDAY)
    x = [a for a in got if a.paper.arxiv_id == X1.arxiv_id]
    # Once, new on Monday's announcement, as its latest version; no replacement on Wednesday.
    assert [(a.announced_at, a.paper.versioned_id, a.announce_type) for a in x] == [(at(7), "2612.00111v2", "new")]
    assert x[0].paper.comment == "v2: typos" and x[0].paper.published == submitted(4)
    assert X1.arxiv_id not in {a.paper.arxiv_id for a in report.replacements}
    days = store.announcements_between(at(7) - timedelta(seconds=1), FRIDAY)
    assert [(d.listed_on.day, d.papers) for d in days] == [(7, 2), (8, 0), (9, 0), (10, 0), (11, 1)]
    # A candidate of the Monday-to-Friday window, once.
    window = announced_papers(store, Window(date(2026, 12, 7), date(2026, 12, 11)))
    assert [p.arxiv_id for p in window].count(X1.arxiv_id) == 1


async def test_a_replacement_of_a_paper_first_announced_before_the_catch_up_stays_one(servers, store):
    for listed_on in (7, 8):  # stored before: X v1 came then
        store.add_announcements(at(listed_on), [], "oai")
    await harvester(servers, store).harvest(FRIDAY, {"cs"})
    [x] = [a for a in store.announced_between(at(8), FRIDAY) if a.paper.arxiv_id == X1.arxiv_id]
    assert (x.announced_at, x.announce_type) == (at(9), "replace")


async def test_the_listing_day_gets_its_comment_and_submission_dates_from_oai(servers, store):
    listing, oai = servers
    for listed_on in (7, 8, 9, 10):
        store.add_announcements(at(listed_on), [], "oai")
    report = await harvester(servers, store).harvest(FRIDAY, {"cs"})
    assert report.announcements == [at(11)] and report.requests == 2
    assert [(r.params.get("set"), r.params.get("from"), r.params.get("until")) for r in oai.requests] == [
        ("cs", "2026-12-11", "2026-12-11")
    ]
    [p] = store.announced_between(at(10), FRIDAY)
    assert (p.paper.versioned_id, p.announce_type, p.paper.comment) == ("2612.00333v2", "replace", P.comment)
    assert (p.paper.published, p.paper.updated) == (P.first_submitted, submitted(10))


async def test_oai_down_keeps_the_listing_data(servers, store):
    listing, oai = servers
    for listed_on in (7, 8, 9, 10):
        store.add_announcements(at(listed_on), [], "oai")
    oai.script([("status", 503, {"Retry-After": "0"})] * 2)  # both attempts
    report = await harvester(servers, store).harvest(FRIDAY, {"cs"})
    assert report.announcements == [at(11)] and len(oai.requests) == 2
    [p] = store.announced_between(at(10), FRIDAY)
    assert p.paper.comment is None and p.paper.published.date() == date(2026, 12, 11)  # the listing's date
