"""The two main flows read through what docs/ARCHITECTURE.md says they do, and no more.

A flow *reads through* a unit when, during the flow, code of that unit calls code of
another unit: a reader following the flow has to open it. Units that are only called
(models, text tables, key formats, the store's row helpers) are used, not read through.
A unit is a module of ``bot/`` or of ``digest/``'s top level, or a folder as a whole
(``digest/``'s stages, ``bot/``'s platform adapters): a folder is read at its entry, and
what it does beneath is its own business. The flows run for real, against
the loopback fakes, under a profiler that records each call crossing units.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from bot.gate import PostGate
from bot.scheduler import DigestScheduler
from config.settings import SchedulerSettings
from digest.arxiv.harvest import Harvester
from digest.arxiv.http import ArxivHttp
from digest.delivery.deliverer import Deliverer
from digest.models import ChannelRef

from tests.engine_fixtures import WEEK, Clock, llm_client, make_engine
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.arxiv_days import Day, FakePaper
from tests.fakes.arxiv_listing import ListingServer
from tests.fakes.arxiv_oai import OaiServer
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.qa_model import reader
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import app_mention, event_callback
from tests.scheduler_fixtures import D1, DAYS, START, papers, subscribe
from tests.slack_fixtures import CHANNEL, SECRET, port_for, world as slack_world

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
STAGES = {"arxiv", "cards", "delivery", "llm", "qa", "ratelimit", "store", "text"}
# Issue 12's bound: half the modules a review counted the flows passing through before
# the restructuring (25 for the tick, 27 for a thread question).
LIMITS = {"tick": 12, "thread question": 13}


def unit(filename: str) -> str | None:
    """The unit a source file belongs to; None outside the product (tests, libraries, the demo)."""
    try:
        parts = Path(filename).resolve().relative_to(ROOT).parts
    except ValueError:
        return None
    if parts[0] == "bot" and parts[1] != "demo":
        return f"bot/{parts[1]}/" if len(parts) > 2 else "/".join(parts)
    if parts[0] == "digest":
        return f"digest/{parts[1]}/" if parts[1] in STAGES and len(parts) > 2 else "/".join(parts)
    return None


class ReadThrough:
    """The units whose code calls another unit's code while ``recording`` (every thread).

    Installed before the world is built: ``threading.setprofile`` reaches only threads
    started after it (the loop's executor threads are started on first use).
    """

    def __init__(self) -> None:
        self.units: set[str] = set()
        self.on = False

    def _profile(self, frame, event, _arg):
        if self.on and event == "call" and frame.f_back is not None:
            callee, caller = unit(frame.f_code.co_filename), unit(frame.f_back.f_code.co_filename)
            if callee and caller and callee != caller:
                self.units.add(caller)

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        self.on = True
        try:
            yield self.units
        finally:
            self.on = False


@pytest.fixture
def read_through() -> Iterator[ReadThrough]:
    tracer = ReadThrough()
    sys.setprofile(tracer._profile)
    threading.setprofile(tracer._profile)
    try:
        yield tracer
    finally:
        sys.setprofile(None)
        threading.setprofile(None)


def documented(flow: str) -> set[str]:
    """The units docs/ARCHITECTURE.md lists after "Reads through" in the flow's section."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    sections = re.finditer(r"^Reads through \(([a-z ]+): (\d+) units\):\n((?:(?:- |  ).*\n)+)", text, re.M)
    found = {m.group(1): m for m in sections}
    assert flow in found, f"docs/ARCHITECTURE.md lists no 'Reads through ({flow}: N units):'"
    lines = found[flow].group(3).splitlines()
    listed = {re.match(r"- `([^`]+)`", line).group(1) for line in lines if line.startswith("- ")}
    assert int(found[flow].group(2)) == len(listed), f"the {flow}'s count in docs/ARCHITECTURE.md is off"
    return listed


@pytest.fixture(scope="module")
def arxiv():
    with ArxivFeedServer(papers(START, DAYS)) as server:
        yield server


def announced_on_d1() -> list[Day]:
    """Three papers on the tests' topic in D1's listing (Monday's: Sunday evening's announcement)."""
    submitted = D1 - timedelta(days=3)
    return [Day(D1.date(), tuple(FakePaper(f"2611.2000{n}", f"Synthetic data study {n}", ("cs.CL",), submitted=submitted)
                                  for n in range(3)))]  # fmt: skip


@pytest.mark.parametrize("harvest", [False, True], ids=["searched", "harvested"])
async def test_the_tick_reads_through_what_the_architecture_lists(store, arxiv, read_through, harvest):
    now = D1 + timedelta(minutes=1)
    with FakeOpenAI() as llm, FakeSlackAPI() as slack, ListingServer(announced_on_d1(), now) as listing, \
            OaiServer(announced_on_d1(), now) as oai:  # fmt: skip
        sub = subscribe(store, ChannelRef("slack", slack.team_id, "C1"), max_papers=3)
        gate = PostGate()
        engine = make_engine(arxiv.url, store, llm.base_url, Clock(now))
        harvester = None
        if harvest:  # the bot's tick: the harvest first, candidates from the store
            http = ArxivHttp(min_interval=0.0, retries=1, backoff=0.01, timeout=2.0)
            harvester = Harvester(listing.base, oai.url, http, store, horizon_days=30)
            engine.horizon = timedelta(days=30)
        deliverer = Deliverer(engine, store, gate.wrap({"slack": port_for(slack)}))
        scheduler = DigestScheduler(store, deliverer, SchedulerSettings(), Clock(now), harvester=harvester)
        searches = len(arxiv.requests)
        with read_through.recording() as units:
            [run] = await scheduler.tick.fire_many([sub.id])
        await engine.aclose()
        posted = slack.messages("C1")
    assert run.state == "done" and llm.count > 0 and len(posted) == 4  # fetched, LLM cards, posted to Slack
    assert (len(arxiv.requests) == searches) == harvest and bool(listing.requests) == harvest
    units.add("bot/scheduler.py")  # the APScheduler job that calls Tick.fire_many
    assert units == documented("tick")
    assert len(units) <= LIMITS["tick"]


def answered(w, card: str) -> list[dict]:
    """The card's thread replies once the answer is in (a slow one replaces a placeholder)."""
    replies = [m for m in w.slack.messages("C0CHAN") if m.get("thread_ts") == card and m["ts"] != card]
    return [m for m in replies if "Reading the paper" not in m["text"]]


async def test_a_thread_question_reads_through_what_the_architecture_lists(tmp_path, read_through):
    with FakeOpenAI(responder=reader) as fake:
        llm = llm_client(fake.base_url)
        with slack_world(tmp_path, papers=1, llm=llm) as w:
            sub = w.store.add_subscription(
                CHANNEL, "synthetic data", weekday=0, at=D1.time(), tz="UTC", language="en", max_papers=1,
                created_by="U1",
            )
            await w.deliverer.run(sub, WEEK, "k1")
            [_, card] = [row.message_id for row in w.store.deliveries("k1")]
            asked = fake.count
            with read_through.recording() as units:
                await w.dispatch(event_callback(SECRET, app_mention("which corpus?", thread_ts=card, channel="C0CHAN")))
                await w.slack.until(lambda: answered(w, card), timeout=20)
        await llm.aclose()
    assert fake.count > asked  # the answer was written by the model, not quoted
    assert units == documented("thread question")
    assert len(units) <= LIMITS["thread question"]
