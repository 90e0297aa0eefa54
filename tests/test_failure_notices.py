"""A scheduled digest that arXiv cannot serve: stored, told to the channel once, shown, resolved.

The loopback arXiv answers 503 while ``down``; the scheduler is driven by a clock the
test moves, and "a restart" is a new scheduler (and engine) on the same store.
"""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.__main__ import app
from bot.handlers import CommandHandlers, Invocation
from bot.schedule import WeeklySchedule
from bot.scheduler import DigestScheduler
from config.settings import DefaultsSettings, SchedulerSettings
from digest.delivery.deliverer import Deliverer
from digest.delivery.keys import run_key
from digest.models import ChannelRef
from digest.store import open_store
from tests.discord_fixtures import world
from tests.engine_fixtures import Clock, make_engine
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.recording_chat import RecordingChat
from tests.fakes.slack_api import FakeSlackAPI
from tests.scheduler_fixtures import first_due, paper_id, papers, subscribe
from tests.slack_fixtures import port_for

WEEK = timedelta(days=7)
C1 = ChannelRef("recording", "T1", "C1")
D1 = first_due()  # Monday 09:00 UTC
START = D1 - timedelta(days=13)  # one paper a day at 12:00 UTC from here, for four weeks
DAYS = 28


class FlakyArxiv(ArxivFeedServer):
    """The loopback arXiv API, answering every request with 503 while ``down``."""

    down = False
    refused = 0

    def _respond(self, handler) -> None:
        if not self.down:
            return super()._respond(handler)
        self.refused += 1
        body = b"<html>busy</html>"
        handler.send_response(503)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture
def arxiv():
    with FlakyArxiv(papers(START, DAYS)) as server:
        yield server


class Bot:
    """One bot process: engine, deliverer and scheduler over the shared store."""

    def __init__(self, store, arxiv, chat, clock, **settings):
        self.engine = make_engine(arxiv.url, store, None, clock)
        self.deliverer = Deliverer(self.engine, store, {"recording": chat})
        settings = {"retry_minutes": 5, "max_attempts": 4, **settings}
        self.scheduler = DigestScheduler(store, self.deliverer, SchedulerSettings(**settings), clock)

    async def close(self):
        await self.engine.aclose()


def notices(chat, channel=C1):
    return [p.text for p in chat.posted(channel) if p.kind == "notice"]


def day_of(n: int) -> int:
    return n - 13  # days from D1's date to paper n's date


def ids_between(first_day: int, last_day: int) -> set[str]:
    return {paper_id(n) for n in range(DAYS) if first_day <= day_of(n) <= last_day}


def status(url: str) -> str:
    env = {"DIGEST_CONFIG_FILE": None, "DIGEST_DATABASE_URL": url, "SLACK_BOT_TOKEN": None,
           "SLACK_APP_TOKEN": None, "DISCORD_TOKEN": None, "COLUMNS": "400"}  # fmt: skip
    result = CliRunner().invoke(app, ["status"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


async def test_a_failing_digest_tells_the_channel_once_and_is_posted_when_arxiv_answers(store, arxiv):
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1)
    bot = Bot(store, arxiv, chat, clock)
    arxiv.down = True
    assert await bot.scheduler.tick.fire(sub.id) is None
    [notice] = notices(chat)
    assert "arXiv did not answer" in notice and "No papers are lost" in notice
    next_try = D1 + timedelta(minutes=6)
    assert f"Next try: {next_try:%Y-%m-%d %H:%M} UTC" in notice

    # Retries say nothing; one before its backoff does not even ask arXiv.
    refused = arxiv.refused
    clock.now = D1 + timedelta(minutes=3)
    assert await bot.scheduler.tick.fire(sub.id) is None and arxiv.refused == refused
    clock.now = next_try
    assert await bot.scheduler.tick.fire(sub.id) is None and arxiv.refused > refused
    clock.now += timedelta(minutes=10)
    assert await bot.scheduler.tick.fire(sub.id) is None
    failure = store.plan_failures()[sub.id]
    assert (failure.due_at, failure.attempts, failure.retry_at) == (D1, 3, clock.now + timedelta(minutes=20))
    assert len(notices(chat)) == 1 and failure.notice_id == chat.posted(C1)[0].message_id
    assert not [p for p in chat.posted(C1) if p.kind != "notice"]

    # arXiv answers again: the failure is resolved, then the digest of the whole week follows.
    arxiv.down = False
    clock.now = failure.retry_at
    run = await bot.scheduler.tick.fire(sub.id)
    assert run is not None and run.state == "done" and run.key == run_key(sub.id, D1)
    kinds = [p.kind for p in chat.posted(C1)]
    assert kinds[:3] == ["notice", "notice", "header"] and set(kinds[3:]) == {"card"}
    assert "is back" in notices(chat)[1] and "posting it now" in notices(chat)[1]
    assert {p.text for p in chat.posted(C1) if p.kind == "card"} == ids_between(-6, 0)
    assert store.plan_failures() == {}
    await bot.close()


async def test_after_a_restart_the_failure_shows_and_its_backoff_holds(store_url, arxiv):
    store = open_store(store_url)
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1)
    arxiv.down = True
    first = Bot(store, arxiv, chat, clock)
    await first.scheduler.tick.fire(sub.id)
    clock.now = D1 + timedelta(minutes=6)
    await first.scheduler.tick.fire(sub.id)
    await first.close()  # the bot stops; its memory is gone

    out = status(store_url)
    retry_at = D1 + timedelta(minutes=16)  # the second failure waits 10 minutes
    assert f"{D1:%Y-%m-%d %H:%M} UTC (weekly)" in out
    assert f"failing since {D1 + timedelta(minutes=1):%Y-%m-%d %H:%M} UTC" in out
    assert "HTTP 503" in out and f"attempt 2, next try at {retry_at:%Y-%m-%d %H:%M} UTC" in out

    handlers = CommandHandlers(store, first.deliverer, {"recording": chat}, DefaultsSettings(), first.scheduler, clock)
    listed = (await handlers.handle(Invocation("recording", "T1", "C1", "U1", "list"))).text
    assert "is failing since" in listed and "attempt 2" in listed and f"{retry_at:%H:%M} UTC" in listed

    again = Bot(store, arxiv, chat, clock)
    refused = arxiv.refused
    clock.now = retry_at - timedelta(seconds=1)
    assert await again.scheduler.tick.catch_up() == [] and arxiv.refused == refused  # the stored backoff holds
    clock.now = retry_at
    await again.scheduler.tick.catch_up()
    assert arxiv.refused > refused and store.plan_failures()[sub.id].attempts == 3
    assert len(notices(chat)) == 1  # told once, across the restart

    arxiv.down = False
    clock.now = store.plan_failures()[sub.id].retry_at
    [run] = await again.scheduler.tick.catch_up()
    assert run.state == "done" and len(notices(chat)) == 2
    assert "never run" not in status(store_url) and "failing" not in status(store_url)
    await again.close()
    store.close()


