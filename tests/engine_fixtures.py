"""Builders shared by the engine, CLI and benchmark tests: real clients, loopback fakes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from digest.arxiv.fulltext import FullTextFetcher
from digest.llm.client import LLMClient
from digest.models import HEADER, Card, Digest, Window
from digest.engine import Engine
from digest.arxiv.source import ArxivSource
from digest.store import Store
from digest.cards.extractive import ExtractiveSummarizer
from digest.cards.summarize import LLMSummarizer

WEEK = Window(date(2024, 4, 19), date(2024, 4, 25), "UTC")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = datetime(2024, 4, 26, 9, tzinfo=timezone.utc)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def arxiv_source(url: str, **overrides: float) -> ArxivSource:
    options = dict(min_interval=0.0, page_size=100, max_candidates=300, retries=2, backoff=0.01, timeout=5.0)
    return ArxivSource(api_url=url, **{**options, **overrides})


def fulltext_fetcher(html_url: str, pdf_url: str) -> FullTextFetcher:
    """The composition root's full-text fetcher, pointed at a loopback server, without arXiv's spacing."""
    return FullTextFetcher(html_url, pdf_url, min_interval=0.0, retries=0, backoff=0.01, timeout=2.0)


def llm_client(base_url: str, concurrency: int = 4) -> LLMClient:
    return LLMClient(model="fake-model", api_key="sk-test-secret", base_url=base_url, timeout=5.0, max_retries=2, concurrency=concurrency)


def make_engine(
    arxiv_url: str, store: Store, llm_url: str | None = None, clock: Clock | None = None, concurrency: int = 4
) -> Engine:
    summarizer = LLMSummarizer(llm_client(llm_url, concurrency)) if llm_url else ExtractiveSummarizer()
    return Engine(arxiv_source(arxiv_url), store, summarizer, clock=clock or Clock())


def delivered_digest(store: Store, key: str) -> Digest:
    """Run ``key``'s digest as its ledger recorded it (every card's text is written by now)."""
    run = store.get_run(key)
    assert run is not None
    rows = [row for row in store.deliveries(key) if row.position != HEADER]
    papers = store.get_papers((row.arxiv_id, row.version) for row in rows)
    cards = tuple(Card(papers[row.arxiv_id, row.version], row.text, row.position, row.score) for row in rows if row.text)
    overview = store.overview_of(key)
    return Digest(run.topic, run.window, run.language, cards, candidates=run.candidates,
                  overview=overview.sentences if overview else ())
