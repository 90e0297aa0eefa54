"""The engine end to end: real arXiv and OpenAI clients against loopback fakes, a real store."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from digest.models import Window

from digest.arxiv.source import ArxivUnavailable
from digest.store import open_store
from digest.arxiv.topic_parser import TopicError
from tests.engine_fixtures import WEEK, Clock
from tests.engine_fixtures import make_engine as build_engine
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def arxiv():
    with ArxivFeedServer(WEEK_XML) as server:
        yield server


@pytest.fixture
def llm():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def make_engine():
    """Engines built by a test, their LLM connections closed on its loop afterwards."""
    engines = []

    def make(*args, **kwargs):
        engines.append(build_engine(*args, **kwargs))
        return engines[-1]

    yield make
    for engine in engines:
        await engine.aclose()


@pytest.fixture
def store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'digest.db'}")
    yield store
    store.close()


async def build(engine, topic="synthetic data", **kw):
    options = dict(language="ja", max_papers=5, bullets=4)
    return await engine.build(topic, WEEK, **{**options, **kw})


async def test_a_week_becomes_ranked_japanese_llm_cards(arxiv, llm, store, make_engine):
    engine = make_engine(arxiv.url, store, llm.base_url)
    digest = await build(engine)
    assert digest.candidates == 8 and len(digest.cards) == 5
    assert [c.rank for c in digest.cards] == [1, 2, 3, 4, 5]
    scores = [c.score for c in digest.cards]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    for card in digest.cards:
        assert card.text.summarizer == "llm:fake-model"
        assert len(card.text.bullets) == 4 and card.text.language == "ja"
    assert llm.count == 5  # one call per paper
    query = arxiv.requests[0].params["search_query"]
    assert "submittedDate:[202404190000 TO 202404252359]" in query and "synthetic" in query


async def test_rerun_within_a_day_asks_neither_arxiv_nor_the_llm(arxiv, llm, store, make_engine):
    clock = Clock()
    first = await build(make_engine(arxiv.url, store, llm.base_url, clock))
    requests, calls = len(arxiv.requests), llm.count
    clock.advance(hours=23)
    again = await build(make_engine(arxiv.url, store, llm.base_url, clock))
    assert (len(arxiv.requests), llm.count) == (requests, calls)
    assert [c.paper.arxiv_id for c in again.cards] == [c.paper.arxiv_id for c in first.cards]
    assert [c.text for c in again.cards] == [c.text for c in first.cards]


async def test_after_a_day_arxiv_is_asked_again_but_cards_come_from_the_store(arxiv, llm, store, make_engine):
    clock = Clock()
    await build(make_engine(arxiv.url, store, llm.base_url, clock))
    requests, calls = len(arxiv.requests), llm.count
    clock.advance(hours=25)
    await build(make_engine(arxiv.url, store, llm.base_url, clock))
    assert len(arxiv.requests) == requests + 1 and llm.count == calls


async def test_concurrent_digests_of_one_topic_share_fetch_and_summaries(arxiv, llm, store, make_engine):
    engine = make_engine(arxiv.url, store, llm.base_url)
    digests = await asyncio.gather(*(build(engine) for _ in range(5)))
    assert len(arxiv.requests) == 1
    assert llm.count == 5  # 5 unique papers, not 25
    assert len({tuple(c.text for c in d.cards) for d in digests}) == 1


async def test_another_language_or_bullet_count_is_a_new_card(arxiv, llm, store, make_engine):
    engine = make_engine(arxiv.url, store, llm.base_url)
    await build(engine, max_papers=2)
    await build(engine, max_papers=2, language="en")
    await build(engine, max_papers=2, bullets=3)
    assert llm.count == 6


async def test_a_paper_whose_llm_answers_are_junk_is_kept_as_an_extractive_card(arxiv, llm, store, make_engine):
    engine = make_engine(arxiv.url, store, llm.base_url)
    first = await build(engine, max_papers=3)
    llm.junk_for = {first.cards[1].paper.title}
    with store.engine.begin() as conn:  # forget the cards, keep arXiv's answer
        conn.exec_driver_sql("DELETE FROM cards")
    engine = make_engine(arxiv.url, store, llm.base_url)  # a new process: nothing held in memory
    digest = await build(engine, max_papers=3)
    assert [c.text.summarizer for c in digest.cards] == ["llm:fake-model", "extractive:llm-failed", "llm:fake-model"]
    assert digest.cards[1].paper == first.cards[1].paper  # kept, in its place
    assert digest.notes == ("1 card(s) fell back to an extractive summary",)
    # The fallback was not cached: the next run asks the LLM again for that paper only.
    llm.junk_for = set()
    calls = llm.count
    again = await build(engine, max_papers=3)
    assert llm.count == calls + 1
    assert all(c.text.summarizer == "llm:fake-model" for c in again.cards)


async def test_without_an_llm_cards_are_extractive(arxiv, store, make_engine):
    digest = await build(make_engine(arxiv.url, store), max_papers=8)
    assert len(digest.cards) == 8
    assert {c.text.summarizer for c in digest.cards} == {"extractive"}
    assert all(c.text.bullets and c.text.comment == "" for c in digest.cards)


async def test_an_invalid_topic_fails_before_any_request(arxiv, store, make_engine):
    with pytest.raises(TopicError):
        await build(make_engine(arxiv.url, store), topic="cat:cs.CL AND")
    assert arxiv.requests == []


async def test_an_arxiv_outage_is_an_error_not_an_empty_week_and_is_not_cached(arxiv, store, make_engine):
    engine = make_engine(arxiv.url, store)
    arxiv.script([("status", 503)] * 3)
    with pytest.raises(ArxivUnavailable):
        await build(engine)
    digest = await build(engine)  # the server is back: nothing stale was stored
    assert digest.candidates == 8


async def test_a_week_with_no_papers_is_an_empty_digest(arxiv, store, make_engine):
    engine = make_engine(arxiv.url, store)
    digest = await engine.build("synthetic data", Window(date(2030, 1, 1), date(2030, 1, 7)), language="en", max_papers=5, bullets=4)
    assert digest.cards == () and digest.candidates == 0
