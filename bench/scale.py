"""1,000 subscriptions over 50 topics due at one tick: shared work, memory, time over the floor.

Every subscription has its own channel; all are due on Monday 09:00 UTC and the scheduler
catches them up at one tick (``Tick.catch_up``), through the real engine,
Deliverer and ledger on a real SQLite store, against the loopback arXiv and OpenAI fakes.
The arXiv and LLM fakes are served from child processes (``bench/apart.py``): in
production they are other machines, so their CPU is not the bot's. The chat platform
is ``RecordingChat`` behind a per-channel pacer: at most ``rate`` messages a second per
channel, as Slack allows about one.

Figures (targets in brackets):
- arXiv requests per distinct topic [1, plus paging];
- LLM calls per unique paper [1.0];
- peak memory: the process's max RSS; with ``--tracemalloc`` also the Python heap's peak
  (tracing slows Python down several times, so that run's wall time means nothing);
- wall time over the rate-limit floor [<= 1.2]; the floor is the busiest channel's
  messages spaced at ``rate``: (messages - 1) / rate seconds. Also printed: when the
  slowest channel got its first post (the overhead before the floor starts).

    .venv/bin/python bench/scale.py [subscriptions] [topics] [--tracemalloc]
"""

from __future__ import annotations

import asyncio
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.apart import Apart  # noqa: E402
from bot.scheduler import DigestScheduler  # noqa: E402
from config.settings import SchedulerSettings  # noqa: E402
from digest.delivery.deliverer import Deliverer  # noqa: E402
from digest.models import ChannelRef, MessageRef  # noqa: E402
from digest.ratelimit import Spacing  # noqa: E402
from digest.store import open_store  # noqa: E402
from tests.engine_fixtures import Clock, make_engine  # noqa: E402
from bot.demo.arxiv_feed import _WINDOW as WINDOW  # noqa: E402
from tests.fakes.arxiv import ATOM, ArxivFeedServer  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402
from tests.fakes.recording_chat import RecordingChat  # noqa: E402
from tests.scheduler_fixtures import first_due, papers, subscribe  # noqa: E402

PAPERS_PER_TOPIC, MAX_PAPERS = 14, 10  # two a day for a week; ten cards per digest


class TopicalArxiv(ArxivFeedServer):
    """The arXiv fake, answering each topic with its own papers (titles carry ``topicNN``).

    Indexed by topic, so that the fake answers in about the time arXiv's own servers
    take per request, however many topics it holds (its time is not the bot's).
    """

    def __init__(self, entries) -> None:
        super().__init__(entries)
        self._by_topic: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(self._entries):
            if tag := re.search(r"topic\d+", entry.findtext(f"{{{ATOM}}}title") or ""):
                self._by_topic[tag.group(0)].append(i)

    def _matching(self, query):
        tag, window = re.search(r"topic\d+", query), WINDOW.search(query)
        chosen = self._by_topic.get(tag.group(0), []) if tag else []
        if window is None:
            return [self._entries[i] for i in chosen]
        first, last = window.group(1).ljust(14, "0"), window.group(2).ljust(14, "9")
        return [self._entries[i] for i in chosen if first <= self._published[i] <= last]


class PacedChat(RecordingChat):
    """RecordingChat with a channel's posts at least 1/rate seconds apart, like Slack's limit."""

    def __init__(self, rate: float) -> None:
        super().__init__()
        interval = 1.0 / rate
        self._spacing: defaultdict[str, Spacing] = defaultdict(lambda: Spacing(interval))  # order kept
        self.first_post = self.last_post = 0.0  # time.monotonic()
        self.starts: dict[str, float] = {}  # channel -> its first post, time.monotonic()

    async def _paced(self, channel: ChannelRef) -> None:
        await self._spacing[channel.channel_id].pause()
        self.first_post = self.first_post or time.monotonic()
        self.last_post = time.monotonic()
        self.starts.setdefault(channel.channel_id, self.last_post)

    async def post_header(self, channel, digest, key) -> MessageRef:
        await self._paced(channel)
        return await super().post_header(channel, digest, key)

    async def post_card(self, channel, card, digest, key) -> MessageRef:
        await self._paced(channel)
        return await super().post_card(channel, card, digest, key)


