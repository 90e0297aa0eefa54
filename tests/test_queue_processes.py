"""Several `digest-bot worker` processes and a leader (`digest-bot run`, the queue on) on
the real PostgreSQL: every card posted once and in order per channel, while a worker is
SIGKILLed mid-tick and another is added.

Each child runs ``run_bot`` or ``run_worker`` as the CLI does (settings from the
environment, Slack's Web API at the loopback fake, which takes ``LATENCY`` per post so
that the tick lasts seconds), with a clock fixed 30 s after the subscriptions' weekly
instant. Heartbeats every 0.5 s: a process silent for 1.5 s is gone as a run owner (at
once on this host: its pid), its procrastinate jobs failed by the leader's sweep (every
0.2 s) after 5 s (``MIN_STALL_SECONDS``), then its runs are finished by another.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from digest.delivery.keys import run_key
from digest.models import ChannelRef
from digest.store import open_store
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.slack_api import FakeSlackAPI
from tests.pg_schema import fresh_schema
from tests.scheduler_fixtures import first_due, papers, subscribe

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[1]
CHANNELS = [f"CW{i}" for i in range(8)]
CARDS = 8  # a header and eight cards per digest
LATENCY = 0.12  # seconds the fake takes over each chat.postMessage
CHILD = """
import asyncio, logging, sys
from datetime import datetime
from bot.app import load_settings

now = datetime.fromisoformat(sys.argv[2])
logging.basicConfig(level=logging.INFO, format="%(created).3f %(process)d %(name)s: %(message)s")
logging.getLogger("apscheduler").setLevel(logging.WARNING)
if sys.argv[1] == "run":
    from bot.runner import run_bot
    asyncio.run(run_bot(load_settings(), clock=lambda: now))
else:
    from bot.worker import run_worker
    asyncio.run(run_worker(load_settings(), clock=lambda: now))
