"""Digests planned from the harvest: the tick harvests once, each digest is what arXiv
announced since the last one, and the per-topic search is only the fallback.

A scripted fortnight of announcements (listing dates, from a Monday ``M`` two weeks
ahead of the wall clock, since subscriptions are created by it): Mon to Wed announce,
Thursday is a holiday, Friday announces, the weekend none; the next Mon to Wed again.
Papers: new ones, a cross-list into cs.CL, replacements of an old paper and of one of
the first Monday's, and papers outside the topics. Subscriptions due Monday 09:00 UTC,
Wednesday 09:00 UTC and Friday 09:00 Tokyo (00:00 UTC, before that Friday's listing).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import WeeklySchedule
from bot.scheduler import DigestScheduler
from bot.tick import HARVEST_PAUSE
from config.settings import SchedulerSettings
from digest.arxiv.calendar import instant_of_listing
from digest.arxiv.harvest import Harvester
from digest.arxiv.http import ArxivHttp
from digest.cards.view import header_view
from digest.delivery.deliverer import Deliverer
from digest.delivery.versions import VersionNotes
from digest.models import ChannelRef, Digest, MessageRef
from digest.store import Store
from tests.engine_fixtures import make_engine
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.arxiv_days import Day, FakePaper
from tests.fakes.arxiv_listing import ListingServer
from tests.fakes.arxiv_oai import OaiServer
from tests.fakes.recording_chat import RecordingChat
from tests.scheduler_fixtures import papers as api_papers, subscribe

UTC = timezone.utc
_today = datetime.now(UTC).date() + timedelta(days=14)
M = _today + timedelta(days=(7 - _today.weekday()) % 7)  # a Monday listing date
OLD = datetime.combine(M - timedelta(days=90), time(12), UTC)


def day(n: int) -> date:
    return M + timedelta(days=n)


def paper(arxiv_id: str, title: str, categories: tuple[str, ...], listed: int, **kw) -> FakePaper:
    """A paper version listed on ``day(listed)``, submitted the working day before."""
    submitted = datetime.combine(day(listed) - timedelta(days=3 if day(listed).weekday() == 0 else 1), time(16), UTC)
    return FakePaper(arxiv_id, title, categories, submitted=submitted, **kw)


A1 = paper("2701.00001", "Synthetic data for translation", ("cs.CL",), 0)
X1 = paper("2701.00002", "Synthetic data in lattice QCD", ("hep-lat",), 0)
N1 = paper("2701.00003", "Sparse regression", ("math.ST",), 0)
C1 = paper("2701.00011", "Synthetic data for classifiers", ("stat.ML", "cs.CL"), 1)  # cross-listed into cs.CL
R1 = paper("2610.00021", "A survey of synthetic data", ("cs.CL",), 1, version=2, comment="accepted at ICML",
           first_submitted=OLD)  # a replacement: never a new card
A2 = paper("2701.00031", "Parsing with synthetic data", ("cs.CL",), 2)
F1 = paper("2701.00041", "Synthetic data at scale", ("cs.CL",), 4)
G1 = paper("2701.00051", "Synthetic data, again", ("cs.CL",), 7)
A1v2 = paper("2701.00001", "Synthetic data for translation", ("cs.CL",), 7, version=2, comment="camera-ready",
             first_submitted=A1.submitted)
H1 = paper("2701.00061", "Dialogue from synthetic data", ("cs.CL",), 8)
I1 = paper("2701.00071", "Tokenizers", ("cs.CL",), 9)
DAYS = [
    Day(day(0), (A1, X1, N1)),
    Day(day(1), (C1, R1)),
    Day(day(2), (A2,)),
    # Thursday: a holiday, nothing announced
    Day(day(4), (F1,)),
    Day(day(7), (G1, A1v2)),
    Day(day(8), (H1,)),
    Day(day(9), (I1,)),
]
MONDAY = WeeklySchedule(0, time(9), "UTC")
WEDNESDAY = WeeklySchedule(2, time(9), "UTC")
FRIDAY_TOKYO = WeeklySchedule(4, time(9), "Asia/Tokyo")
WEDNESDAY_15, WEDNESDAY_18 = WeeklySchedule(2, time(15), "UTC"), WeeklySchedule(2, time(18), "UTC")
CM, CW, CF = (ChannelRef("recording", "T1", c) for c in ("CM", "CW", "CF"))


def due(schedule: WeeklySchedule, on: int) -> datetime:
    return datetime.combine(day(on), schedule.time, ZoneInfo(schedule.tz)).astimezone(UTC)


class HeaderChat(RecordingChat):
    """The recording chat, keeping each header's announcement days as the reader sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.days: dict[str, list[str]] = {}

    async def post_header(self, channel: ChannelRef, digest: Digest, key: str) -> MessageRef:
        self.days.setdefault(channel.channel_id, []).append(header_view(digest).days)
        return await super().post_header(channel, digest, key)


