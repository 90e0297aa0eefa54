"""A tick of thousands of subscriptions on the job queue, with 1, 2 and 4 worker processes:
wall time over the true floor, and the speed-up each worker added brings.

The queued path end to end, on the real PostgreSQL (a schema of its own): this process is
the leader (``Tick.catch_up`` with the queue on: one ``plan`` job per topic group, nothing
else); N ``digest-bot worker`` processes (``bot/worker.py``, settings from the
environment, as the CLI runs them) take the plan jobs and deliver what they plan (the
topic's arXiv search, ranking, runs and ledgers written; each card summarised just ahead
of its post, the week at a glance, ``SlackPort`` posting through slack_sdk over loopback
HTTP); ``deliver`` jobs come only from recovery. Every worker paces through the shared pacer in PostgreSQL
(``digest/store/pacing.py``): arXiv's spacing, each channel's rate and each workspace's
rate hold across all of them. The fakes (arXiv, the LLM, Slack) are served from child
processes (``bench/apart.py``), as in ``bench/scale.py``, every interval multiplied by
one factor ``scale``:

- arXiv: 3 s x scale between requests, whichever worker asks;
- the LLM server answers in 1 to 3 s x scale (uniform, seeded) with a fixed capacity of
  ``llm.concurrency`` (4) requests at once; the rest queue at the server, so adding
  workers (each with its own client concurrency) does not make the model faster;
- Slack: one message a second per channel and ``slack.workspace_messages_per_minute``
  (300) per workspace, the channels spread over ``WORKSPACES`` (20) workspaces, each
  topic's channels over all of them.

The true floor is the largest of five bounds: (a) arXiv: requests x spacing; (b) the LLM:
summaries x their mean latency / the server's capacity; (c) chat: the busiest channel's
messages at its rate and the busiest workspace's at its rate; (d) a header waits for its
digest's cards and then its week at a glance (the cards' share of (b), one overview at
the model's fastest), then the channel's messages follow (c's channel part); (e) the
topic searched last starts after every other search, then one card and its overview at
the model's fastest, then its messages at the channel and workspace limits (the topic
whose messages take least, were it searched last).

Figures, targets beside them: every digest delivered once [every channel its header and
cards exactly once]; the per-workspace limit held [at most the limit + 1 in any minute,
GCRA letting one through at each end, and 10 % more for the posts' arrival jitter]; wall over floor with 4 workers [<= 1.2]; the speed-up
wall(1)/wall(N) [ideal: N, capped at wall(1)/floor, since the floor does not shrink with
workers]. Also each worker's CPU and the whole machine's busy share (the fakes,
PostgreSQL and the workers share this machine's cores).

    .venv/bin/python bench/scale_workers.py            # the matrix: 1, 2, 4 workers; exits 1 on a miss
    .venv/bin/python bench/scale_workers.py WORKERS [--subscriptions N] [--topics N] [--cards N] [--scale S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.apart import Apart  # noqa: E402
from bench.scale_cluster import ServedLLM, Workers, cluster_tally, machine_busy, workspace_of  # noqa: E402
from bench.scale_world import TopicalArxiv, store_url  # noqa: E402
from bot.jobs import Queue, job_counts, queue_app  # noqa: E402
from bot.scheduler import DigestScheduler  # noqa: E402
from config.settings import SchedulerSettings  # noqa: E402
from digest.cards.extractive import ExtractiveSummarizer  # noqa: E402
from digest.delivery.deliverer import Deliverer  # noqa: E402
from digest.engine import Engine  # noqa: E402
from digest.models import ChannelRef  # noqa: E402
from digest.store import open_store  # noqa: E402
from tests.engine_fixtures import Clock, arxiv_source  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.scheduler_fixtures import first_due, papers, subscribe  # noqa: E402

ARXIV_SPACING, LLM_LATENCY = 3.0, (1.0, 3.0)  # real seconds
SLACK_RATE, WORKSPACE_PER_MINUTE = 1.0, 300.0  # messages a second per channel; a minute per workspace
CAPACITY = 4  # the LLM server's slots: llm.concurrency's default, one process's whole demand
WORKSPACES = 20
TARGET, TARGET_WORKERS = 1.2, 4
# Subscriptions, topics, cards per digest, scale, jobs per worker at once: the issue's
# 10,000 subscriptions, every interval x0.5 (floor about 300 s, arXiv's spacing); about
# 15 ms of worker CPU a subscription leaves half of 2 cores idle. The matrix: about 19 min.
DEFAULT = dict(subscriptions=10000, topics=200, cards=2, scale=0.5, concurrency=64)
MATRIX = (1, 2, 4)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_env(url: str, arxiv: str, llm: str, slack: str, token: str, scale: float, concurrency: int) -> dict[str, str]:
    """A worker's settings, as an operator sets them: only base URLs and intervals differ."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "SLACK_", "DISCORD_", "OPENAI_"))}
    return env | {
        "DIGEST_DATABASE_URL": url,
        "DIGEST_QUEUE_ENABLED": "true",
        "DIGEST_QUEUE_CONCURRENCY": str(concurrency),
        "DIGEST_ARXIV_API_URL": arxiv,
        "DIGEST_ARXIV_LISTING_URL": f"{arxiv}/listing",  # 404: the per-topic search serves, as in bench/scale.py
        "DIGEST_ARXIV_OAI_URL": f"{arxiv}/oai",
        "DIGEST_ARXIV_HTML_URL": f"{arxiv}/html/",
        "DIGEST_ARXIV_PDF_URL": f"{arxiv}/pdf/",
        "DIGEST_ARXIV_MIN_INTERVAL": str(ARXIV_SPACING * scale),
        "OPENAI_BASE_URL": llm,
        "OPENAI_API_KEY": "sk-test-secret",
        "DIGEST_LLM_CONCURRENCY": str(CAPACITY),
        "DIGEST_SLACK_API_URL": slack,
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": "bench-signing-secret",
        "DIGEST_SLACK_MESSAGES_PER_SECOND": str(SLACK_RATE / scale),
        "DIGEST_HTTP_PORT": str(_free_port()),
    }


