"""LLM calls and arXiv requests when digests share work, as ratios to their targets.

(2) five subscriptions in different channels share one topic and week: LLM calls per
    unique paper (target exactly 1.0), once with the five digests built one after the
    other and once all at the same time;
(3) the same week built again within a day: LLM calls and arXiv requests (target 0, 0).

Real arXiv and OpenAI clients against the loopback fakes, a real SQLite store.

    .venv/bin/python bench/engine_calls.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.store import open_store  # noqa: E402
from tests.engine_fixtures import WEEK, Clock, make_engine  # noqa: E402
from tests.fakes.arxiv import WEEK as WEEK_XML  # noqa: E402
from tests.fakes.arxiv import ArxivFeedServer  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

SUBSCRIPTIONS, MAX_PAPERS = 5, 8


async def measure(concurrent: bool) -> dict[str, float]:
    with ArxivFeedServer(WEEK_XML) as arxiv, FakeOpenAI(latency=0.05) as llm, tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        clock = Clock()
        engine = make_engine(arxiv.url, store, llm.base_url, clock)

        def build():
            return engine.build("synthetic data", WEEK, language="ja", max_papers=MAX_PAPERS, bullets=4)

        if concurrent:
            digests = await asyncio.gather(*(build() for _ in range(SUBSCRIPTIONS)))
        else:
            digests = [await build() for _ in range(SUBSCRIPTIONS)]
        unique = len({c.paper.arxiv_id for d in digests for c in d.cards})
        first_calls, first_requests = llm.count, len(arxiv.requests)

        clock.advance(hours=12)  # a re-run within the day
        rerun = make_engine(arxiv.url, store, llm.base_url, clock)
        await rerun.build("synthetic data", WEEK, language="ja", max_papers=MAX_PAPERS, bullets=4)
        await engine.aclose()
        await rerun.aclose()
        store.close()
        return {
            "unique": unique,
            "calls_per_paper": first_calls / unique,
            "arxiv_requests": first_requests,
            "rerun_calls": llm.count - first_calls,
            "rerun_requests": len(arxiv.requests) - first_requests,
        }


def main() -> None:
    print(f"{SUBSCRIPTIONS} subscriptions, one topic, {MAX_PAPERS} papers each")
    for concurrent in (False, True):
        r = asyncio.run(measure(concurrent))
        mode = "at the same time" if concurrent else "one after another"
        print(
            f"  {mode:<18} LLM calls / unique paper = {r['calls_per_paper']:.2f} (target 1.0, {r['unique']} papers); "
            f"arXiv requests = {r['arxiv_requests']}; re-run within a day: "
            f"{r['rerun_calls']} LLM calls, {r['rerun_requests']} arXiv requests (target 0, 0)"
        )


if __name__ == "__main__":
    main()