class Bot:
    """One bot process whose clock also moves arXiv's (the listing, OAI-PMH)."""

    def __init__(self, store: Store, listing: ListingServer, oai: OaiServer, api: ArxivFeedServer, horizon: int = 30):
        self.servers, self.now = (listing, oai), datetime.combine(day(-5), time(12), UTC)
        self.chat = HeaderChat()
        http = ArxivHttp(min_interval=0.0, retries=1, backoff=0.01, timeout=2.0)
        self.harvester = Harvester(listing.base, oai.url, http, store, horizon_days=horizon)
        self.engine = make_engine(api.url, store, clock=self.clock)
        self.engine.horizon = timedelta(days=horizon)
        deliverer = Deliverer(self.engine, store, {"recording": self.chat})
        self.scheduler = DigestScheduler(store, deliverer, SchedulerSettings(), self.clock, harvester=self.harvester)

    def clock(self) -> datetime:
        return self.now

    def move(self, now: datetime) -> None:
        self.now = now
        for server in self.servers:
            server.now = now

    async def at(self, now: datetime) -> list[str]:
        """Move every clock to ``now`` and fire what is owed; the runs' keys."""
        self.move(now)
        return [run.key for run in await self.scheduler.tick.catch_up()]


def cards(chat: RecordingChat, channel: ChannelRef) -> list[list[str]]:
    """The card ids of each digest posted in ``channel``, digest by digest."""
    digests: list[list[str]] = []
    for posted in chat.posted(channel):
        if posted.kind == "header":
            digests.append([])
        elif posted.kind == "card":
            digests[-1].append(posted.text)
    return digests


def announced(first: int, last: int) -> str:
    """The header's line for listing days ``first`` to ``last``, as the tests expect it."""
    names = "Mon Tue Wed Thu Fri Sat Sun".split()
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

    def one(d: date) -> str:
        return f"{names[d.weekday()]} {d.day} {months[d.month - 1]}"

    span = one(day(first)) if first == last else f"{one(day(first))} – {one(day(last))}"
    return f"Announcements of {span}"


@pytest.fixture
def arxiv() -> Iterator[tuple[ListingServer, OaiServer, ArxivFeedServer]]:
    start = datetime.combine(day(-7), time(0), UTC)
    with ListingServer(DAYS, start) as listing, OaiServer(DAYS, start) as oai, \
            ArxivFeedServer(api_papers(start, 21)) as api:  # fmt: skip
        oai.page_size = 3
        yield listing, oai, api


def ids(*versions: FakePaper) -> list[str]:
    return sorted(p.arxiv_id for p in versions)


async def test_a_fortnight_of_digests_holds_exactly_what_was_announced_since_the_last(store, arxiv):
    listing, oai, api = arxiv
    bot = Bot(store, listing, oai, api)
    subscribe(store, CM, topic="synthetic data", schedule=MONDAY)
    subscribe(store, CW, topic="cat:cs.CL", schedule=WEDNESDAY)
    subscribe(store, CF, topic="synthetic data", schedule=FRIDAY_TOKYO)

    steps = sorted([due(FRIDAY_TOKYO, -3), due(MONDAY, 0), due(WEDNESDAY, 2), due(FRIDAY_TOKYO, 4),
                    due(MONDAY, 7), due(WEDNESDAY, 9), due(FRIDAY_TOKYO, 11)])  # fmt: skip
    for step in steps:
        assert len(await bot.at(step)) == 1  # one digest due at each step
        assert await bot.at(step + timedelta(hours=1)) == []  # and nothing twice
    got = {c.channel_id: [sorted(d) for d in cards(bot.chat, c)] for c in (CM, CW, CF)}

    # Monday: the Monday listing; then Tue to Mon (the holiday and weekend had none).
    assert got["CM"] == [ids(A1, X1), ids(C1, A2, F1, G1)]
    assert bot.chat.days["CM"] == [announced(0, 0), announced(1, 7)]
    # cat:cs.CL: the cross-list in, hep-lat and math out; Mon to Wed, then Fri to Wed.
    assert got["CW"] == [ids(A1, C1, A2), ids(F1, G1, H1, I1)]
    assert bot.chat.days["CW"] == [announced(0, 2), announced(4, 9)]
    # Friday 09:00 Tokyo is before Friday's listing: nothing the first week (none
    # announced yet: an empty digest posts nothing), Mon to Wed (Thursday a holiday),
    # then Fri to Wed.
    assert got["CF"] == [ids(A1, X1, C1, A2), ids(F1, G1, H1)]
    assert bot.chat.days["CF"] == [announced(0, 2), announced(4, 9)]

    # Replacements (R1 v2, A1 v2) are never cards; nothing is posted twice in a channel.
    for channel in got.values():
        flat = [i for d in channel for i in d]
        assert R1.arxiv_id not in flat and len(flat) == len(set(flat))
    assert api.requests == []  # every window lay within the harvest: no per-topic search


