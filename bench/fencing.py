"""Run ownership and fencing across real `digest-bot run` processes on the real PostgreSQL.

Two bot processes (``run_bot`` forked from a server that has the bot imported, as
``tests/test_crash.py`` does) share one fresh PostgreSQL schema; their Slack port points
at the loopback fake Web API here, arXiv at the loopback feed. Each process believes it
runs on a host of its own (``bot.instances.HOST``), so a run owner's liveness is its
heartbeat alone, as between machines. Settings: heartbeat 0.5 s (an owner is gone after
3 missed beats, 1.5 s), lease and sweep 0.2 s; each post takes the fake 40 ms.

Scenarios (a digest of a header and 12 cards, 13 posts):

- ``kill``: the run's owner is SIGKILLed mid-digest, its k-th post held (then dropped,
  or stored with the reply lost). ``kill-follower``: the owner is the process that is
  not leading (an ``/arxiv now`` digest), and its post is held for 2.5 s first, longer
  than the stale window, while the leader sweeps every 0.2 s: the run must not be taken
  over (owner and fence unchanged, nothing posted by the leader). ``kill-leader``: the
  owner leads (the scheduled digest); the other takes the lease, then the run.
  Figures: seconds from the kill to the take-over and to the run's ``done``.
- ``cut``: the leader reaches PostgreSQL through a TCP proxy (``tests/fakes/tcp_proxy.py``),
  the follower directly; every connection of the leader is reset mid-digest.
- ``terminate``: the leader's lease session alone is ended with ``pg_terminate_backend``.
- ``cut-at-finish``: as ``cut``, but landed on one exact write: the leader's connections
  are all cut the moment it sends the run's ending (``UPDATE digest_runs SET state=``,
  ``Store.finish_runs``) after its last card.
- ``terminate-slow-post``: as ``terminate``, but while the leader's post is still in flight
  at Slack; it lands only once the process that took the run over has looked for it
  (not there yet) and posted the card itself.

The last two are probes of edges found by reading the code; see the summary they print.

In every trial: duplicates (posts per idempotency key at the fake beyond one) must be
0, gaps (keys of the ledger never posted) 0, the run ``done``, the posts in order.

    .venv/bin/python bench/fencing.py [trials]      # default 20 trials of cut and of terminate
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import random
import socket
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.lease import DEFAULT_NAME  # noqa: E402
from bot.runner import run_bot  # noqa: E402
from digest.delivery.keys import run_key  # noqa: E402
from config.settings import Settings  # noqa: E402
from digest.models import ChannelRef  # noqa: E402
from digest.store import Store, open_store  # noqa: E402
from tests.fakes.arxiv import ArxivFeedServer  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.fakes.slack_requests import deliver, slash_command  # noqa: E402
from tests.fakes.tcp_proxy import TcpProxy  # noqa: E402
from tests.test_lease import holder_pid  # noqa: E402
from tests.scheduler_fixtures import first_due, papers, subscribe  # noqa: E402

PG_PORT = 5432
PG_DSN = f"host=127.0.0.1 port={PG_PORT} user=postgres dbname=test connect_timeout=5"
CARDS = 12  # a header and twelve cards: thirteen posts
HEARTBEAT = 0.5  # seconds; an owner on another host is gone after STALE_BEATS (3) missed beats
LEASE = 0.2  # seconds between lease tries, and the leader's sweep for orphaned runs
STALE = 3 * HEARTBEAT
POST_LATENCY = 0.04  # seconds the fake takes over each chat.postMessage
SECRET = "s"  # Slack signing secret
FINISH_SQL = b"UPDATE digest_runs SET state="  # Store.finish_runs: a run's ending
CHANNEL = "C1"
FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload(["bench.fencing"])  # the forkserver imports the bot once


def bot_process(url: str, arxiv_url: str, slack_url: str, token: str, port: int, host: str, log: str, now: str) -> None:
    """The child: `digest-bot run` as a process on ``host``, its clock fixed at ``now``."""
    import bot.instances

    bot.instances.HOST = host  # a host of its own: its liveness is its heartbeat alone
    logging.basicConfig(
        filename=log, level=logging.INFO, format="%(created).3f %(process)d %(name)s %(levelname)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    settings = Settings(
        database={"url": url},
        # The listing and OAI-PMH answer 404 here: the harvest fails at once and the
        # per-topic search serves every digest, from the API fake's papers.
        arxiv={"api_url": arxiv_url, "listing_url": f"{arxiv_url}/listing", "oai_url": f"{arxiv_url}/oai",
               "html_url": f"{arxiv_url}/html/", "pdf_url": f"{arxiv_url}/pdf/", "min_interval": 0},
        slack={"bot_token": token, "api_url": slack_url, "signing_secret": SECRET, "http_port": port,
               "messages_per_second": 500, "workspace_messages_per_minute": 30000},
        scheduler={"lease_seconds": LEASE, "heartbeat_seconds": HEARTBEAT},
    )  # fmt: skip
    clock = datetime.fromisoformat(now)
    asyncio.run(run_bot(settings, clock=lambda: clock))


class GatedSlack(FakeSlackAPI):
    """The fake Web API, each post taking ``POST_LATENCY``; the ``hold``-th post is held on
    arrival until ``release("store")`` (then done as usual) or ``release("drop")`` (never
    stored, no answer), and ``release("lost")`` stores it but sends no answer."""

    def __init__(self, hold: int | None) -> None:
        super().__init__()
        self.hold, self.posts = hold, 0
        self.arrived, self._released = threading.Event(), threading.Event()
        self._how = "store"

    def release(self, how: str = "store") -> None:
        self._how = how
        self._released.set()

    def serve(self, request: Any) -> None:
        if urlsplit(request.path).path == "/api/chat.postMessage":
            with self.lock:
                self.posts += 1
                held = self.posts == self.hold
            time.sleep(POST_LATENCY)
            if held:
                self.arrived.set()
                self._released.wait(60)
                if self._how == "drop":
                    request.rfile.read(int(request.headers.get("Content-Length") or 0))
                    request.close_connection = True
                    return
                if self._how == "lost":
                    self.script([("drop_reply",)])
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a post whose sender gave up on it
            super().serve(request)

    def keys(self) -> list[str]:
        return [m["metadata"]["event_payload"]["key"] for m in self.messages(CHANNEL)]


@dataclass
class Trial:
    scenario: str
    k: int
    variant: str
    duplicates: int = 0
    gaps: int = 0
    done: bool = False
    in_order: bool = False
    seconds_to_take_over: float | None = None  # from the kill (or cut, or terminate)
    seconds_to_done: float | None = None
    interrupted: bool = False  # the fault did stop the owner's delivery: the run's fence moved
    taken_over_while_alive: bool = False  # scenario kill-follower: owner or fence moved before the kill
    finished_by: str = ""  # the host whose process finished the run
    exit_codes: list[int | None] = field(default_factory=list)
    detail: str = ""  # on a miss: the run, its ledger and the processes' logs

    @property
    def ok(self) -> bool:
        return ((self.duplicates, self.gaps) == (0, 0) and self.done and self.in_order and self.interrupted
                and not self.taken_over_while_alive)  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Any, timeout: float, what: str, step: float = 0.01) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)
    return value


@contextlib.contextmanager
def schema() -> Any:
    """A fresh schema of the test database: its URL (direct), dropped afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{name}"')
        try:
            yield name
        finally:
            admin.execute("SET lock_timeout = '10s'")
            admin.execute(f'DROP SCHEMA "{name}" CASCADE')


