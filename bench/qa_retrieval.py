"""Passage retrieval for thread Q&A: recall@k on the labelled questions, against baselines.

Papers: the fixture documents of tests/fixtures/qa/papers.json, rendered as the loopback
arXiv serves them (DataTune as arXiv HTML, Phi-3 as a PDF) and extracted by the real
code. Labels: tests/fixtures/qa/labels.json, (paper, question, section that answers it).
A question counts as recalled at k when a passage of its section is among the k passages
retrieved. Japanese questions use the built-in glossary only (no LLM keywords here).

    .venv/bin/python bench/qa_retrieval.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.models import Passage  # noqa: E402
from digest.qa.retrieval import PassageIndex, query_terms  # noqa: E402
from digest.arxiv.html_text import html_sections  # noqa: E402
from digest.arxiv.passages import cite_label, to_passages  # noqa: E402
from digest.arxiv.pdf_text import pdf_sections  # noqa: E402
from tests.fakes.arxiv_fulltext import build_html, build_pdf, load_docs, pdf_lines, week_papers  # noqa: E402

LABELS = ROOT / "tests" / "fixtures" / "qa" / "labels.json"
Retriever = Callable[[PassageIndex, str, int], list[Passage]]


def passages_of(arxiv_id: str, render: str) -> tuple[Passage, ...]:
    paper, doc = week_papers()[arxiv_id], load_docs()[arxiv_id]
    if render == "html":
        return to_passages(html_sections(build_html(paper, doc)))
    return to_passages(pdf_sections(build_pdf(pdf_lines(paper, doc), header=paper.title[:40])))


def bm25(index: PassageIndex, question: str, k: int) -> list[Passage]:
    return [hit.passage for hit in index.search(query_terms(question), k)]


def lead(index: PassageIndex, question: str, k: int) -> list[Passage]:
    """Baseline: the paper's first k passages (abstract, introduction), whatever is asked."""
    return list(index.passages[:k])


def recall(retriever: Retriever, ks: Sequence[int]) -> dict[str, dict[int, float]]:
    """Recall@k per question language ("en", "ja")."""
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    indexes = {i: PassageIndex.build(passages_of(i, r)) for i, r in labels["papers"].items()}
    hits: dict[str, dict[int, list[bool]]] = {}
    for item in labels["questions"]:
        index = indexes[item["paper"]]
        found = [cite_label(p.section) for p in retriever(index, item["question"], max(ks))]
        by_k = hits.setdefault(item.get("language", "en"), {k: [] for k in ks})
        for k in ks:
            by_k[k].append(item["section"] in found[:k])
    return {lang: {k: sum(v) / len(v) for k, v in by_k.items()} for lang, by_k in hits.items()}


def measure(ks: Sequence[int] = (1, 3, 5)) -> dict[str, dict[int, float]]:
    return recall(bm25, ks)


def main() -> None:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    counts = {}
    for item in labels["questions"]:
        counts[item.get("language", "en")] = counts.get(item.get("language", "en"), 0) + 1
    sizes = {i: len(passages_of(i, r)) for i, r in labels["papers"].items()}
    print(f"papers (passages): {sizes}; questions: {counts}")
    ks = (1, 3, 5)
    print(f"{'method':<22}" + "".join(f"{f'R@{k}':>8}" for k in ks))
    for name, retriever in (("bm25 (ours)", bm25), ("lead passages", lead)):
        for lang, by_k in recall(retriever, ks).items():
            print(f"{f'{name} [{lang}]':<22}" + "".join(f"{by_k[k]:>8.2f}" for k in ks))


if __name__ == "__main__":
    main()
