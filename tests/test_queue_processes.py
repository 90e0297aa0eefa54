"""Several `digest-bot worker` processes and a leader (`digest-bot run`, the queue on) on
the real PostgreSQL: every card posted once and in order per channel, while a worker is
SIGKILLed mid-tick and another is added, or a worker is stopped (SIGTERM) mid-digest.

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
from datetime import datetime, timedelta
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


def pid_of(run) -> int | None:  # type: ignore[no-untyped-def]
    return int(run.owner.split(":")[1]) if run is not None and run.owner else None


class Cluster:
    """The processes of one test over one schema, each digest's channel and run key, the
    fakes; ``mid_digest`` picks a worker mid-digest with posting stopped."""

    def __init__(self, url: str, logs: Path, slack: SlowSlack, arxiv: ArxivFeedServer, now: datetime) -> None:
        self.store, self.logs, self.slack, self.now = open_store(url), logs, slack, now
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "SLACK_", "DISCORD_", "OPENAI_"))}
        self.env |= {
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
        due = self.now - timedelta(seconds=30)
        # Two languages: two topic groups, two plan jobs.
        subs = [subscribe(self.store, ChannelRef("slack", "T0TEAM", c), max_papers=CARDS, language=("en", "de")[i % 2])
                for i, c in enumerate(CHANNELS)]  # fmt: skip
        self.keys = {c: run_key(s.id, due) for s, c in zip(subs, CHANNELS)}

    def start(self, name: str, command: str) -> None:
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-c", CHILD, command, self.now.isoformat()], cwd=ROOT,
            env=self.env | {"DIGEST_HTTP_PORT": str(free_port())} | self.leader_env(command),
            stdout=subprocess.DEVNULL, stderr=(self.logs / f"{name}.log").open("w"),
        )  # fmt: skip

    @staticmethod
    def leader_env(command: str) -> dict[str, str]:
        """The leader takes jobs too, one at a time here: of the two plan jobs, it cannot
        take both (it did once, leaving no worker mid-digest to kill)."""
        return {"DIGEST_QUEUE_CONCURRENCY": "1"} if command == "run" else {}

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def up(self, *names: str) -> None:
        for name in names:
            said = "digest-bot running" if name == "leader" else "taking jobs"
            wait_for(lambda: said in self.log(name), 90, f"{name} up")  # a loaded machine: slow

    def owner_pid(self, channel: str) -> int | None:
        return pid_of(self.store.get_run(self.keys[channel]))

    def report(self) -> str:
        lines = [f"{c}: {self.store.get_run(k)} posted {[p.rsplit('#', 1)[1] for p in self.slack.keys(c)]}"
                 for c, k in self.keys.items()]  # fmt: skip
        for name in self.procs:
            lines += [f"--- {name} ---", *self.log(name).splitlines()[-30:]]
        return "\n".join(lines)

    def mid_digest(self) -> tuple[str, str]:
        """(channel, worker) of a digest a worker is posting, two posts in at least, caught
        with posting stopped (the posts in flight land first), so that it cannot end."""
        workers = {p.pid: name for name, p in self.procs.items() if name != "leader"}

        def posting() -> list[tuple[str, str]]:
            runs = {c: self.store.get_run(k) for c, k in self.keys.items()}
            # At most CARDS - 1 posts: a post still in flight cannot be its last.
            return [(c, workers[pid]) for c, r in runs.items()
                    if r is not None and r.state == "delivering" and (pid := pid_of(r)) in workers
                    and 2 <= len(self.slack.keys(c)) <= CARDS - 1]  # fmt: skip

        deadline = time.monotonic() + 40
        while True:
            assert time.monotonic() < deadline, f"no worker mid-digest\n{self.report()}"
            if posting():
                self.slack.flowing.clear()
                time.sleep(3 * LATENCY)
                if found := posting():
                    return found[0]
                self.slack.flowing.set()
            time.sleep(0.02)

    def check(self) -> None:
        """Every digest done, each card posted once, in the ledger's order."""

        def all_done() -> bool:
            return all((r := self.store.get_run(k)) is not None and r.state == "done" for k in self.keys.values())

        wait_for(all_done, 45, "every digest done")
        time.sleep(1.0)  # a duplicate, if any, would come now
        for channel, key in self.keys.items():
            posted = self.slack.keys(channel)
            expected = [f"{key}#{row.position}" for row in self.store.deliveries(key)]
            assert len(expected) == CARDS + 1, self.report()
            assert posted == expected, f"{channel}: duplicates {Counter(posted) - Counter(set(posted))}\n{self.report()}"
        assert len(self.store.scheduled_runs()) == len(CHANNELS)

    def stop(self, *names: str) -> None:
        """SIGTERM: a clean exit (0) of each."""
        for name in names:
            self.procs[name].send_signal(signal.SIGTERM)
        for name in names:
            assert self.procs[name].wait(30) == 0, self.report()

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        self.store.close()


@pytest.fixture
def cluster(url, tmp_path):
    due = first_due()
    with SlowSlack() as slack, ArxivFeedServer(papers(due - timedelta(days=6), 7, per_day=2)) as arxiv:
        made = Cluster(url, tmp_path, slack, arxiv, due + timedelta(seconds=30))
        try:
            yield made
        finally:
            made.close()


def test_workers_share_a_tick_and_a_killed_ones_digest_is_finished_by_another(cluster):
    c = cluster
    c.start("worker-1", "worker")
    c.start("worker-2", "worker")
    c.start("leader", "run")
    c.up("worker-1", "worker-2", "leader")
    channel, victim = c.mid_digest()
    pid, fence = c.procs[victim].pid, c.store.get_run(c.keys[channel]).fence
    c.procs[victim].send_signal(signal.SIGKILL)
    c.procs[victim].wait(10)
    c.slack.flowing.set()  # the victim's post held: stored now, its reply lost
    c.start("worker-3", "worker")

    c.check()
    taken = c.store.get_run(c.keys[channel])
    assert taken.fence > fence and c.owner_pid(channel) != pid, c.report()
    delivered_by = [name for name in c.procs if "Job deliver" in (log := c.log(name)) and "ended with status: Success" in log]
    assert len(delivered_by) >= 2, f"one process did every digest: {c.report()}"
    c.up("worker-3")  # SIGTERM before it is up would end it by Python's default
    c.stop(*(name for name in c.procs if name != victim))


def test_a_worker_stopped_mid_digest_posts_what_it_started_and_another_finishes(cluster):
    """SIGTERM while its post is in flight: the post lands and is recorded, no other
    starts, the worker exits 0 at once and its run is finished by another process."""
    c = cluster
    c.start("worker-1", "worker")
    c.start("leader", "run")
    c.up("worker-1", "leader")
    channel, victim = c.mid_digest()
    fence = c.store.get_run(c.keys[channel]).fence
    c.procs[victim].send_signal(signal.SIGTERM)
    time.sleep(0.5)  # the signal handled: the gate closed while the post is held
    c.slack.flowing.set()
    assert c.procs[victim].wait(30) == 0, c.report()
    assert "stopped" in c.log(victim)

    c.check()
    assert c.store.get_run(c.keys[channel]).fence > fence, c.report()  # taken by another
    c.stop("leader")