"""


class SlowSlack(FakeSlackAPI):
    """The fake Web API, each post taking ``LATENCY`` (in its own thread, as Slack's would);
    while ``flowing`` is clear, a post arriving waits (then is stored as usual, even if
    its sender is gone by then: a post that landed without its reply)."""

    def __init__(self) -> None:
        super().__init__()
        self.flowing = threading.Event()
        self.flowing.set()

    def serve(self, request):  # type: ignore[no-untyped-def]
        if urlsplit(request.path).path == "/api/chat.postMessage":
            self.flowing.wait(60)
            time.sleep(LATENCY)
        try:
            super().serve(request)
        except (BrokenPipeError, ConnectionResetError):  # the poster was killed meanwhile
            pass

    def keys(self, channel: str) -> list[str]:
        return [m["metadata"]["event_payload"]["key"] for m in self.messages(channel)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(step)
    return value


@pytest.fixture
def url(pg_admin):
    with fresh_schema(pg_admin, "qp") as made:
        yield made


def test_workers_share_a_tick_and_a_killed_ones_digest_is_finished_by_another(url, tmp_path):
    due = first_due()
    now = due + timedelta(seconds=30)
    store = open_store(url)
    # Two languages: two topic groups, two plan jobs.
    subs = [subscribe(store, ChannelRef("slack", "T0TEAM", c), max_papers=CARDS, language=("en", "de")[i % 2])
            for i, c in enumerate(CHANNELS)]  # fmt: skip
    keys = {c: run_key(s.id, due) for s, c in zip(subs, CHANNELS)}
    with SlowSlack() as slack, ArxivFeedServer(papers(due - timedelta(days=6), 7, per_day=2)) as arxiv:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "SLACK_", "DISCORD_", "OPENAI_"))}
        env |= {
            "DIGEST_DATABASE_URL": url,
            "DIGEST_ARXIV_API_URL": arxiv.url,
            "DIGEST_ARXIV_LISTING_URL": f"{arxiv.url}/listing",  # 404: the per-topic search serves
            "DIGEST_ARXIV_OAI_URL": f"{arxiv.url}/oai",
            "DIGEST_ARXIV_HTML_URL": f"{arxiv.url}/html/",
            "DIGEST_ARXIV_PDF_URL": f"{arxiv.url}/pdf/",
            "DIGEST_ARXIV_MIN_INTERVAL": "0",
            "DIGEST_SLACK_API_URL": slack.base_url,
            "DIGEST_SLACK_MESSAGES_PER_SECOND": "500",
            "DIGEST_SCHEDULER_LEASE_SECONDS": "0.2",
            "DIGEST_SCHEDULER_HEARTBEAT_SECONDS": "0.5",
            "DIGEST_QUEUE_ENABLED": "true",
            "DIGEST_QUEUE_CONCURRENCY": "2",
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": "test-signing-secret",
        }
        procs: dict[str, subprocess.Popen] = {}

        def start(name: str, command: str) -> None:
            procs[name] = subprocess.Popen(
                [sys.executable, "-c", CHILD, command, now.isoformat()], cwd=ROOT,
                env=env | {"DIGEST_HTTP_PORT": str(free_port())},
                stdout=subprocess.DEVNULL, stderr=(tmp_path / f"{name}.log").open("w"),
            )  # fmt: skip

        def pid_of(run) -> int | None:  # type: ignore[no-untyped-def]
            return int(run.owner.split(":")[1]) if run is not None and run.owner else None

        def owner_pid(channel: str) -> int | None:
            return pid_of(store.get_run(keys[channel]))

        def report() -> str:
            lines = [f"{c}: {store.get_run(k)} posted {[p.rsplit('#', 1)[1] for p in slack.keys(c)]}" for c, k in keys.items()]
            for name in procs:
                lines += [f"--- {name} ---", *(tmp_path / f"{name}.log").read_text().splitlines()[-30:]]
            return "\n".join(lines)

        try:
            start("worker-1", "worker")
            start("worker-2", "worker")
            start("leader", "run")
            pids = {name: proc.pid for name, proc in procs.items()}
            for name, up in (("worker-1", "taking jobs"), ("worker-2", "taking jobs"), ("leader", "digest-bot running")):
                wait_for(lambda: up in (tmp_path / f"{name}.log").read_text(), 90, f"{name} up")  # a loaded machine: slow
            workers = {pid: name for name, pid in pids.items() if name != "leader"}

            def mid_digest() -> list[tuple[str, str]]:
                """(channel, worker) of each digest a worker is posting, two posts in at least."""
                runs = {c: store.get_run(k) for c, k in keys.items()}
                # At most CARDS - 1 posts: a post still in flight cannot be its last.
                return [(c, workers[pid]) for c, r in runs.items()
                        if r is not None and r.state == "delivering" and (pid := pid_of(r)) in workers
                        and 2 <= len(slack.keys(c)) <= CARDS - 1]  # fmt: skip

            # The victim: a worker mid-digest, caught with posting stopped (the posts in
            # flight land first), so that its digest cannot end before the kill.
            victim_channel = victim = None
            deadline = time.monotonic() + 40
            while victim is None:
                assert time.monotonic() < deadline, f"no worker mid-digest\n{report()}"
                if mid_digest():
                    slack.flowing.clear()
                    time.sleep(3 * LATENCY)
                    if found := mid_digest():
                        victim_channel, victim = found[0]
                        break
                    slack.flowing.set()
                time.sleep(0.02)
            fence = store.get_run(keys[victim_channel]).fence
            procs[victim].send_signal(signal.SIGKILL)
            procs[victim].wait(10)
            slack.flowing.set()  # the victim's post held: stored now, its reply lost
            start("worker-3", "worker")
            pids["worker-3"] = procs["worker-3"].pid

            def all_done() -> bool:
                return all((r := store.get_run(k)) is not None and r.state == "done" for k in keys.values())

            wait_for(all_done, 45, "every digest done")
            time.sleep(1.0)  # a duplicate, if any, would come now
            taken = store.get_run(keys[victim_channel])
            assert taken.fence > fence and owner_pid(victim_channel) != pids[victim], report()
            for channel, key in keys.items():
                posted = slack.keys(channel)
                expected = [f"{key}#{row.position}" for row in store.deliveries(key)]
                assert len(expected) == CARDS + 1, report()
                assert posted == expected, f"{channel}: duplicates {Counter(posted) - Counter(set(posted))}\n{report()}"
            delivered_by = [name for name in procs if "Job deliver" in (log := (tmp_path / f"{name}.log").read_text())
                            and "ended with status: Success" in log]  # fmt: skip
            assert len(delivered_by) >= 2, f"one process did every digest: {report()}"
            assert len(store.scheduled_runs()) == len(CHANNELS)

            # SIGTERM: a clean exit (0) of each, once up (before, Python's default ends it).
            wait_for(lambda: "taking jobs" in (tmp_path / "worker-3.log").read_text(), 30, "worker-3 up")
            procs["worker-2" if victim != "worker-2" else "worker-1"].send_signal(signal.SIGTERM)
            for name in ("worker-3", "leader"):
                procs[name].send_signal(signal.SIGTERM)
            for name, proc in procs.items():
                if name != victim:
                    assert proc.wait(30) == 0, report()
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(10)
            store.close()