async def test_a_fresh_install_catches_up_then_plans_from_the_store(store, arxiv):
    listing, oai, api = arxiv
    bot = Bot(store, listing, oai, api, horizon=7)
    subscribe(store, CW, topic="synthetic data", schedule=WEDNESDAY)

    assert len(await bot.at(due(WEDNESDAY, 2))) == 1
    # The days before Wednesday from OAI-PMH, Wednesday's from the listing.
    sources = {a.listed_on: a.source for a in store.announcements_between(due(WEDNESDAY, -5), bot.now)}
    assert sources[day(0)] == sources[day(1)] == "oai" and sources[day(2)] == "listing"
    assert oai.requests and len(listing.requests) == 1
    assert [sorted(d) for d in cards(bot.chat, CW)] == [ids(A1, X1, C1, A2)]
    assert bot.chat.days["CW"] == [announced(0, 2)]
    assert api.requests == []


async def test_with_the_harvest_down_the_per_topic_search_still_delivers(store, arxiv):
    listing, oai, api = arxiv
    bot = Bot(store, listing, oai, api)
    subscribe(store, CM, topic="synthetic data", schedule=MONDAY)
    for server in (listing, oai):
        server.script([("status", 503, {"Retry-After": "0"})] * 20)

    assert len(await bot.at(due(MONDAY, 0))) == 1
    assert store.announcements_between(due(MONDAY, -9), bot.now) == []  # nothing harvested
    assert len(api.requests) == 1  # the search served the window instead
    [posted] = cards(bot.chat, CM)
    assert posted  # the API fake's papers of the week
    assert bot.chat.days["CM"] == [""]  # a searched digest keeps the window's dates alone
    # Batches meanwhile plan at once instead of waiting for arXiv's retries again; the
    # harvest is tried again after a pause.
    asked = len(listing.requests) + len(oai.requests)
    bot.move(bot.now + timedelta(minutes=5))
    assert await bot.scheduler.tick.harvest(bot.now) is None and len(listing.requests) + len(oai.requests) == asked
    bot.move(bot.now + HARVEST_PAUSE)
    assert await bot.scheduler.tick.harvest(bot.now) is None and len(listing.requests) + len(oai.requests) > asked


@pytest.mark.parametrize("topics", [1, 50])
async def test_requests_per_day_do_not_grow_with_topics(store, arxiv, topics):
    listing, oai, api = arxiv
    bot = Bot(store, listing, oai, api)
    for n in range(topics):
        subscribe(store, ChannelRef("recording", "T1", f"C{n}"), topic=f"synthetic data topic{n}", schedule=MONDAY)

    assert len(await bot.at(due(MONDAY, 0))) == topics
    # One listing request for Monday's announcement, one OAI-PMH ListRecords (all sets:
    # free text) enriching it and one for the horizon's days before it: the same for 1
    # topic and for 50.
    assert (len(listing.requests), len(oai.requests)) == (1, 2)
    assert api.requests == []  # and no search per topic
    # The next day: only the new announcement, one listing request and its enrichment.
    bot.move(due(MONDAY, 1))
    report = await bot.scheduler.tick.harvest(bot.now)
    assert report is not None and report.requests == 2 and report.announcements == [instant_of_listing(day(1))]


@pytest.mark.parametrize("language, expected", [
    ("en", "Announcements of Mon 23 Nov – Fri 27 Nov"),
    ("ja", "11月23日(月)〜11月27日(金)の公開分"),
    ("de", "Ankündigungen vom Mo. 23. Nov. bis Fr. 27. Nov."),
])  # fmt: skip
def test_the_header_names_the_announcement_days_on_every_platform(language, expected):
    from bot.discord.embeds import header_text
    from bot.slack.blocks import header_blocks
    from digest.cards.render import digest_markdown
    from digest.models import Window

    window = Window(date(2026, 11, 20), date(2026, 11, 30), "UTC")
    announced_days = (date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 27))  # Thursday a holiday
    digest = Digest("synthetic data", window, language, (), candidates=0, announced=announced_days)
    assert header_view(digest).days == expected
    blocks, text = header_blocks(digest)
    assert expected in str(blocks) and expected in text
    assert expected in header_text(digest) and expected in digest_markdown(digest)
    searched = Digest("synthetic data", window, language, (), candidates=0)  # per-topic search: as before
    assert header_view(searched).days == "" and "Announce" not in header_text(searched)