async def test_given_up_after_max_attempts_then_the_next_week_covers_the_gap(store, arxiv):
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1)
    bot = Bot(store, arxiv, chat, clock, max_attempts=2)
    assert (await bot.scheduler.tick.fire(sub.id)).state == "done"  # the digest of D1 went out
    posted = len(chat.posted(C1))

    arxiv.down = True
    clock.now = D1 + WEEK + timedelta(minutes=1)
    await bot.scheduler.tick.fire(sub.id)
    clock.now += timedelta(minutes=5)
    await bot.scheduler.tick.fire(sub.id)  # the second of two tries: given up
    failing, gave_up = notices(chat)
    assert "late" in failing and "Gave up" in gave_up and "after 2 tries" in gave_up
    next_week = D1 + 2 * WEEK
    assert f"{next_week:%Y-%m-%d %H:%M} UTC" in gave_up and "covers these papers" in gave_up
    assert store.plan_failures()[sub.id].retry_at is None
    refused = arxiv.refused
    clock.now += timedelta(hours=3)
    assert await bot.scheduler.tick.catch_up() == [] and arxiv.refused == refused  # given up: no more tries
    assert len(chat.posted(C1)) == posted + 2  # the two notices, nothing else

    # arXiv is back by the next week: its digest covers both weeks (no "back" notice:
    # giving up was the failure's last word).
    arxiv.down = False
    clock.now = next_week + timedelta(minutes=1)
    run = await bot.scheduler.tick.fire(sub.id)
    assert run.state == "done" and len(notices(chat)) == 2
    gap = [p.text for p in chat.posted(C1)[posted + 2 :] if p.kind == "card"]
    assert set(gap) == ids_between(1, 14) and len(gap) == len(set(gap))  # every paper since D1, once
    assert store.plan_failures() == {}
    await bot.close()


async def test_a_first_digest_given_up_is_covered_by_the_next_one(store, arxiv):
    clock, chat = Clock(D1 + timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1)
    bot = Bot(store, arxiv, chat, clock, max_attempts=1)
    arxiv.down = True
    await bot.scheduler.tick.fire(sub.id)  # the very first digest: given up at once
    assert store.plan_failures()[sub.id].retry_at is None
    arxiv.down = False
    clock.now = D1 + WEEK + timedelta(minutes=1)
    run = await bot.scheduler.tick.fire(sub.id)
    cards = [p.text for p in chat.posted(C1) if p.kind == "card"]
    # The first digest's days before D1, and both weeks since: nothing the channel was promised is lost.
    assert run.state == "done" and set(cards) == ids_between(-6, 7) and len(cards) == len(set(cards))
    await bot.close()


async def test_a_japanese_subscription_is_told_in_japanese(store, arxiv):
    tokyo = WeeklySchedule(0, time(18), "Asia/Tokyo")
    due = first_due(tokyo)
    clock, chat = Clock(due + timedelta(minutes=1)), RecordingChat()
    sub = subscribe(store, C1, schedule=tokyo, language="ja")
    bot = Bot(store, arxiv, chat, clock)
    arxiv.down = True
    await bot.scheduler.tick.fire(sub.id)
    [notice] = notices(chat)
    next_try = (due + timedelta(minutes=6)).astimezone(ZoneInfo("Asia/Tokyo"))
    assert "arXivが応答しませんでした" in notice and "論文が失われることはありません" in notice
    assert f"次の試行：{next_try:%Y-%m-%d %H:%M} JST" in notice
    await bot.close()


async def test_slack_and_discord_post_a_notice_that_a_lost_reply_finds_again(tmp_path):
    with FakeSlackAPI() as slack:
        port, channel = port_for(slack), ChannelRef("slack", "T0TEAM", "C1")
        posted = await port.post_notice(channel, "⚠️ The digest of *a <b>* is late", "notice:k:failing")
        [message] = slack.messages("C1")
        assert message["text"] == "⚠️ The digest of *a &lt;b&gt;* is late"  # escaped: it can never ping
        assert await port.find_posted(channel, "notice:k:failing") == posted
    async with world(tmp_path, 1) as w:
        posted = await w.service.port.post_notice(w.channel(), "⚠️ late", "notice:k:failing")
        [message] = w.discord.messages()
        assert message["content"].startswith("⚠️ late")
        assert await w.service.port.find_posted(w.channel(), "notice:k:failing") == posted