def url_of(name: str, port: int = PG_PORT) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/test?options=-csearch_path%3D{name}"


def lease_holder(admin: Any, name: str) -> int | None:
    """The backend holding the scheduler lease of schema ``name`` (``bot/app.py`` lease_name)."""
    return holder_pid(admin, f"{DEFAULT_NAME}/{name}")


class Bots:
    """The bot processes of one trial, with their logs."""

    def __init__(self, arxiv: ArxivFeedServer, slack: GatedSlack, logs: Path, now: datetime) -> None:
        self.arxiv, self.slack, self.logs, self.now = arxiv, slack, logs, now
        self.procs: dict[str, Any] = {}
        self.ports: dict[str, int] = {}

    def start(self, host: str, url: str) -> None:
        port = free_port()
        log = str(self.logs / f"{host}.log")
        args = (url, self.arxiv.url, self.slack.base_url, self.slack.token, port, host, log, self.now.isoformat())
        proc = FORKS.Process(target=bot_process, args=args, name=host)
        proc.start()
        self.procs[host], self.ports[host] = proc, port

    def log(self, host: str) -> str:
        path = self.logs / f"{host}.log"
        return path.read_text() if path.exists() else ""

    def said(self, host: str, text: str) -> float | None:
        """When ``host`` first logged ``text`` (epoch seconds), if it did."""
        for line in self.log(host).splitlines():
            if text in line:
                return float(line.split(" ", 1)[0])
        return None

    def stop(self) -> list[int | None]:
        for proc in self.procs.values():
            if proc.exitcode is None:
                proc.terminate()  # SIGTERM: a clean stop
        for proc in self.procs.values():
            proc.join(30)
            if proc.exitcode is None:
                proc.kill()
                proc.join(10)
        return [proc.exitcode for proc in self.procs.values()]


