"""Thread Q&A latency outside the LLM, as a ratio to the LLM's own latency.

A 30-page paper (a PDF built from the fixture papers' paragraphs, 12 sections of 3
subsections) is prepared once: extraction, passages, index terms and the store write
(the download itself excluded). Then 200 questions (the labelled ones, in threads of
four, so each carries its thread's history) are answered with its text cached, by the
real OpenAI client against the fake reader model with a fixed latency. Time outside the
LLM = time of ``QAService.answer`` minus the time inside ``complete_json``.

    .venv/bin/python bench/qa_latency.py
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.arxiv.fulltext import FullTextFetcher  # noqa: E402
from digest.llm.client import LLMClient  # noqa: E402
from digest.models import Card, CardText, FullText, Paper  # noqa: E402
from digest.qa import QAService, ThreadQuestion, Turn  # noqa: E402
from digest.qa.limits import QALimits  # noqa: E402
from digest.qa.retrieval import PassageIndex, passage_terms  # noqa: E402
from digest.store import open_store  # noqa: E402
from digest.arxiv.passages import to_passages  # noqa: E402
from digest.arxiv.pdf_text import pdf_sections  # noqa: E402
from tests.fakes.arxiv_fulltext import LINES_PER_PAGE, build_pdf, load_docs, pdf_lines, week_papers  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402
from tests.fakes.qa_model import reader  # noqa: E402

LABELS = ROOT / "tests" / "fixtures" / "qa" / "labels.json"


class TimedLLM(LLMClient):
    """The real client, adding up the time its calls take (the LLM's share of an answer)."""

    spent = 0.0

    async def complete_json(
        self, messages: list[dict[str, Any]], schema: dict[str, Any], schema_name: str, **options: Any
    ) -> dict[str, Any]:
        start = time.perf_counter()
        try:
            return await super().complete_json(messages, schema, schema_name, **options)
        finally:
            self.spent += time.perf_counter() - start


def long_paper(pages: int) -> tuple[Paper, bytes]:
    """A ``pages``-page PDF made of the fixture papers' paragraphs under numbered headings."""
    docs = load_docs().values()
    paragraphs = [p for d in docs for name, ps in d["sections"] if name != "References" for p in ps]
    titles = [name.split(" ", 1)[1] for d in docs for name, _ in d["sections"] if name[0].isdigit()]
    paper = dataclasses.replace(week_papers()["2404.14361"], version=9)
    sections, n = [], 0
    doc: dict[str, Any] = {"sections": sections}
    while len(pdf_lines(paper, doc)) < pages * LINES_PER_PAGE - 30:
        top, sub = divmod(len(sections), 3)
        sections.append([f"{top + 1}.{sub + 1} {titles[len(sections) % len(titles)]}", paragraphs[n : n + 3]])
        n = (n + 3) % max(1, len(paragraphs) - 3)
    return paper, build_pdf(pdf_lines(paper, doc), header="Better Synthetic Data")


def questions(n: int) -> list[str]:
    labelled = [q["question"] for q in json.loads(LABELS.read_text(encoding="utf-8"))["questions"]]
    return [labelled[i % len(labelled)] for i in range(n)]


async def measure(pages: int = 30, count: int = 200, latency: float = 0.05) -> dict[str, float]:
    paper, pdf = long_paper(pages)
    with tempfile.TemporaryDirectory() as tmp, FakeOpenAI(latency=latency, responder=reader) as fake:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        llm = TimedLLM(model="fake-model", api_key="sk-bench", base_url=fake.base_url, timeout=10, max_retries=0)
        try:
            # The first question's preparation, download excluded: what PaperIndexes does after it.
            marks = [time.perf_counter()]
            passages = to_passages(pdf_sections(pdf))
            marks.append(time.perf_counter())
            terms = [passage_terms(p) for p in passages]
            PassageIndex(passages, terms)
            marks.append(time.perf_counter())
            store.put_fulltext(FullText(paper.arxiv_id, paper.version, "pdf", passages), terms)
            marks.append(time.perf_counter())
            extract, index, write = (b - a for a, b in zip(marks, marks[1:]))
            prep = marks[-1] - marks[0]

            fetcher = FullTextFetcher("http://127.0.0.1:9/html/", "http://127.0.0.1:9/pdf/", retries=0, timeout=1)
            limits = QALimits(per_user=10**6, per_thread=10**6)
            qa, quoter = QAService(store, fetcher, llm, limits), QAService(store, fetcher, None, limits)
            card = Card(paper, CardText(paper.title, (), "", "en", "extractive"), 1, 1.0)
            start = time.perf_counter()
            await qa.indexes.get(paper)  # a restarted process: from the store
            reload = time.perf_counter() - start
            await quoter.indexes.get(paper)

            outside, inside, history = [], [], []
            for i, question in enumerate(questions(count)):
                if i % 4 == 0:
                    history = []  # a new thread
                before = llm.spent
                start = time.perf_counter()
                reply = await qa.answer(ThreadQuestion(card, question, tuple(history), f"u{i % 7}", f"t{i // 4}"))
                total = time.perf_counter() - start
                inside.append(llm.spent - before)
                outside.append(total - inside[-1])
                history += [Turn("user", question), Turn("bot", reply.text)]
            quoted = []
            for question in questions(count):
                start = time.perf_counter()
                await quoter.answer(ThreadQuestion(card, question))
                quoted.append(time.perf_counter() - start)
        finally:
            await llm.aclose()
            store.close()
    llm_p50 = statistics.median(inside)
    return {
        "passages": len(passages),
        "words": sum(len(p.text.split()) for p in passages),
        "prep_s": prep,
        "extract_s": extract,
        "index_s": index,
        "store_s": write,
        "llm_configured_s": latency,
        "reload_s": reload,
        "outside_p50_s": statistics.median(outside),
        "outside_p95_s": statistics.quantiles(outside, n=20)[18],
        "llm_p50_s": llm_p50,
        "no_llm_p50_s": statistics.median(quoted),
        "requests": fake.count,
    }


def main() -> None:
    r = asyncio.run(measure())
    ms = 1000
    print(f"30-page paper: {r['passages']} passages, {r['words']} words; {r['requests']} LLM requests for 200 questions")
    print(f"LLM fake latency (inside complete_json, p50): {r['llm_p50_s'] * ms:.1f} ms "
          f"(its sleep {r['llm_configured_s'] * ms:.0f} ms + HTTP, JSON and the fake reader's own work)")
    print(f"outside the LLM per answer: p50 {r['outside_p50_s'] * ms:.2f} ms, p95 {r['outside_p95_s'] * ms:.2f} ms"
          f"  -> ratio to LLM p50: {r['outside_p50_s'] / r['llm_p50_s']:.3f} / {r['outside_p95_s'] / r['llm_p50_s']:.3f}")
    print(f"first question's preparation (fetch excluded): {r['prep_s'] * ms:.0f} ms"
          f"  -> ratio to LLM p50: {r['prep_s'] / r['llm_p50_s']:.1f}\n"
          f"  of which PDF text + passages {r['extract_s'] * ms:.0f} ms, index terms {r['index_s'] * ms:.0f} ms,"
          f" store write {r['store_s'] * ms:.0f} ms")
    print(f"index reload from the store (new process): {r['reload_s'] * ms:.1f} ms")
    print(f"no-LLM answer (quoted passages), p50: {r['no_llm_p50_s'] * ms:.2f} ms")


if __name__ == "__main__":
    main()
