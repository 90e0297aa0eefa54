"""A partial answer is not a lost week: arXiv reports more results than it delivers (a later
page stays empty however often it is asked for), and the digest is planned with what
arrived, the shortfall said in its header (the reader's language) and in `digest-bot status`."""

from __future__ import annotations

import json
from datetime import time

import pytest
from typer.testing import CliRunner

from bot.__main__ import app
from digest.arxiv.source import ArxivUnavailable
from digest.cards.extractive import ExtractiveSummarizer
from digest.delivery.deliverer import Deliverer
from digest.engine import Engine
from digest.i18n import label
from digest.models import ChannelRef
from digest.store import open_store
from tests.engine_fixtures import WEEK, Clock, arxiv_source
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_fixtures import NOW, port_for, week

CHANNEL = ChannelRef("slack", "T0TEAM", "C1")
CUT_SHORT = [("ok",), ("empty",), ("empty",), ("empty",)]  # page 2 never comes (retries=2: 3 tries)


@pytest.fixture
def world(tmp_path):
    """12 papers served 5 a page; a store, an engine and a Deliverer posting through Slack."""
    with FakeSlackAPI() as slack, ArxivFeedServer(week(12)) as arxiv:
        url = f"sqlite:///{tmp_path / 'shortfall.db'}"
        store = open_store(url)
        engine = Engine(arxiv_source(arxiv.url, page_size=5), store, ExtractiveSummarizer(), clock=Clock(NOW))
        yield url, store, arxiv, slack, Deliverer(engine, store, {"slack": port_for(slack)})
        store.close()


def subscribe(store, language="ja"):
    return store.add_subscription(
        CHANNEL, "synthetic data", weekday=0, at=time(9), tz="UTC", language=language, max_papers=3, created_by="U1"
    )


async def test_a_page_that_stays_empty_plans_the_digest_with_what_arrived_and_says_so(world):
    url, store, arxiv, slack, deliverer = world
    sub = subscribe(store, language="ja")
    arxiv.script(CUT_SHORT)
    run = await deliverer.run(sub, WEEK, "k1")

    assert run.state == "done" and (run.candidates, run.missing) == (5, 7)  # 5 of the 12 arXiv reported
    assert store.get_run("k1").missing == 7  # kept with the run: a take-over posts the same header
    header, *cards = slack.messages("C1")
    assert len(cards) == 3
    note = label("ja", "arxiv_short", got=5, total=12)
    assert note == "arXivは12件中5件しか返しませんでした（残りは届きませんでした）"
    assert note in json.dumps(header["blocks"], ensure_ascii=False)  # in the reader's language

    result = CliRunner().invoke(
        app, ["status"], catch_exceptions=False,
        env={"DIGEST_CONFIG_FILE": None, "DIGEST_DATABASE_URL": url, "SLACK_BOT_TOKEN": None,
             "SLACK_APP_TOKEN": None, "DISCORD_TOKEN": None, "COLUMNS": "300"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "done; arXiv returned 5 of 12 results (the rest never came)" in " ".join(result.stdout.split())


async def test_a_whole_answer_says_nothing(world):
    _, store, _, slack, deliverer = world
    run = await deliverer.run(subscribe(store, language="en"), WEEK, "k1")
    assert (run.candidates, run.missing) == (12, 0)
    assert "arXiv returned" not in json.dumps(slack.messages("C1")[0]["blocks"])


async def test_a_source_failing_whole_still_fails_the_digest(world):
    _, store, arxiv, slack, deliverer = world
    arxiv.script([("status", 503)] * 3)
    with pytest.raises(ArxivUnavailable, match="HTTP 503"):
        await deliverer.plan(subscribe(store), WEEK, "k1")
    assert store.get_run("k1") is None and slack.messages("C1") == []


async def test_an_empty_first_page_still_fails_the_digest(world):
    _, store, arxiv, _, deliverer = world
    arxiv.script([("empty",)] * 3)  # nothing arrived at all: not a week without papers
    with pytest.raises(ArxivUnavailable, match="empty page"):
        await deliverer.plan(subscribe(store), WEEK, "k1")


async def test_a_cut_short_answer_is_asked_again_rather_than_read_back_whole(world):
    _, store, arxiv, _, deliverer = world
    arxiv.script(CUT_SHORT)
    digest = await deliverer.engine.build("synthetic data", WEEK, language="en", max_papers=3, bullets=2)
    assert digest.candidates == 5 and "arXiv returned 5 of 12 results (the rest never came)" in digest.notes
    # Another process (a restart) has only the store: the short answer is not there.
    again = Engine(arxiv_source(arxiv.url, page_size=5), store, ExtractiveSummarizer(), clock=Clock(NOW))
    requests = len(arxiv.requests)
    whole = await again.build("synthetic data", WEEK, language="en", max_papers=3, bullets=2)
    assert len(arxiv.requests) > requests and whole.candidates == 12 and whole.notes == ()