def beating(store: Store, host: str) -> bool:
    return any(id.startswith(f"{host}:") for id in store.instances())


def ledger_report(store: Store, key: str, bots: Bots, posted: list[str]) -> str:
    run = store.get_run(key)
    lines = [f"run {key}: {run}"]
    lines += [f"  #{r.position} {r.state} message={r.message_id} error={r.error}" for r in store.deliveries(key)]
    lines.append(f"  posted at the fake, in order: {[p.rsplit('#', 1)[1] for p in posted]}")
    for host in bots.procs:
        lines.append(f"--- {host} log (tail) ---")
        lines += bots.log(host).splitlines()[-40:]
    return "\n".join(lines)


def trial(scenario: str, k: int, variant: str = "", *, logs: Path, seed: int = 0) -> Trial:
    """One trial of ``scenario`` ("kill-leader", "kill-follower", "cut", "terminate",
    "cut-at-finish"), the
    run's ``k``-th post (1 = the header) held when the fault is injected."""
    import psycopg

    rng = random.Random(seed)
    result = Trial(scenario, k, variant)
    logs.mkdir(parents=True, exist_ok=True)
    due = first_due()
    on_demand = scenario == "kill-follower"
    # /arxiv now runs a day before the weekly instant (nothing scheduled is owed); the
    # scheduled scenarios 30 s after it.
    now = due - timedelta(days=1) if on_demand else due + timedelta(seconds=30)
    with (
        schema() as name,
        psycopg.connect(PG_DSN, autocommit=True) as admin,
        ArxivFeedServer(papers(due - timedelta(days=6), 7, per_day=2)) as arxiv,
        GatedSlack(k) as slack,
        TcpProxy(PG_PORT) as proxy,
    ):
        store = open_store(url_of(name))
        bots = Bots(arxiv, slack, logs, now)
        try:
            sub = subscribe(store, ChannelRef("slack", "T0TEAM", CHANNEL), max_papers=CARDS)
            key = run_key(sub.id, due)
            leader_url = url_of(name, proxy.port) if scenario.startswith("cut") else url_of(name)
            bots.start("bot-a", leader_url)  # first: it takes the lease
            wait_for(lambda: lease_holder(admin, name), 20, "bot-a to take the lease")
            if on_demand:
                # The follower owns the run: it takes /arxiv now. The leader sweeps meanwhile.
                bots.start("bot-b", url_of(name))
                command = slash_command(SECRET, "now", channel_id=CHANNEL, response_url=slack.response_url("now"))
                wait_for(lambda: deliver(bots.ports["bot-b"], command) == 200, 30, "bot-b to take /arxiv now", 0.05)
                wait_for(slack.arrived.is_set, 30, f"post {k} to arrive")
                [run] = store.runs(states=("delivering",))
                key, owner, fence = run.key, run.owner, run.fence
                # Held for longer than the stale window: the owner is slow, not dead.
                watched_until = time.monotonic() + STALE + 1.0
                while time.monotonic() < watched_until:
                    now_run = store.get_run(key)
                    if (now_run.owner, now_run.fence) != (owner, fence) or len(slack.keys()) != k - 1:
                        result.taken_over_while_alive = True
                    time.sleep(0.02)
                victim = "bot-b"
            else:
                wait_for(slack.arrived.is_set, 30, f"post {k} to arrive")
                bots.start("bot-b", url_of(name))
                wait_for(lambda: beating(store, "bot-b"), 20, "bot-b to beat")
                time.sleep(2 * LEASE)  # the follower has tried the lease and is following
                run = store.get_run(key)
                owner, fence = run.owner, run.fence
                victim = "bot-a"
            assert owner is not None and owner.startswith(f"{victim}:"), (owner, victim)

            if scenario.startswith("kill"):
                bots.procs[victim].kill()  # SIGKILL
                struck = time.time()
                bots.procs[victim].join(10)
                slack.release(variant or "drop")  # the held post: never stored, or stored unanswered
            elif scenario == "cut-at-finish":
                proxy.cut_on(FINISH_SQL)
                slack.release("store")  # the last post: then the run's ending, which trips the cut
                wait_for(proxy.tripped.is_set, 10, "the leader to end the run")
                struck = time.time()
            elif scenario == "terminate-slow-post":
                struck = time.time()  # the post is still in flight (held by Slack) when the lease ends
                pid = lease_holder(admin, name)
                assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
                with contextlib.suppress(TimeoutError):  # the held card posted again by the new owner
                    wait_for(lambda: f"{key}#{k - 1}" in slack.keys(), 10, "another process to post the card")
                slack.release("store")  # ... and the slow post lands now
            else:
                slack.release("store")  # the post in flight lands; the fault comes during or after it
                time.sleep(rng.uniform(0, 3 * POST_LATENCY))
                struck = time.time()
                if scenario == "cut":
                    cut = proxy.cut()
                    assert cut >= 1, "no connection of the leader went through the proxy"
                else:
                    pid = lease_holder(admin, name)
                    assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)

            taken = None
            deadline = time.monotonic() + (4 * STALE + 1 if scenario == "cut-at-finish" else 30)
            while time.monotonic() < deadline:
                current = store.get_run(key)
                if taken is None and current.fence > fence:
                    taken = time.time()
                if current.state == "done":
                    result.seconds_to_done = time.time() - struck
                    break
                time.sleep(0.01)
            if taken is not None:
                result.seconds_to_take_over = taken - struck
            result.interrupted = store.get_run(key).fence > fence
            time.sleep(0.5)  # a duplicate, if any, would come now
            final = store.get_run(key)
            result.done = final.state == "done"
            rows = store.deliveries(key)
            expected = [f"{key}#{row.position}" for row in rows]
            posted = slack.keys()
            counts = Counter(posted)
            result.duplicates = sum(n - 1 for n in counts.values())
            result.gaps = len(set(expected) - set(posted))
            result.in_order = posted == expected
            for host in ("bot-a", "bot-b"):
                if bots.said(host, f"taking over digest {key}"):
                    result.finished_by = host
            if not result.finished_by and result.done:
                result.finished_by = "bot-a (kept it)"
            result.exit_codes = bots.stop()
            if not result.ok:
                result.detail = ledger_report(store, key, bots, posted)
        finally:
            bots.stop()
            store.close()
    return result


