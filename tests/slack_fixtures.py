"""Builders shared by the Slack tests and bench: a week of papers, the port, a whole wired world.

Everything real (store, engine, Deliverer, handlers, bolt app, slack_sdk client, the
composition root's Q&A service) against the loopback fakes: only base URLs point at them. The
full-text fake has no document of the made-up papers, so questions are answered from
the abstract, as for a paper arXiv has no rendering of.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.handlers import CommandHandlers
from bot.slack.app import build_slack_app
from bot.slack.port import SlackPort, slack_client
from config.settings import DefaultsSettings, SlackSettings
from digest.delivery.deliverer import Deliverer
from digest.llm.client import LLMClient
from digest.models import ChannelRef
from digest.qa import QAService
from digest.qa.limits import QALimits
from digest.store import Store, open_store
from tests.engine_fixtures import Clock, fulltext_fetcher, make_engine
from tests.fakes.arxiv import ArxivFeedServer, synthetic_week
from tests.fakes.arxiv_fulltext import FullTextServer
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import SignedRequest

SECRET = "test-signing-secret"
NOW = datetime(2024, 4, 25, 3, 0, tzinfo=timezone.utc)  # Thursday; the window is 19-25 April
CHANNEL = ChannelRef("slack", "T0TEAM", "C0CHAN")


week = synthetic_week


def settings_for(slack: FakeSlackAPI, **overrides: Any) -> SlackSettings:
    values: dict[str, Any] = {
        "bot_token": slack.token,
        "signing_secret": SECRET,
        "api_url": slack.base_url,
        "messages_per_second": 200.0,  # tests that measure pacing set their own
    }
    return SlackSettings(**{**values, **overrides})


def port_for(slack: FakeSlackAPI, messages_per_second: float = 200.0) -> SlackPort:
    return SlackPort(slack_client(settings_for(slack)), messages_per_second=messages_per_second)


@dataclass
class World:
    slack: FakeSlackAPI
    arxiv: ArxivFeedServer
    store: Store
    port: SlackPort
    deliverer: Deliverer
    handlers: CommandHandlers
    app: AsyncApp
    settings: SlackSettings
    qa: QAService

    async def dispatch(self, request: SignedRequest) -> BoltResponse:
        return await self.app.async_dispatch(AsyncBoltRequest(body=request.body, headers=request.headers))


@contextmanager
def world(
    tmp_path: Path, papers: int = 12, *, llm: LLMClient | None = None, titles: dict[int, str] | None = None,
    **slack_settings: Any,
) -> Iterator[World]:
    with FakeSlackAPI() as slack, ArxivFeedServer(week(papers, titles=titles)) as arxiv, FullTextServer() as fulltext:
        store = open_store(f"sqlite:///{tmp_path / 'slack.db'}")
        settings = settings_for(slack, **slack_settings)
        port = SlackPort(slack_client(settings), messages_per_second=settings.messages_per_second)
        engine = make_engine(arxiv.url, store, clock=Clock(NOW))
        deliverer = Deliverer(engine, store, {"slack": port})
        defaults = DefaultsSettings(language="en", timezone="Asia/Tokyo")
        handlers = CommandHandlers(store, deliverer, {"slack": port}, defaults, clock=Clock(NOW), llm=llm)
        qa = QAService(store, fulltext_fetcher(fulltext.html_url, fulltext.pdf_url), llm, QALimits())
        app = build_slack_app(settings, handlers, store, port, qa)
        try:
            yield World(slack, arxiv, store, port, deliverer, handlers, app, settings, qa)
        finally:
            store.close()