async def measure(workers: int = 1, subscriptions: int = 2000, topics: int = 40, *, cards: int = 2,
                  scale: float = 0.1, concurrency: int = 64, workspaces: int = WORKSPACES,
                  workspace_per_minute: float = WORKSPACE_PER_MINUTE, timeout: float = 1200.0, profile: str = "") -> dict:  # fmt: skip
    """One tick on the queue with ``workers`` worker processes; the figures (see the module).
    Raises RuntimeError when a worker does not start or the tick does not end in ``timeout`` s."""
    due = first_due()
    entries = [e for t in range(topics) for e in papers(due - timedelta(days=6), 7, 2, offset=t * 100,
                                                         topic=f"topic{t:03d} synthetic data")]  # fmt: skip
    low, high = LLM_LATENCY
    minute = 60.0 * scale
    arxiv = Apart(lambda: TopicalArxiv(entries), lambda server: server.url, lambda server: len(server.requests))
    llm = Apart(lambda: ServedLLM(capacity=CAPACITY, latency=(low * scale, high * scale)), lambda server: server.base_url,
                lambda server: (len(server.card_requests()), server.count, sum(server.latencies), server.max_in_flight))  # fmt: skip
    slack = Apart(FakeSlackAPI, lambda server: server.base_url, lambda server: cluster_tally(server, workspaces, topics, minute))
    with (arxiv as arxiv_url, llm as llm_url, slack as slack_url, store_url("postgres") as url,
          tempfile.TemporaryDirectory() as logs):  # fmt: skip
        db = open_store(url)  # migrated: the queue's tables too
        for i in range(subscriptions):
            channel = ChannelRef("slack", workspace_of(f"C{i:05d}", workspaces, topics), f"C{i:05d}")
            subscribe(db, channel, topic=f"topic{i % topics:03d} synthetic data", max_papers=cards)
        clock = Clock(due + timedelta(seconds=1))
        env = worker_env(url, arxiv_url, llm_url, slack_url, "xoxb-test-token", scale, concurrency)
        env["DIGEST_SLACK_WORKSPACE_MESSAGES_PER_MINUTE"] = str(workspace_per_minute / scale)
        cluster = Workers(workers, env, clock.now.isoformat(), Path(logs), profile)
        try:
            await asyncio.to_thread(cluster.wait_ready)
            # The leader: decides what is due and defers it; it posts nothing itself.
            app = queue_app(url, pool_size=2)
            await app.open_async()
            engine = Engine(arxiv_source(arxiv_url), db, ExtractiveSummarizer(), clock=clock)  # unused: no posts here
            scheduler = DigestScheduler(db, Deliverer(engine, db, {}), SchedulerSettings(), clock)
            scheduler.tick.queue = Queue(app, stale_seconds=60.0)
            cpu0, (busy0, total0) = cluster.cpu(), machine_busy()
            began, leader_cpu, load = time.monotonic(), time.process_time(), os.getloadavg()[0]
            await scheduler.tick.catch_up()
            deferred = time.monotonic() - began
            while (counts := await asyncio.to_thread(job_counts, db.engine))["todo"] + counts["doing"]:
                if time.monotonic() - began > timeout:
                    raise RuntimeError(f"the tick did not end in {timeout:.0f} s ({counts}):\n{cluster.tail()}")
                await asyncio.sleep(0.1)
            wall, leader_cpu = time.monotonic() - began, time.process_time() - leader_cpu
            load = max(load, os.getloadavg()[0])
            cpu, (busy1, total1) = [b - a for a, b in zip(cpu0, cluster.cpu())], machine_busy()
            await app.close_async()
            await engine.aclose()
        finally:
            codes = cluster.stop()
        jobs_done, problems = cluster.jobs_done(), cluster.problems()
        runs = db.scheduled_runs()
        with db.engine.connect() as conn:
            failed_jobs = conn.exec_driver_sql(
                "SELECT count(*) FROM procrastinate_jobs WHERE status::text = 'failed'").scalar_one()  # fmt: skip
        db.close()
    tally = slack.figures
    card_calls, llm_calls, llm_seconds, llm_peak = llm.figures
    channel_rate, workspace_rate = SLACK_RATE / scale, workspace_per_minute / minute
    per_channel, per_workspace = tally.slack.per_channel, tally.per_workspace
    # The LLM work a tick needs: each unique paper's card once and each topic's week at a
    # glance once (its channels get the same cards); calls made twice are not the floor's.
    mean = llm_seconds / max(llm_calls, 1)
    needed = tally.slack.papers + topics * (cards > 1)  # a single card has no header, no overview
    bounds = {
        "arxiv": arxiv.figures * ARXIV_SPACING * scale,
        "llm": needed * mean / CAPACITY,
        "channel": (max(per_channel.values()) - 1) / channel_rate,
        "workspace": (max(per_workspace.values()) - 1) / workspace_rate,
    }
    cards_work = tally.slack.papers * mean / CAPACITY  # the cards' share of (b)
    bounds["serial"] = cards_work + low * scale + bounds["channel"]
    # (e) The topic searched last cannot start before every other search: then its cards
    # and its overview, each at the model's fastest, then its messages at their limits.
    tails = posting_tails(per_channel, topics, workspaces, channel_rate, workspace_rate)
    bounds["last"] = (arxiv.figures - 1) * ARXIV_SPACING * scale + 2 * low * scale + min(tails)
    binding = max(bounds, key=bounds.__getitem__)
    return {
        "workers": workers, "subscriptions": subscriptions, "topics": topics, "cards": cards, "scale": scale,
        "concurrency": concurrency, "workspaces": workspaces,
        "delivered": sum(run.state == "done" for run in runs), "runs": len(runs), "failed_jobs": failed_jobs,
        "problems": problems,  # the workers' warnings and errors, and jobs that failed
        "jobs_done": jobs_done,  # per worker: its plan and deliver jobs ended in success
        "exit_codes": codes,
        "messages": sum(per_channel.values()), "channels": len(per_channel),
        "exact_channels": sum(n == cards + 1 for n in per_channel.values()),
        "busiest_channel": max(per_channel.values()), "busiest_workspace": max(per_workspace.values()),
        "worst_minute": tally.worst_minute, "workspace_limit": workspace_per_minute,
        "arxiv_requests": arxiv.figures, "llm_calls": llm_calls, "card_calls": card_calls,
        "unique_papers": tally.slack.papers, "llm_mean_latency": mean, "llm_needed": needed,
        "llm_per_paper": card_calls / max(tally.slack.papers, 1),
        "overviews_per_topic": (llm_calls - card_calls) / topics,
        "llm_peak_at_server": llm_peak,
        "wall": wall, "deferred": deferred, "first_post": tally.slack.first_post - began,
        "last_post": tally.slack.last_post - began,
        "worker_cpu": cpu, "leader_cpu": leader_cpu,
        "machine_busy": (busy1 - busy0) / max(total1 - total0, 1e-9),  # share of all cores over the tick
        "cores": os.cpu_count(), "load": load,  # the 1-minute load average, the higher of start and end
        "bounds": bounds, "binding": binding, "floor": bounds[binding], "ratio": wall / bounds[binding],
    }  # fmt: skip


