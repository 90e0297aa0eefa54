"""LLM tokens per digest with and without the week at a glance, against a target.

A digest of the bundled sample week (``bot/demo/sample_week.xml``: 18 real arXiv papers)
is built with LLM cards (``Engine.build``), then its overview is written over those
cards (``digest.cards.overview.write_overview``), as the deliverer does before the
header. Tokens are those the OpenAI fake reports in ``usage`` (prompt + completion:
characters / 4, the same rule for both), read from the client's counters
(``LLMClient.prompt_tokens``, ``completion_tokens``). Target: the overview adds at most
15 % to a digest's tokens (one call over the cards' headlines and bullets,
against one call per paper over its abstract).

    .venv/bin/python bench/overview_tokens.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.cards.overview import write_overview  # noqa: E402
from digest.models import Window  # noqa: E402
from digest.store import open_store  # noqa: E402
from tests.engine_fixtures import Clock, make_engine  # noqa: E402
from tests.fakes.arxiv import ArxivFeedServer  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "bot" / "demo" / "sample_week.xml"
WINDOW = Window(date(2023, 11, 1), date(2024, 10, 31), "UTC")  # every paper of the sample
TARGET = 0.15  # the overview's tokens over the cards' tokens, at most
SIZES = (5, 10, 15)  # papers per digest (10: the default max_papers)
TARGET_FROM = 10  # the target holds from the default size on; smaller digests are shown for scale
LANGUAGES = ("ja", "en")


def _tokens(llm) -> int:
    return llm.prompt_tokens + llm.completion_tokens


async def measure(papers: int, language: str) -> dict[str, float]:
    with ArxivFeedServer(SAMPLE) as arxiv, FakeOpenAI() as fake, tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        engine = make_engine(arxiv.url, store, fake.base_url, Clock())
        llm = engine.summarizer.llm
        digest = await engine.build("synthetic data", WINDOW, language=language, max_papers=papers, bullets=4)
        cards = _tokens(llm)
        overview = await write_overview(llm, digest.cards, digest.topic, language)
        added = _tokens(llm) - cards
        await engine.aclose()
        store.close()
    return {"papers": len(digest.cards), "cards": cards, "overview": added, "ratio": added / cards,
            "source": overview.source}  # fmt: skip


def misses(results: list[dict[str, float]]) -> list[str]:
    return [f"{r['papers']} papers: overview adds {r['ratio']:.1%} (target <= {TARGET:.0%})"
            for r in results
            if (r["papers"] >= TARGET_FROM and r["ratio"] > TARGET) or not str(r["source"]).startswith("llm:")]  # fmt: skip


def main(sizes: tuple[int, ...] = SIZES) -> int:
    results = []
    for language in LANGUAGES:
        for size in sizes:
            r = asyncio.run(measure(size, language))
            results.append(r)
            print(f"  {language} {r['papers']:>2} papers: cards {r['cards']:>6} tokens, with the overview "
                  f"{r['cards'] + r['overview']:>6} (+{r['overview']}, {r['ratio']:.1%}; target <= {TARGET:.0%}) "
                  f"[{r['source']}]")  # fmt: skip
    for miss in misses(results):
        print(f"MISS: {miss}")
    return 1 if misses(results) else 0


if __name__ == "__main__":
    sys.exit(main())
