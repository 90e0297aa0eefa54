"""Two bot processes on one PostgreSQL database: one digest per tick; a killed leader's
successor fires the next tick.

Each child runs ``run_bot`` exactly as `digest-bot run` does (settings from the
environment, Slack in HTTP mode against the fake Web API, the real lease) except for its
clock: both read one clock that runs fifteen times fast from a shared origin, so the
two weekly ticks, a minute apart, come four seconds apart.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.schedule import WeeklySchedule
from digest.delivery.keys import run_key
from digest.models import ChannelRef
from digest.store import open_store
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.slack_api import FakeSlackAPI
from tests.scheduler_fixtures import papers, subscribe

ROOT = Path(__file__).resolve().parents[1]
SPEED = 15.0  # virtual seconds per real second
CHILD = """
import asyncio, logging, sys, time
from datetime import datetime, timedelta
from bot.app import load_settings
from bot.runner import run_bot

origin, started, speed = datetime.fromisoformat(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])

def clock():
    return origin + timedelta(seconds=(time.time() - started) * speed)

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
asyncio.run(run_bot(load_settings(), clock=clock))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.1)
    return value


def schedule_at(instant: datetime) -> WeeklySchedule:
    return WeeklySchedule(instant.weekday(), instant.time().replace(tzinfo=None), "UTC")


@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
def test_one_leader_fires_each_tick_and_a_successor_takes_over(store_url, tmp_path):
    real_now = datetime.now(timezone.utc)
    origin = real_now.replace(second=0, microsecond=0) + timedelta(minutes=2)
    first = origin + timedelta(minutes=2)  # a virtual instant: 8 s of real time after the start
    store = open_store(store_url)
    a = subscribe(store, ChannelRef("slack", "T0TEAM", "CA"), schedule=schedule_at(first), max_papers=5)

    with FakeSlackAPI() as slack, ArxivFeedServer(papers(first - timedelta(days=6), 7, per_day=2)) as arxiv:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "SLACK_", "DISCORD_", "OPENAI_"))}
        env |= {
            "DIGEST_DATABASE_URL": store_url,
            "DIGEST_ARXIV_API_URL": arxiv.url,
            # The listing and OAI-PMH answer 404 here: the harvest fails at once and the
            # per-topic search serves every digest, from the API fake's papers.
            "DIGEST_ARXIV_LISTING_URL": f"{arxiv.url}/listing",
            "DIGEST_ARXIV_OAI_URL": f"{arxiv.url}/oai",
            "DIGEST_ARXIV_HTML_URL": f"{arxiv.url}/html/",  # off arxiv.org, so no 3 s spacing is due
            "DIGEST_ARXIV_PDF_URL": f"{arxiv.url}/pdf/",
            "DIGEST_ARXIV_MIN_INTERVAL": "0",
            "DIGEST_SLACK_API_URL": slack.base_url,
            "DIGEST_SLACK_MESSAGES_PER_SECOND": "50",
            "DIGEST_SLACK_WORKSPACE_MESSAGES_PER_MINUTE": "30000",
            "DIGEST_SCHEDULER_LEASE_SECONDS": "0.5",
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": "test-signing-secret",
        }
        started = time.time()

        def virtual_now() -> datetime:
            return origin + timedelta(seconds=(time.time() - started) * SPEED)

        logs = [tmp_path / f"bot{i}.log" for i in range(2)]
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", CHILD, origin.isoformat(), str(started), str(SPEED)],
                cwd=ROOT,
                env=env | {"DIGEST_HTTP_PORT": str(free_port())},
                stdout=subprocess.DEVNULL,
                stderr=log.open("w"),
            )
            for log in logs
        ]

        def said(i: int, text: str) -> bool:
            return text in logs[i].read_text()

        try:
            leader = wait_for(lambda: [i for i in (0, 1) if said(i, "lease") and said(i, "acquired")], 20, "a leader")
            [leader] = leader
            follower = 1 - leader
            # The first tick, both processes up: one digest, from the leader.
            wait_for(lambda: len(slack.messages("CA")) >= 6, 20, "the first tick's digest")
            wait_for(lambda: store.get_run(run_key(a.id, first)).state == "done", 10, "the first run done")
            procs[leader].send_signal(signal.SIGKILL)
            procs[leader].wait(10)
            assert not said(follower, "planned for CA"), "the follower fired a tick while not leading"

            # The next tick: a subscription due on the next whole virtual minute at least
            # 30 virtual seconds (2 s) away, added now, as a subscribe in any process would.
            second = (virtual_now() + timedelta(seconds=90)).replace(second=0, microsecond=0)
            b = subscribe(store, ChannelRef("slack", "T0TEAM", "CB"), schedule=schedule_at(second), max_papers=5)
            wait_for(lambda: said(follower, "acquired"), 10, "the follower to take the lease")
            wait_for(lambda: len(slack.messages("CB")) >= 6, 30, "the second tick's digest")
            wait_for(lambda: store.get_run(run_key(b.id, second)).state == "done", 10, "the second run done")

            time.sleep(1.0)  # a duplicate, if any, would come now
            for sub, channel in ((a, "CA"), (b, "CB")):
                assert len(store.scheduled_runs(subscription_id=sub.id)) == 1
                keys = [m["metadata"]["event_payload"]["key"] for m in slack.messages(channel)]
                assert len(keys) == len(set(keys)) == 6, keys
            assert [t.key for t in store.scheduled_runs(subscription_id=b.id)] == [run_key(b.id, second)]

            # SIGTERM: a clean exit.
            procs[follower].send_signal(signal.SIGTERM)
            assert procs[follower].wait(30) == 0, logs[follower].read_text()[-3000:]
            assert said(follower, "stopped")
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(10)
            store.close()
