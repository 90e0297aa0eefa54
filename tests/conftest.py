"""Shared pytest fixtures."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from digest.llm.client import LLMClient
from digest.store import Store, open_store
from digest.cards.summarize import LLMSummarizer
from tests.fakes.openai_server import FakeOpenAI
from tests.pg_schema import PG_DSN, fresh_schema


class _DroppedPortSessions(logging.Filter):
    """Drops aiohttp's "Unclosed client session" / "Unclosed connector" records. A
    ``SlackPort`` keeps one aiohttp session alive (``bot/slack/port.py``); many tests build
    a port and drop it with their event loop, and the garbage collector may report it
    during a later test, among the records that test asserts hold no ERROR. The product
    closes its ports (``bot/app.py release``); tests of that close them and check it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("Unclosed client session", "Unclosed connector"))


logging.getLogger("asyncio").addFilter(_DroppedPortSessions())


@pytest.fixture
def pg_admin() -> Iterator[object]:
    """An autocommit psycopg connection to the test server (user postgres, database test).

    Skipped with the reason when the server cannot be reached, unless
    DIGEST_REQUIRE_POSTGRES=1 (CI), where that is a failure.
    """
    try:
        import psycopg

        conn = psycopg.connect(PG_DSN, autocommit=True)
    except Exception as exc:  # ImportError, OperationalError: both mean "no postgres here"
        reason = f"PostgreSQL at 127.0.0.1:5432 (database test) is unreachable: {exc}"
        if os.environ.get("DIGEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"DIGEST_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    with conn:
        yield conn


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for the store: a fresh SQLite file, or a fresh PostgreSQL schema.

    PostgreSQL is the server on 127.0.0.1:5432 (user postgres, database ``test``);
    each test gets its own schema, dropped afterwards. When the server cannot be
    reached the test is skipped, unless DIGEST_REQUIRE_POSTGRES=1 (CI), then it fails.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return

    with fresh_schema(request.getfixturevalue("pg_admin"), "t") as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An opened store on each backend of ``store_url``, closed afterwards."""
    opened = open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture
async def summarizer() -> AsyncIterator[Callable[..., LLMSummarizer]]:
    """Builds summarisers on a fake server and closes their clients after the test."""
    made: list[LLMClient] = []

    def make(server: FakeOpenAI, **kwargs: object) -> LLMSummarizer:
        options: dict = {"model": "fake-model", "base_url": server.base_url, "timeout": 2.0, "max_retries": 1, "backoff": 0.05}
        options.update(kwargs)
        made.append(LLMClient(**options))
        return LLMSummarizer(made[-1])

    yield make
    for llm in made:
        await llm.aclose()


@pytest.fixture(autouse=True)
def in_process_arxiv_gate():
    """Each test starts with arXiv's gate in this process: a test that built a bot on
    PostgreSQL without closing it must not leave the next one pacing through its pacer."""
    yield
    from digest.ratelimit.pacing import use_process_pacer

    use_process_pacer(None)
