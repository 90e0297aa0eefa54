"""(1) Summarising 40 papers against an LLM answering in 300 ms: wall time over the floor.

The floor is ceil(40 / concurrency) x 0.3 s: what perfectly packed concurrent calls
would take. Target: at most 1.25. The measured time includes the store's cache
look-ups and writes (real SQLite) and the real openai client over loopback.

    .venv/bin/python bench/summarize_concurrency.py [papers] [latency]
"""

from __future__ import annotations

import asyncio
import math
from datetime import date
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.models import Window  # noqa: E402
from digest.store import open_store  # noqa: E402
from tests.engine_fixtures import make_engine  # noqa: E402
from tests.fakes.arxiv import ArxivFeedServer, synthetic_week  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

WINDOW = Window(date(2024, 4, 19), date(2024, 4, 25), "UTC")


async def measure(papers: int, latency: float, concurrency: int) -> tuple[float, float]:
    with ArxivFeedServer(synthetic_week(papers)) as arxiv, FakeOpenAI(latency=latency) as llm, tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        engine = make_engine(arxiv.url, store, llm.base_url, concurrency=concurrency)
        candidates = await engine.candidates("synthetic data", WINDOW)
        assert len(candidates) == papers
        start = time.perf_counter()
        texts = await asyncio.gather(*(engine.card_text(p, "ja", 4) for p in candidates))
        wall = time.perf_counter() - start
        assert all(t.summarizer.startswith("llm:") for t in texts) and llm.count == papers
        await engine.aclose()
        store.close()
    # The first call finds out the server's response format while the others wait for
    # its verdict (digest/llm/client.py): one round trip, then every slot in use.
    floor = latency + math.ceil((papers - 1) / concurrency) * latency
    return wall, wall / floor


def main() -> int:
    papers = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.3
    print(f"{papers} papers, LLM latency {latency * 1000:.0f} ms; floor: one format probe, then full slots")
    missed = False
    for concurrency in (1, 4, 8, 16):
        wall, ratio = asyncio.run(measure(papers, latency, concurrency))
        missed = missed or ratio > 1.25
        print(f"  concurrency {concurrency:>2}: wall {wall:6.2f} s, over floor {ratio:.3f} (target <= 1.25)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