async def measure(subscriptions: int = 1000, topics: int = 50, rate: float = 1.0, llm_latency: float = 0.02,
                  trace: bool = False) -> dict[str, float]:  # fmt: skip
    due = first_due()
    start = due - timedelta(days=6)
    entries = [e for t in range(topics) for e in papers(start, 7, 2, offset=t * 100, topic=f"topic{t:02d} synthetic data")]
    # The fakes run in child processes, as arXiv and the LLM are other machines in production.
    arxiv = Apart(lambda: TopicalArxiv(entries), lambda server: server.url, lambda server: len(server.requests))
    llm = Apart(lambda: FakeOpenAI(latency=llm_latency), lambda server: server.base_url, lambda server: server.count)
    with arxiv as arxiv_url, llm as llm_url, tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/scale.db")
        for i in range(subscriptions):
            subscribe(store, ChannelRef("recording", "T1", f"C{i:05d}"), topic=f"topic{i % topics:02d} synthetic data",
                      max_papers=MAX_PAPERS)  # fmt: skip
        clock = Clock(due + timedelta(seconds=1))
        chat = PacedChat(rate)
        engine = make_engine(arxiv_url, store, llm_url, clock, concurrency=16)
        scheduler = DigestScheduler(store, Deliverer(engine, store, {"recording": chat}), SchedulerSettings(), clock)
        if trace:
            tracemalloc.start()
        began, cpu = time.monotonic(), time.process_time()
        runs = await scheduler.tick.catch_up()
        wall, cpu = time.monotonic() - began, time.process_time() - cpu
        heap_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
        await engine.aclose()
        store.close()
    assert len(runs) == subscriptions and all(run.state == "done" for run in runs), "not every digest was delivered"
    per_channel = [len(posts) for posts in chat.channels.values()]
    unique = {p.text for posts in chat.channels.values() for p in posts if p.kind == "card"}
    floor = (max(per_channel) - 1) / rate
    return {
        "subscriptions": subscriptions,
        "topics": topics,
        "messages": sum(per_channel),
        "arxiv_per_topic": arxiv.figures / topics,
        "llm_per_paper": llm.figures / len(unique),
        "unique_papers": len(unique),
        "wall": wall,
        "cpu": cpu,
        "first_post": chat.first_post - began,
        "last_post": chat.last_post - began,
        "slowest_start": max(chat.starts.values()) - began,
        "floor": floor,
        "ratio": wall / floor,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "heap_peak_mib": heap_peak / 2**20,
    }


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    trace = "--tracemalloc" in sys.argv  # slows Python down: its wall time is not comparable
    subscriptions = int(args[0]) if args else 1000
    topics = int(args[1]) if len(args) > 1 else 50
    r = asyncio.run(measure(subscriptions, topics, trace=trace))
    print(f"{r['subscriptions']} subscriptions over {r['topics']} topics due at one tick; "
          f"{r['messages']} messages, {r['unique_papers']} unique papers")  # fmt: skip
    print(f"  arXiv requests per distinct topic  {r['arxiv_per_topic']:.2f}  (target 1 plus paging)")
    print(f"  LLM calls per unique paper         {r['llm_per_paper']:.2f}  (target 1.0)")
    print(f"  wall {r['wall']:.2f} s over the rate-limit floor {r['floor']:.2f} s = {r['ratio']:.3f}  (target <= 1.2)")
    print(f"  first post after {r['first_post']:.2f} s, the slowest channel's first at {r['slowest_start']:.2f} s, "
          f"last post at {r['last_post']:.2f} s; CPU {r['cpu']:.2f} s")  # fmt: skip
    print(f"  peak memory: max RSS {r['max_rss_mib']:.0f} MiB", end="")
    print(f", Python heap peak (tracemalloc) {r['heap_peak_mib']:.1f} MiB" if trace else " (--tracemalloc: heap peak)")


if __name__ == "__main__":
    main()
