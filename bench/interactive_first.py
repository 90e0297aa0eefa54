"""A thread question's full-text fetch, asked while a tick's topic searches queue at arXiv's gate.

Every request to arxiv.org waits at one process-wide gate, 3 s apart (arXiv's terms).
A tick of 50 distinct topics queues 50 searches there (``ArxivSource.asearch``, as
``Engine`` calls it); then a reader asks a question about a card, whose paper's full
text has to be fetched (``FullTextFetcher.afetch``, as ``PaperIndexes`` calls it). Both
go through the real clients against the loopback arXiv API and full-text servers, with
the interval scaled down (``INTERVAL`` stands for 3 s); times are reported in intervals.

- interactive first (now): the fetch takes the gate's next free slot.
- in line (as before): the same fetch queued with the bulk work, behind every search.

Target: the question waits at most ``TARGET`` intervals. Exit status 1 on a miss.

    .venv/bin/python bench/interactive_first.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.arxiv.fulltext import FullTextFetcher  # noqa: E402
from digest.arxiv.http import GATE  # noqa: E402
from digest.arxiv.source import ArxivSource  # noqa: E402
from digest.arxiv.topics import to_query, window_query  # noqa: E402
from digest.models import Window  # noqa: E402
from digest.ratelimit import shared_spacing  # noqa: E402
from tests.fakes.arxiv import WEEK, ArxivFeedServer  # noqa: E402
from tests.fakes.arxiv_fulltext import FullTextServer, build_html, load_docs, week_papers  # noqa: E402

ARXIV_INTERVAL = 3.0  # seconds, arXiv's
INTERVAL = 0.1  # seconds: stands for ARXIV_INTERVAL here
TOPICS = 50
TARGET = 1.5  # intervals, at most
PAPER = "2404.14361"


async def scenario(interactive: bool, topics: int, interval: float) -> dict[str, float]:
    """One tick's searches queued, then the question's fetch: its wait, in intervals."""
    paper = week_papers()[PAPER]
    window = Window(paper.published.date(), paper.published.date(), "UTC")
    queries = [window_query(to_query(f"synthetic data topic{i}"), window) for i in range(topics)]
    gate = shared_spacing(GATE, interval)
    with ArxivFeedServer(WEEK) as api, FullTextServer() as fulltext:
        fulltext.put(f"/html/{paper.versioned_id}", build_html(paper, load_docs()[PAPER]), "text/html")
        source = ArxivSource(api.url, min_interval=interval, retries=0, timeout=10.0)
        fetcher = FullTextFetcher(fulltext.html_url, fulltext.pdf_url, interval, 0, 0.01, 10.0, interactive=interactive)
        searches = asyncio.gather(*(source.asearch(q) for q in queries))
        while not api.requests or gate.waiting == 0:  # the first search went, the others queue
            await asyncio.sleep(interval / 20)
        asked = time.monotonic()
        full = await fetcher.afetch(paper)
        served_at = fulltext.hits[0].at
        answers = await searches
        arrived = list(api.requests)
    ahead = sum(1 for r in arrived if asked <= r.time <= served_at)
    in_order = [r.params["search_query"] for r in arrived] == queries
    assert full.source == "html" and all(a.papers is not None for a in answers)
    return {"wait": (served_at - asked) / interval, "searches_ahead": ahead, "bulk_in_order": float(in_order)}


async def measure(topics: int = TOPICS, interval: float = INTERVAL) -> dict[str, dict[str, float]]:
    try:
        return {
            "interactive": await scenario(True, topics, interval),
            "in_line": await scenario(False, topics, interval),
        }
    finally:
        shared_spacing(GATE, ARXIV_INTERVAL)


def misses(result: dict[str, dict[str, float]]) -> list[str]:
    now = result["interactive"]
    found = [f"question waited {now['wait']:.2f} intervals (target <= {TARGET})"] if now["wait"] > TARGET else []
    return found + [f"{k}: bulk searches out of order" for k, r in result.items() if not r["bulk_in_order"]]


def main() -> int:
    result = asyncio.run(measure())
    now, before = result["interactive"], result["in_line"]
    print(f"A question's full-text fetch asked behind {TOPICS} queued topic searches "
          f"(one interval = arXiv's {ARXIV_INTERVAL:g} s, simulated as {INTERVAL:g} s):")  # fmt: skip
    for name, r, target in (("interactive first", now, f"target <= {TARGET}"), ("in line (before)", before, "")):
        print(f"  {name:<18} wait {r['wait']:6.2f} intervals (~{r['wait'] * ARXIV_INTERVAL:6.1f} s at 3 s), "
              f"{r['searches_ahead']:.0f} searches served ahead of it  {target}")  # fmt: skip
    print(f"  bulk searches in the order asked: {'yes' if all(r['bulk_in_order'] for r in result.values()) else 'NO'}")
    failed = misses(result)
    print("MISSED: " + "; ".join(failed) if failed else "all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