def posting_tails(per_channel: dict[str, int], topics: int, workspaces: int, channel_rate: float,
                  workspace_rate: float) -> list[float]:  # fmt: skip
    """Per topic, the least time its messages take at the limits once its first is sent: its
    busiest channel at the channel rate, its busiest workspace at the workspace rate."""
    channel: dict[int, int] = defaultdict(int)
    workspace: dict[tuple[int, str], int] = defaultdict(int)
    for name, n in per_channel.items():
        topic = int(name[1:]) % topics
        channel[topic] = max(channel[topic], n)
        workspace[topic, workspace_of(name, workspaces, topics)] += n
    busiest = {topic: max(n for (t, _), n in workspace.items() if t == topic) for topic in channel}
    return [max((channel[t] - 1) / channel_rate, (busiest[t] - 1) / workspace_rate) for t in channel]


def delivered_once(r: dict) -> bool:
    return r["delivered"] == r["runs"] == r["subscriptions"] == r["exact_channels"] == r["channels"]


# The pacer spaces posts as they leave; Slack counts them as they arrive, after a loopback
# round trip that varies on a loaded machine, while the scaled interval shrinks (300 a
# minute x0.1: 20 ms). A limit kept per process instead of shared would be N times over.
JITTER = 0.1


def workspace_held(r: dict, jitter: float = JITTER) -> bool:
    """At most the per-minute limit + 1 (GCRA lets one through at each end of a minute),
    and ``jitter`` of the limit more, in any scaled minute of one workspace."""
    return r["worst_minute"] <= r["workspace_limit"] * (1 + jitter) + 1


