"""LLM calls per paper against servers and models with real-world quirks, as ratios to targets.

A week of papers is summarised in Japanese by the real engine through the real openai
client against the loopback fake, once per server personality (OpenAI, vLLM 0.8 and
0.10, Ollama, llama.cpp's llama-server, llama-cpp-python). Each paper's first answer
carries one quirk, in turn: a ``<think>`` block with braces and LaTeX, reasoning with
only its closing tag, fenced JSON in prose, a null comment, numbered bullets, over-long
fields, a missing headline, an invented figure. Only the last two are real faults.

Targets, per server:
- completions per paper = 1.00 + (re-asks for real faults) / papers, exactly;
- format refusals: at most 1 request (the one probe), whatever the concurrency;
- extractive fallbacks: 0.

    .venv/bin/python bench/llm_calls.py
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
from tests.fakes.openai_server import SERVERS, FakeOpenAI  # noqa: E402

QUIRKS = ("think", "think_no_open", "prose", "null_comment", "numbered", "overlong", "missing_headline", "invented")
REAL_FAULTS = {"missing_headline", "invented"}
MAX_PAPERS = 12


async def measure(server: str, papers: int = MAX_PAPERS) -> dict[str, float]:
    faults = [(QUIRKS[i % len(QUIRKS)],) for i in range(papers)]
    with ArxivFeedServer(WEEK_XML) as arxiv, FakeOpenAI(server=server, faults=faults, latency=0.02) as llm, \
            tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        engine = make_engine(arxiv.url, store, llm.base_url, Clock())
        digest = await engine.build("synthetic data", WEEK, language="ja", max_papers=papers, bullets=4)
        await engine.aclose()
        store.close()
        answered = sum(1 for a in llm.answers if a[0] == 200)
    n = len(digest.cards)
    reasks = sum(1 for i in range(n) if QUIRKS[i % len(QUIRKS)] in REAL_FAULTS)
    return {
        "papers": n,
        "calls_per_paper": answered / n,
        "target": 1 + reasks / n,
        "refused": llm.count - answered,
        "extractive": sum(1 for c in digest.cards if c.text.extractive),
    }


def misses(result: dict[str, float]) -> list[str]:
    out = []
    if abs(result["calls_per_paper"] - result["target"]) > 1e-9:
        out.append("calls per paper")
    if result["refused"] > 1:
        out.append("format refusals")
    if result["extractive"]:
        out.append("extractive fallbacks")
    return out


def main() -> int:
    print(f"{MAX_PAPERS} papers in Japanese, one quirk per first answer: {', '.join(QUIRKS)}")
    failed = False
    for server in SERVERS:
        r = asyncio.run(measure(server))
        bad = misses(r)
        failed = failed or bool(bad)
        print(
            f"  {server:<17} completions/paper {r['calls_per_paper']:.2f} (target {r['target']:.2f}); "
            f"format refusals {r['refused']:.0f} (target <= 1); extractive {r['extractive']:.0f} (target 0)"
            + (f"  MISSED: {', '.join(bad)}" if bad else "")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
