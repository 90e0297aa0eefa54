"""The job queue (bot/jobs.py, bot/work.py) on the real PostgreSQL, in one process: a
queued tick only defers; the jobs, taken by procrastinate's worker, post every card once
through the Slack fake (cards written by the OpenAI fake, papers from the arXiv fake).

The bot is built as `digest-bot run` builds it (``build_bot``, the queue on), its
platform services not started: the tick is fired by hand, then the process takes jobs.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from datetime import timedelta

import psycopg
import pytest

from bot.app import build_bot
from bot.jobs import conninfo, job_counts
from bot.worker import build_worker
from config.settings import ConfigError, Settings
from digest.delivery.keys import run_key
from digest.models import ChannelRef
from digest.store import open_store
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_api import FakeSlackAPI
from tests.scheduler_fixtures import first_due, papers, subscribe

pytestmark = pytest.mark.postgres
CHANNELS = ("CQ1", "CQ2")
CARDS = 4


def queued_settings(url: str, arxiv: str, slack: FakeSlackAPI, llm: str | None = None) -> Settings:
    return Settings(
        database={"url": url},
        arxiv={"api_url": arxiv, "listing_url": f"{arxiv}/listing", "oai_url": f"{arxiv}/oai",
               "html_url": f"{arxiv}/html/", "pdf_url": f"{arxiv}/pdf/", "min_interval": 0},
        slack={"bot_token": slack.token, "api_url": slack.base_url, "signing_secret": "s", "messages_per_second": 500},
        llm={"base_url": llm, "model": "fake-model", "api_key": "k"} if llm else {},
        scheduler={"heartbeat_seconds": 0.5, "lease_seconds": 0.2},
        queue={"enabled": True, "concurrency": 4},
    )  # fmt: skip


def jobs(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(conninfo(url)) as conn:
        return conn.execute("SELECT task_name, status::text FROM procrastinate_jobs ORDER BY id").fetchall()


def test_the_connector_keeps_the_schema_of_the_store_url():
    info = conninfo("postgresql+psycopg://u:p%40ss@db.example:5433/digest?options=-csearch_path%3Dt_1")
    assert "host=db.example" in info and "port=5433" in info and "dbname=digest" in info
    assert "password=p@ss" in info and "options=-csearch_path=t_1" in info


def test_the_queue_needs_postgresql():
    settings = Settings(database={"url": "sqlite:///x.db"}, queue={"enabled": True})
    assert "needs PostgreSQL" in (settings.conflict() or "")
    assert Settings(database={"url": "sqlite:///x.db"}).conflict() is None


def test_config_check_says_the_queue_needs_postgresql(monkeypatch):
    from bot.app import load_settings

    for name in [n for n in os.environ if n.startswith("DIGEST_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DIGEST_QUEUE_ENABLED", "true")
    with pytest.raises(ConfigError, match=r"queue.enabled = true \(DIGEST_QUEUE_ENABLED\) needs PostgreSQL"):
        load_settings()
    monkeypatch.setenv("DIGEST_DATABASE_URL", "postgresql+psycopg://u@db/x")
    assert load_settings().queue.enabled


async def test_the_queue_on_sqlite_is_refused_at_start():
    settings = Settings(database={"url": "sqlite:///x.db"}, queue={"enabled": True}, slack={"bot_token": "xoxb-1", "signing_secret": "s"})
    with pytest.raises(ConfigError, match="DIGEST_QUEUE_ENABLED"):
        await build_bot(settings)


async def test_a_worker_needs_the_queue_on():
    settings = Settings(database={"url": "sqlite:///x.db"}, slack={"bot_token": "xoxb-1"})
    with pytest.raises(ConfigError, match="DIGEST_QUEUE_ENABLED=true"):
        await build_worker(settings)


async def test_a_queued_tick_defers_then_its_jobs_post_every_card_once(store_url):
    due = first_due()
    now = due + timedelta(seconds=30)
    store = open_store(store_url)
    subs = [subscribe(store, ChannelRef("slack", "T0TEAM", c), max_papers=CARDS) for c in CHANNELS]
    with (
        FakeSlackAPI() as slack,
        FakeOpenAI() as llm,
        ArxivFeedServer(papers(due - timedelta(days=6), 7, per_day=2)) as arxiv,
    ):
        bot = await build_bot(queued_settings(store_url, arxiv.url, slack, llm.base_url), clock=lambda: now)
        assert bot.jobs is not None
        try:
            await bot.jobs.open()
            assert await bot.scheduler.tick.fire_batch([s.id for s in subs]) == []  # deferred, not delivered
            assert jobs(store_url) == [("plan", "todo")]  # one topic group: one plan job
            assert job_counts(store.engine) == {"todo": 1, "doing": 0}  # as digest-bot status shows them
            assert not slack.messages(CHANNELS[0]) and store.scheduled_runs() == []

            await bot.instances.start()
            bot.jobs.start()
            deadline = time.monotonic() + 30
            keys = [run_key(s.id, due) for s in subs]
            while not all((r := store.get_run(k)) is not None and r.state == "done" for k in keys):
                assert time.monotonic() < deadline, [store.get_run(k) for k in keys]
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # a duplicate, if any, would come now
            assert await bot.jobs.queue.unstall() == 0  # every process alive: nothing failed
            await bot.jobs.queue.prune()  # the leader's hourly prune: nothing a week old
        finally:
            bot.gate.close()
            await bot.jobs.stop()
            await bot.jobs.close()
            await bot.instances.stop()
            await bot.aclose()
    assert bot.ports["slack"].client.session.closed  # the kept-alive Slack connections, released
    for sub, channel in zip(subs, CHANNELS):
        posted = [m["metadata"]["event_payload"]["key"] for m in slack.messages(channel)]
        expected = [f"{run_key(sub.id, due)}#{row.position}" for row in store.deliveries(run_key(sub.id, due))]
        assert posted == expected and len(expected) == CARDS + 1, (posted, expected)
        assert all(r.text is not None and r.text.summarizer == "llm:fake-model" for r in store.deliveries(run_key(sub.id, due))[1:])
    assert Counter(status for _, status in jobs(store_url)) == Counter()  # done jobs are deleted, none failed
    store.close()


@pytest.fixture
def store_url(pg_admin):
    from tests.pg_schema import fresh_schema

    with fresh_schema(pg_admin, "q") as url:
        yield url


async def test_a_run_nothing_delivers_is_freed_adopted_and_queued(store_url):
    """A run planned here whose deliver job was never queued (the database away at that
    moment): this process's upkeep frees it once idle, the leader's sweep adopts it and
    queues one deliver job, which posts it."""
    due = first_due()
    now = due + timedelta(seconds=30)
    store = open_store(store_url)
    sub = subscribe(store, ChannelRef("slack", "T0TEAM", CHANNELS[0]), max_papers=CARDS)
    key = run_key(sub.id, due)
    with FakeSlackAPI() as slack, ArxivFeedServer(papers(due - timedelta(days=6), 7, per_day=2)) as arxiv:
        bot = await build_bot(queued_settings(store_url, arxiv.url, slack), clock=lambda: now)
        assert bot.jobs is not None
        try:
            await bot.jobs.open()
            [owed] = bot.scheduler.tick._owed(bot.scheduler.tick._due([sub.id], now))
            [run] = await bot.scheduler.tick.plan([owed], now)  # planned, its deliver job never queued
            assert run.owner == bot.instances.id and await bot.jobs.queue.queued([key]) == set()
            with store.engine.begin() as conn:  # idle for longer than OWN_IDLE
                conn.exec_driver_sql("UPDATE digest_runs SET updated_at = updated_at - interval '1 hour'")
            await bot.jobs.work.upkeep()
            assert store.get_run(key).owner is None
            await bot.scheduler.recovery.adopt_orphans()
            await bot.scheduler.recovery.adopt_orphans()  # queued already: not again
            assert await bot.jobs.queue.queued([key]) == {key} and jobs(store_url) == [("deliver", "todo")]
            await bot.instances.start()
            bot.jobs.start()
            deadline = time.monotonic() + 30
            while store.get_run(key).state != "done":
                assert time.monotonic() < deadline, store.get_run(key)
                await asyncio.sleep(0.05)
        finally:
            bot.gate.close()
            await bot.jobs.stop()
            await bot.jobs.close()
            await bot.instances.stop()
            await bot.aclose()
    posted = [m["metadata"]["event_payload"]["key"] for m in slack.messages(CHANNELS[0])]
    assert posted == [f"{key}#{row.position}" for row in store.deliveries(key)]
    store.close()


def test_the_queue_schema_comes_and_goes_with_migration_0022(store_url):
    from alembic import command

    from digest.store.migrations import alembic_config, upgrade_to_head

    def present(store) -> tuple[object, int, int]:
        with store.engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT to_regclass('procrastinate_jobs')::text, "
                "(SELECT count(*) FROM pg_proc WHERE starts_with(proname, 'procrastinate') AND pronamespace = current_schema()::regnamespace), "
                "(SELECT count(*) FROM pg_type WHERE starts_with(typname, 'procrastinate') AND typnamespace = current_schema()::regnamespace)"
            ).one()  # fmt: skip

    store = open_store(store_url)
    try:
        assert present(store)[0] == "procrastinate_jobs" and min(present(store)[1:]) > 0
        config = alembic_config()
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0021_limits")
        assert present(store) == (None, 0, 0)
        upgrade_to_head(store.engine)
        assert present(store)[0] == "procrastinate_jobs"
    finally:
        store.close()


def test_a_worker_stops_at_start_when_slack_is_unreachable_or_refuses_the_token(store_url):
    """As `digest-bot run`: one line and exit 1 when the Web API does not answer, exit 2 when
    Slack refuses the token; no job taken, no run owner left behind."""
    from typer.testing import CliRunner

    from bot.__main__ import app

    env = {"DIGEST_DATABASE_URL": store_url, "DIGEST_QUEUE_ENABLED": "true", "SLACK_BOT_TOKEN": "xoxb-fake",
           "DIGEST_CONFIG_FILE": None, "DISCORD_TOKEN": None}  # fmt: skip
    away = CliRunner().invoke(app, ["worker"], env=env | {"DIGEST_SLACK_API_URL": "http://127.0.0.1:9"})
    assert away.exit_code == 1, away.output
    assert away.output.strip().splitlines() == [
        "error: cannot reach the Slack Web API at http://127.0.0.1:9 (DIGEST_SLACK_API_URL): ClientConnectorError"
    ]
    with FakeSlackAPI() as slack:
        refused = CliRunner().invoke(app, ["worker"], env=env | {"DIGEST_SLACK_API_URL": slack.base_url})
    assert refused.exit_code == 2 and "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in refused.output
    assert "xoxb-fake" not in away.output + refused.output
    store = open_store(store_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM instances").scalar() == 0
    store.close()


async def test_status_shows_the_queues_failed_jobs_and_its_jobs_with_the_queue_off(store_url):
    """`digest-bot status`: waiting, running and failed jobs (failed ones are kept a week),
    the latest failed with their task, run and time; and the queue's jobs still shown
    when DIGEST_QUEUE_ENABLED is false, saying that nothing takes them."""
    from procrastinate.jobs import Status
    from typer.testing import CliRunner

    from bot.__main__ import app
    from bot.jobs import DELIVER, QUEUE, queue_app

    open_store(store_url).close()  # the schema at head: the queue's tables there
    env = {"DIGEST_DATABASE_URL": store_url, "DIGEST_CONFIG_FILE": None, "SLACK_BOT_TOKEN": None, "DISCORD_TOKEN": None}

    def status(enabled: str) -> list[str]:
        result = CliRunner().invoke(app, ["status"], env=env | {"DIGEST_QUEUE_ENABLED": enabled})
        assert result.exit_code == 0, result.output
        return [line for line in result.output.splitlines() if line.startswith(("Job queue", "Latest", "  #"))]

    assert status("false") == [] and status("true") == ["Job queue: 0 waiting, 0 running, 0 failed (last 7 days)."]
    queue = queue_app(store_url)
    async with queue.open_async():
        for key in ("run-a", "run-b"):
            await queue.configure_task(DELIVER, queueing_lock=key).defer_async(key=key, retry=False)
        worker = await queue.job_manager.register_worker()
        taken = await queue.job_manager.fetch_job([QUEUE], worker)
        assert taken is not None
        await queue.job_manager.finish_job(taken, status=Status.FAILED, delete_job=False)
        await queue.job_manager.unregister_worker(worker)
    [on_line, latest, failed] = status("true")
    assert on_line == "Job queue: 1 waiting, 0 running, 1 failed (last 7 days)."
    assert latest.startswith("Latest failed jobs") and "log" in latest
    assert failed.startswith(f"  #{taken.id} deliver (run run-a) failed 20") and failed.endswith(" UTC")
    off = status("false")
    assert off[0] == on_line + " The queue is off (DIGEST_QUEUE_ENABLED=false): no process takes these jobs."
    assert off[1:] == [latest, failed]
