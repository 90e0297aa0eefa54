"""Subscriptions due at one tick, against what bounds a real one: wall time over the true floor.

Every subscription has its own Slack channel; all are due on Monday 09:00 UTC and the
scheduler catches them up at one tick (``Tick.catch_up``), through the real engine,
Deliverer, ledger and ``SlackPort`` (slack_sdk over loopback HTTP), on SQLite or on
PostgreSQL, with each digest planned by its topic's arXiv search (no harvester: the
per-topic search path). What bounds a real tick is modelled, every interval multiplied
by one factor ``scale`` so that a run stays short (the ratios are scale-free):

- arXiv: every search waits at the one process-wide gate, ``3 s x scale`` apart;
- the LLM answers in ``1 to 3 s x scale`` (uniform, seeded) at ``llm.concurrency`` of
  config/default.toml at once;
- Slack: about one message a second per channel, ``SlackPort``'s pacing at ``1/scale``.

The fakes (arXiv, the LLM, Slack) are served from child processes (``bench/apart.py``):
in production they are other machines, so their CPU is not the bot's.

Figures (targets in brackets):
- arXiv requests per distinct topic [1, plus paging]; LLM calls per unique paper [1.0]
  (cards; and one week at a glance per distinct topic [1.0]);
- peak memory: the process's max RSS; with ``--tracemalloc`` also the Python heap's peak
  (tracing slows Python down several times, so that run's wall time means nothing);
- wall time over the true floor [<= 1.2], the largest of four bounds: (a) arXiv:
  requests x spacing; (b) LLM: summaries x their mean latency / concurrency; (c) chat:
  the busiest channel's messages spaced at its rate, (messages - 1) / rate; (d) the
  header waits for its week at a glance, written over its digest's cards: the LLM's
  work (b), then one overview at the model's fastest, then a channel's messages (c).

    .venv/bin/python bench/scale.py              # the matrix below; exits 1 on a miss
    .venv/bin/python bench/scale.py SUBS TOPICS [--store sqlite|postgres] [--cards N]
                                   [--scale S] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import time
import tomllib
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.apart import Apart  # noqa: E402
from bench.scale_world import TopicalArxiv, slack_tally, store_url  # noqa: E402
from bot.scheduler import DigestScheduler  # noqa: E402
from bot.slack.port import SlackPort, slack_client  # noqa: E402
from config.settings import SchedulerSettings, SlackSettings  # noqa: E402
from digest.cards.summarize import LLMSummarizer  # noqa: E402
from digest.delivery.deliverer import Deliverer  # noqa: E402
from digest.engine import Engine  # noqa: E402
from digest.models import ChannelRef  # noqa: E402
from digest.store import open_store  # noqa: E402
from tests.engine_fixtures import Clock, arxiv_source, llm_client  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.scheduler_fixtures import first_due, papers, subscribe  # noqa: E402

PAPERS_PER_TOPIC, MAX_PAPERS = 14, 10  # two a day for a week; ten cards per digest
ARXIV_SPACING, LLM_LATENCY, SLACK_RATE = 3.0, (1.0, 3.0), 1.0  # real seconds; messages/s per channel
CONCURRENCY = tomllib.loads((ROOT / "config/default.toml").read_text())["llm"]["concurrency"]
TARGET = 1.2
# (subscriptions, topics, cards per digest, scale): each run's floor well above the CPU
# the bot needs on a 2-core machine, the whole matrix within about five minutes.
MATRIX = [(1000, 50, MAX_PAPERS, 0.15), (10000, 500, 2, 0.06)]


async def measure(subscriptions: int = 1000, topics: int = 50, *, store: str = "sqlite", cards: int = MAX_PAPERS,
                  scale: float = 0.1, trace: bool = False) -> dict[str, float]:  # fmt: skip
    due = first_due()
    start = due - timedelta(days=6)
    entries = [e for t in range(topics) for e in papers(start, 7, 2, offset=t * 100, topic=f"topic{t:03d} synthetic data")]
    low, high = LLM_LATENCY
    # The fakes run in child processes, as arXiv, the LLM and Slack are other machines.
    arxiv = Apart(lambda: TopicalArxiv(entries), lambda server: server.url, lambda server: len(server.requests))
    llm = Apart(lambda: FakeOpenAI(latency=(low * scale, high * scale)), lambda server: server.base_url,
                lambda server: (len(server.card_requests()), server.count, sum(server.latencies)))  # fmt: skip
    slack = Apart(FakeSlackAPI, lambda server: server.base_url, slack_tally)
    rate = SLACK_RATE / scale
    with arxiv as arxiv_url, llm as llm_url, slack as slack_url, store_url(store) as url:
        db = open_store(url)
        for i in range(subscriptions):
            subscribe(db, ChannelRef("slack", "T0TEAM", f"C{i:05d}"), topic=f"topic{i % topics:03d} synthetic data",
                      max_papers=cards)  # fmt: skip
        clock = Clock(due + timedelta(seconds=1))
        settings = SlackSettings(bot_token="xoxb-test-token", api_url=slack_url, messages_per_second=rate)
        port = SlackPort(slack_client(settings), messages_per_second=rate)
        source = arxiv_source(arxiv_url, min_interval=ARXIV_SPACING * scale)  # at the one gate, as in production
        engine = Engine(source, db, LLMSummarizer(llm_client(llm_url, CONCURRENCY)), clock=clock)
        scheduler = DigestScheduler(db, Deliverer(engine, db, {"slack": port}), SchedulerSettings(), clock)
        if trace:
            tracemalloc.start()
        began, cpu = time.monotonic(), time.process_time()
        runs = await scheduler.tick.catch_up()
        wall, cpu = time.monotonic() - began, time.process_time() - cpu
        heap_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
        await engine.aclose()
        await port.aclose()
        db.close()
    assert len(runs) == subscriptions and all(run.state == "done" for run in runs), "not every digest was delivered"
    tally, (card_calls, llm_calls, llm_seconds) = slack.figures, llm.figures
    bounds = {
        "arxiv": arxiv.figures * ARXIV_SPACING * scale,
        "llm": llm_seconds / CONCURRENCY,
        "chat": (max(tally.per_channel.values()) - 1) / rate,
    }
    # (d) A digest's header goes out once its cards and then its overview are written
    # (digest/delivery/overview.py), so the last topic's channels post after all of it.
    cards_work = llm_seconds * card_calls / max(llm_calls, 1) / CONCURRENCY  # the cards' share of (b)
    bounds["serial"] = cards_work + LLM_LATENCY[0] * scale + bounds["chat"]
    binding = max(bounds, key=bounds.__getitem__)
    return {
        "subscriptions": subscriptions, "topics": topics, "store": store, "cards": cards, "scale": scale,
        "messages": sum(tally.per_channel.values()), "busiest": max(tally.per_channel.values()),
        "arxiv_requests": arxiv.figures,
        "arxiv_per_topic": arxiv.figures / topics,
        "llm_per_paper": card_calls / tally.papers,
        "overviews_per_topic": (llm_calls - card_calls) / topics,  # the week at a glance: once per same cards
        "llm_mean_latency": llm_seconds / max(llm_calls, 1),
        "unique_papers": tally.papers,
        "wall": wall, "cpu": cpu,
        "first_post": tally.first_post - began,
        "last_post": tally.last_post - began,
        "slowest_start": tally.slowest_start - began,
        "bounds": bounds, "binding": binding, "floor": bounds[binding],
        "ratio": wall / bounds[binding],
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "heap_peak_mib": heap_peak / 2**20,
    }  # fmt: skip


def report(r: dict) -> bool:
    """Print one run's figures; True when it met the target."""
    b, s = r["bounds"], r["scale"]
    print(f"{r['subscriptions']} subscriptions over {r['topics']} topics on {r['store']}, {r['cards']} cards per "
          f"digest, intervals x{s:g}: {r['messages']} messages, {r['unique_papers']} unique papers")  # fmt: skip
    print(f"  arXiv requests per distinct topic  {r['arxiv_per_topic']:.2f}  (target 1 plus paging)")
    print(f"  LLM calls per unique paper         {r['llm_per_paper']:.2f}  (target 1.0)")
    print(f"  overview calls per distinct topic  {r['overviews_per_topic']:.2f}  (target 1.0: its channels get the same cards)")
    print(f"  bounds: (a) arXiv {r['arxiv_requests']} requests x {ARXIV_SPACING * s:.3f} s = {b['arxiv']:.2f} s; "
          f"(b) LLM {r['unique_papers']} summaries x {r['llm_mean_latency']:.3f} s / {CONCURRENCY} = {b['llm']:.2f} s; "
          f"(c) chat {r['busiest']} messages in one channel, {s / SLACK_RATE:.3f} s apart = {b['chat']:.2f} s; "
          f"(d) cards, one overview, then (c) = {b['serial']:.2f} s  -> {r['binding']} binds")  # fmt: skip
    ok = r["ratio"] <= TARGET
    print(f"  wall {r['wall']:.2f} s over the true floor {r['floor']:.2f} s = {r['ratio']:.3f}  "
          f"(target <= {TARGET}: {'met' if ok else 'MISSED'})")  # fmt: skip
    print(f"  first post after {r['first_post']:.2f} s, the slowest channel's first at {r['slowest_start']:.2f} s, "
          f"last post at {r['last_post']:.2f} s; CPU {r['cpu']:.2f} s ({r['cpu'] / r['floor']:.2f} of the floor)")  # fmt: skip
    print(f"  peak memory: max RSS {r['max_rss_mib']:.0f} MiB", end="")
    print(f", Python heap peak (tracemalloc) {r['heap_peak_mib']:.1f} MiB" if r["heap_peak_mib"] else "")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("subscriptions", type=int, nargs="?")
    parser.add_argument("topics", type=int, nargs="?", default=50)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--cards", type=int, default=MAX_PAPERS)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--tracemalloc", action="store_true", help="also the heap peak (wall time then means nothing)")
    args = parser.parse_args()
    if args.subscriptions is not None:
        r = asyncio.run(measure(args.subscriptions, args.topics, store=args.store, cards=args.cards,
                                scale=args.scale, trace=args.tracemalloc))  # fmt: skip
        sys.exit(0 if report(r) or args.tracemalloc else 1)  # a traced run's wall time means nothing
    # The matrix, each run in a process of its own: its max RSS is its own.
    failed = 0
    for subscriptions, topics, cards, scale in MATRIX:
        for kind in ("sqlite", "postgres"):
            command = [sys.executable, __file__, str(subscriptions), str(topics), "--store", kind, "--cards", str(cards),
                       "--scale", str(scale)]  # fmt: skip
            failed += subprocess.run(command).returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
