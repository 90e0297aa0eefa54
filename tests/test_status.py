"""`digest-bot status` and `digest-bot run` from the command line, through typer's runner."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from bot.__main__ import app
from bot.status import outcome
from digest.models import ChannelRef, DigestRun, Window
from digest.store import open_store
from digest.store.runs import RunEnd
from tests.scheduler_fixtures import subscribe

DUE = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)


@pytest.fixture
def env(tmp_path):
    return {
        "DIGEST_CONFIG_FILE": None,
        "DIGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'status.db'}",
        "SLACK_BOT_TOKEN": None,
        "SLACK_APP_TOKEN": None,
        "DISCORD_TOKEN": None,
        "COLUMNS": "240",  # the table has eight columns: no cell wrapped
    }


def run(env, *args):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def plan(store, sub, key, due):
    window = Window(date(2026, 11, 17), date(2026, 11, 23), "UTC")
    run = DigestRun(key, sub.id, sub.channel, sub.topic, "en", window, 3, "delivering", due_at=due)
    store.plan_runs([(run, [])])


def test_status_lists_next_digest_and_last_outcome(env):
    store = open_store(env["DIGEST_DATABASE_URL"])
    done, failing, paused, fresh = (subscribe(store, ChannelRef("slack", "T", f"C{i}")) for i in range(4))
    plan(store, done, "k-done", DUE)
    store.finish_runs([RunEnd("k-done", "done")])
    plan(store, failing, "k-failed", DUE)
    store.finish_runs([RunEnd("k-failed", "failed", "Slack chat.postMessage in C1: HTTP 500",
                              retry_at=DUE + timedelta(minutes=5))])  # fmt: skip
    store.set_paused(paused.id, "the bot was removed from C2")
    store.close()

    result = run(env, "status")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Mon 09:00 UTC" in out and out.count("2026-11-23 09:00 UTC (weekly)") == 2
    assert "done" in out and "failed 1x, retry at 2026-11-23 09:05 UTC: Slack chat.postMessage in C1" in out
    assert "paused: the bot was removed from C2" in out and "never run" in out


def test_status_without_subscriptions_says_how_to_add_one(env):
    result = run(env, "status")
    assert result.exit_code == 0 and "/arxiv subscribe" in result.stderr


def test_outcome_of_a_run_given_up():
    window = Window(date(2026, 11, 17), date(2026, 11, 23), "UTC")
    run = DigestRun("k", 1, ChannelRef("slack", "T", "C"), "t", "en", window, 3, "failed", error="boom", attempts=6,
                    due_at=DUE, updated_at=DUE)  # fmt: skip
    assert outcome(run, max_attempts=6) == "gave up after 6 attempts: boom"


def test_run_without_a_chat_platform_names_the_variables_that_enable_one(env):
    result = run(env, "run")
    assert result.exit_code == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "DISCORD_TOKEN" in result.stderr
    assert "SLACK_APP_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr


def test_status_names_channels_as_the_subscriptions_command_takes_them_and_who_paused(env):
    store = open_store(env["DIGEST_DATABASE_URL"])
    slack = subscribe(store, ChannelRef("slack", "T0TEAM", "C0CHAN"))
    subscribe(store, ChannelRef("discord", "123456789012345678", "223456789012345678"))
    store.close()
    assert run(env, "subscriptions", "pause", str(slack.id)).exit_code == 0
    out = run(env, "status").stdout
    assert "slack:T0TEAM:C0CHAN" in out and "discord:123456789012345678:223456789012345678" in out
    assert "paused by the operator" in out and "paused: paused by" not in out
    # What status shows is what the subscriptions command takes.
    listed = run(env, "subscriptions", "list", "slack:T0TEAM:C0CHAN")
    assert listed.exit_code == 0 and "slack:T0TEAM:C0CHAN" in listed.stdout