def report(r: dict) -> bool:
    """Print one run's figures, targets beside them; True when every target was met."""
    b, s = r["bounds"], r["scale"]
    print(f"{r['workers']} worker process(es), {r['concurrency']} jobs each at once: {r['subscriptions']} subscriptions "
          f"over {r['topics']} topics and {r['workspaces']} workspaces, {r['cards']} cards per digest, intervals "
          f"x{s:g}: {r['messages']} messages, {r['unique_papers']} unique papers")  # fmt: skip
    once, held = delivered_once(r), workspace_held(r)
    print(f"  delivered {r['delivered']}/{r['runs']} runs, {r['exact_channels']}/{r['channels']} channels got "
          f"exactly {r['cards'] + 1} messages, {r['failed_jobs']} failed jobs  (target: all, once: "
          f"{'met' if once else 'MISSED'})")  # fmt: skip
    print(f"  busiest workspace: at most {r['worst_minute']} messages in any {60 * s:g} s (a scaled minute)  "
          f"(target <= {r['workspace_limit']:g} + 1, {JITTER:.0%} more for arrival jitter: {'met' if held else 'MISSED'})")  # fmt: skip
    shared = r["arxiv_requests"] == r["topics"] and r["llm_per_paper"] == 1.0 and r["overviews_per_topic"] == 1.0
    print(f"  shared work: arXiv requests per topic {r['arxiv_requests'] / r['topics']:.2f}, LLM calls per unique paper "
          f"{r['llm_per_paper']:.2f}, week-at-a-glance calls per topic {r['overviews_per_topic']:.2f}  (target 1, 1.0, "
          f"1.0, whichever worker does it: {'met' if shared else 'MISSED'})")  # fmt: skip
    print(f"  bounds: (a) arXiv {r['arxiv_requests']} requests x {ARXIV_SPACING * s:.3f} s = {b['arxiv']:.2f} s; "
          f"(b) LLM {r['llm_needed']} summaries x {r['llm_mean_latency']:.3f} s / {CAPACITY} slots = {b['llm']:.2f} s; "
          f"(c) chat: {r['busiest_channel']} messages in a channel = {b['channel']:.2f} s, {r['busiest_workspace']} in "
          f"a workspace at {r['workspace_limit']:g}/min = {b['workspace']:.2f} s; (d) cards, one overview, a "
          f"channel = {b['serial']:.2f} s; (e) the last search, a card and an overview at the fastest, that "
          f"topic's messages at their limits = {b['last']:.2f} s  -> {r['binding']} binds")  # fmt: skip
    target = r["workers"] >= TARGET_WORKERS
    ok = r["ratio"] <= TARGET or not target
    aim = (f"target <= {TARGET}: {'met' if ok else 'MISSED'}" if target
           else f"no target with fewer than {TARGET_WORKERS} workers; with {TARGET_WORKERS}: <= {TARGET}")  # fmt: skip
    print(f"  wall {r['wall']:.2f} s over the true floor {r['floor']:.2f} s = {r['ratio']:.3f}  ({aim})")
    cpu = r["worker_cpu"]
    jobs = ", ".join(f"{done['plan']}+{done['deliver']}" for done in r["jobs_done"])
    print(f"  plan jobs deferred in {r['deferred']:.2f} s; first post {r['first_post']:.2f} s, last {r['last_post']:.2f} s; "
          f"workers' CPU {sum(cpu):.1f} s ({', '.join(f'{c:.1f}' for c in cpu)}; {sum(cpu) / r['wall']:.2f} cores), "
          f"jobs done (plan+deliver) per worker {jobs}; "
          f"the machine {r['machine_busy']:.0%} busy of {r['cores']} cores (load average up to {r['load']:.1f}); LLM requests at the server at once: "
          f"{r['llm_peak_at_server']} (serving {CAPACITY})")  # fmt: skip
    for line in r["problems"]:
        print(f"  worker log: {line[:300]}")
    return once and held and shared and ok and not any(r["exit_codes"])