async def test_a_new_version_of_a_posted_paper_is_noted_in_its_card_s_thread_by_the_tick(store, arxiv):
    listing, oai, api = arxiv
    bot = Bot(store, listing, oai, api)
    bot.scheduler.tick.versions = VersionNotes(store, {"recording": bot.chat})
    subscribe(store, CM, topic="synthetic data", schedule=MONDAY)
    await bot.at(due(MONDAY, 0) + timedelta(minutes=1))
    [first] = cards(bot.chat, CM)
    assert A1.arxiv_id in first
    card = next(p for p in bot.chat.posted(CM) if p.kind == "card" and p.text == A1.arxiv_id)

    await bot.at(due(MONDAY, 7) + timedelta(minutes=1))  # the harvest reports A1's v2
    for _ in range(50):  # the notes go out beside the digests
        if [p for p in bot.chat.posted(CM) if p.kind == "reply"]:
            break
        await asyncio.sleep(0.02)
    [note] = [p for p in bot.chat.posted(CM) if p.kind == "reply"]
    assert note.key == f"reply:{card.message_id}" and note.text.startswith("v2, ")
    assert A1.arxiv_id not in cards(bot.chat, CM)[1]  # and never a new card


async def test_a_topic_needing_an_archive_not_harvested_before_gets_all_its_papers(store, arxiv):
    """Days harvested for cs alone, then ``cat:math.ST`` and a free-text topic subscribe:
    the harvester fetches those days again for the archives missing (math, then all), and
    each digest holds every paper of its topic, none silently missing."""
    listing, oai, api = arxiv
    bot = Bot(store, listing, oai, api)
    subscribe(store, CW, topic="cat:cs.CL", schedule=WEDNESDAY)
    assert len(await bot.at(due(WEDNESDAY, 2))) == 1
    assert {a.archives for a in store.announcements_between(due(WEDNESDAY, -5), bot.now)} == {frozenset({"cs"})}
    assert N1.arxiv_id not in {a.paper.arxiv_id for a in store.announced_between(due(WEDNESDAY, -5), bot.now)}

    subscribe(store, CM, topic="cat:math.ST", schedule=WEDNESDAY_15)
    asked = len(oai.requests)
    assert len(await bot.at(due(WEDNESDAY_15, 2))) == 1
    assert [r.params.get("set") for r in oai.requests[asked:]][:1] == ["math"]  # the archive missing, alone
    assert "cs" not in {r.params.get("set") for r in oai.requests[asked:]}
    assert [sorted(d) for d in cards(bot.chat, CM)] == [ids(N1)]
    assert bot.chat.days["CM"] == [announced(0, 2)]  # from the store, widened

    subscribe(store, CF, topic="synthetic data", schedule=WEDNESDAY_18)
    asked = len(oai.requests)
    assert len(await bot.at(due(WEDNESDAY_18, 2))) == 1
    assert [r.params.get("set") for r in oai.requests[asked:]][:1] == [None]  # every archive
    assert [sorted(d) for d in cards(bot.chat, CF)] == [ids(A1, X1, C1, A2)]  # hep-lat's X1 too
    assert {a.archives for a in store.announcements_between(due(WEDNESDAY, -5), bot.now)} == {None}
    assert api.requests == []  # the store served every digest


async def test_with_the_widening_harvest_down_the_search_serves_the_new_archive(store, arxiv):
    listing, oai, api = arxiv
    bot = Bot(store, listing, oai, api)
    subscribe(store, CW, topic="cat:cs.CL", schedule=WEDNESDAY)
    assert len(await bot.at(due(WEDNESDAY, 2))) == 1
    subscribe(store, CM, topic="cat:math.ST", schedule=WEDNESDAY_15)
    oai.script([("status", 503, {"Retry-After": "0"})] * 20)

    assert len(await bot.at(due(WEDNESDAY_15, 2))) == 1
    assert len(api.requests) == 1  # the days hold cs alone: not served from the store
    assert bot.chat.days["CM"] == [""]  # a searched digest's header


async def test_one_tick_s_headers_read_their_days_together_each_since_its_own_last_digest(store, arxiv):
    """Two channels due at once: the deliverer reads both headers' days in one go
    (``Engine.announced_days_of``), the older channel's since its last digest."""
    listing, oai, api = arxiv
    bot = Bot(store, listing, oai, api)
    subscribe(store, CM, topic="synthetic data", schedule=MONDAY)
    assert len(await bot.at(due(MONDAY, 0))) == 1
    subscribe(store, CW, topic="synthetic data", schedule=MONDAY)  # new: no digest yet
    assert len(await bot.at(due(MONDAY, 7))) == 2
    assert bot.chat.days["CM"] == [announced(0, 0), announced(1, 7)]
    assert bot.chat.days["CW"] == [announced(1, 7)]  # the whole window: Monday 0 was CM's
    runs = [(run.window, run.subscription_id) for run in store.scheduled_runs()]
    assert len(runs) == 3
    assert bot.engine.announced_days_of(runs) == [bot.engine.announced_days_of([run])[0] for run in runs]