def plan(scenario: str, trials: int, seed: int = 1) -> list[tuple[int, str]]:
    """(k, variant) per trial: the held post cycles over the digest, the variant alternates."""
    if scenario == "cut-at-finish":
        return [(CARDS + 1, "")] * trials  # held: the last post; the cut comes at the ending after it
    # A card after the header, early enough that the fault lands while cards remain.
    ks = list(range(2, 7)) if scenario.startswith(("cut", "terminate")) else list(range(2, CARDS + 1))
    variants = ["drop", "lost"] if scenario.startswith("kill") else [""]
    return [(ks[i % len(ks)], variants[i % len(variants)]) for i in range(trials)]


def run_scenario(scenario: str, trials: int, logs: Path) -> list[Trial]:
    out = []
    for i, (k, variant) in enumerate(plan(scenario, trials)):
        out.append(trial(scenario, k, variant, logs=logs / f"{scenario}-{i}", seed=i))
    return out


def summary(scenario: str, results: list[Trial]) -> tuple[str, bool]:
    dup = sum(r.duplicates for r in results)
    gaps = sum(r.gaps for r in results)
    done = sum(r.done for r in results)
    ordered = sum(r.in_order for r in results)
    n = len(results)
    hit = sum(r.interrupted for r in results)
    line = (f"  {scenario:<13} {n} trials: duplicates {dup} (target 0), gaps {gaps} (target 0), "
            f"done {done}/{n} (target {n}), in order {ordered}/{n}, fault hit mid-digest {hit}/{n}")  # fmt: skip
    ok = dup == 0 and gaps == 0 and done == n and ordered == n and hit == n
    took = [r.seconds_to_take_over for r in results if r.seconds_to_take_over is not None]
    finished = [r.seconds_to_done for r in results if r.seconds_to_done is not None]
    if scenario.startswith("kill"):
        target = STALE + LEASE
        slow = [t for t in took if t > target]
        line += (f"\n{'':16}kill -> take-over max {max(took, default=float('nan')):.2f} s, median "
                 f"{statistics.median(took) if took else float('nan'):.2f} s (target <= {target:.1f} s: stale window "
                 f"3 x {HEARTBEAT} s + one {LEASE} s sweep); kill -> done max {max(finished, default=float('nan')):.2f} s")  # fmt: skip
        ok = ok and not slow and len(took) == n
        if scenario == "kill-follower":
            early = sum(r.taken_over_while_alive for r in results)
            line += f"\n{'':16}taken over while the owner beat: {early} (target 0)"
            ok = ok and early == 0
    elif finished:
        line += f"\n{'':16}fault -> done max {max(finished):.2f} s; finished by " + ", ".join(
            f"{host} {count}x" for host, count in Counter(r.finished_by for r in results).items()
        )
    bad_exit = [r for r in results if any(code != 0 for code in r.exit_codes if not r.scenario.startswith("kill"))]
    if bad_exit:
        line += f"\n{'':16}non-zero exits on SIGTERM: {[r.exit_codes for r in bad_exit]}"
    return line + ("" if ok else "  MISSED"), ok


def main() -> int:
    import tempfile

    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    logs = Path(tempfile.mkdtemp(prefix="fencing-"))
    print(f"two bot processes on one PostgreSQL schema; heartbeat {HEARTBEAT} s, lease {LEASE} s; "
          f"{CARDS} cards + header; logs in {logs}")  # fmt: skip
    failed = False
    scenarios = (("kill-follower", 2), ("kill-leader", 2), ("cut", trials), ("terminate", trials), ("cut-at-finish", 2),
                 ("terminate-slow-post", 2))  # fmt: skip
    for scenario, n in scenarios:
        results = run_scenario(scenario, n, logs)
        line, ok = summary(scenario, results)
        print(line, flush=True)
        for r in results:
            if not r.ok:
                print(f"    trial k={r.k} {r.variant}: {r}\n{r.detail}")
        failed = failed or not ok
    return 1 if failed else 0


if __name__ == "__main__":
    from bench import fencing  # the children's code by its importable name, for the forkserver

    sys.exit(fencing.main())