def summary(results: list[dict]) -> bool:
    """The matrix's table and the speed-ups; True when every run met its targets."""
    print(f"\n{'workers':>7} {'wall s':>8} {'floor s':>8} {'ratio':>6} {'target':>7} {'speed-up':>9} {'ideal':>6} "
          f"{'CPU s':>7} {'machine':>8} {'load':>5}")  # fmt: skip
    one = results[0]["wall"] if results and results[0]["workers"] == 1 else None
    for r in results:
        speed = f"{one / r['wall']:.2f}" if one else "-"
        ideal = f"{min(r['workers'], one / r['floor']):.2f}" if one else "-"
        target = f"<= {TARGET}" if r["workers"] >= TARGET_WORKERS else "-"
        print(f"{r['workers']:>7} {r['wall']:>8.2f} {r['floor']:>8.2f} {r['ratio']:>6.3f} {target:>7} {speed:>9} "
              f"{ideal:>6} {sum(r['worker_cpu']):>7.1f} {r['machine_busy']:>8.0%} {r['load']:>5.1f}")  # fmt: skip
    by = {r["workers"]: r for r in results}
    steps = [(a, b) for a, b in zip(MATRIX, MATRIX[1:]) if a in by and b in by]
    for a, b in steps:
        print(f"speed-up from {a} to {b} workers: wall({a})/wall({b}) = {by[a]['wall'] / by[b]['wall']:.2f}")
    return all(r.get("ok", False) for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workers", type=int, nargs="?")
    for name, value in DEFAULT.items():
        parser.add_argument(f"--{name}", type=type(value), default=value)
    parser.add_argument("--json", type=Path, help="also write the figures there")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds a tick may take before it fails")
    parser.add_argument("--profile", default="", help="a folder for the workers' cProfile stats (one run)")
    args = parser.parse_args()
    options = {name: getattr(args, name) for name in DEFAULT}
    if args.workers is not None:
        r = asyncio.run(measure(args.workers, **options, timeout=args.timeout, profile=args.profile))
        r["ok"] = report(r)
        if args.json:
            args.json.write_text(json.dumps(r))
        sys.exit(0 if r["ok"] else 1)
    # The matrix, each run in a process of its own (a fresh leader, fresh fakes, a fresh schema).
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in MATRIX:
            out = Path(tmp) / f"{n}.json"
            command = [sys.executable, __file__, str(n), "--json", str(out)]
            command += [x for name, value in options.items() for x in (f"--{name}", str(value))]
            subprocess.run(command)
            if out.exists():
                results.append(json.loads(out.read_text()))
            else:
                print(f"{n} worker(s): no figures (the run failed)")
    sys.exit(0 if summary(results) and len(results) == len(MATRIX) else 1)


if __name__ == "__main__":
    main()
