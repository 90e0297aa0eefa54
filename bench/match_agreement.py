"""Local topic matching: agreement with arXiv's search on a labelled set, and throughput.

Agreement: tests/fixtures/match/labelled.jsonl, (topic, paper, would arXiv's API return it)
cases covering free text and the query syntax; those marked with a real response's source
are ground truth (papers arXiv returned for ``all:testing``), the rest are labelled from
arXiv's documented search semantics (the ``why`` of each says how). Target >= 0.95.

Throughput: 50 topics (free text and query syntax) over 2,000 papers recombined from the
demo week's real titles and abstracts, counting each paper's analysis once, as a harvest
does. Target: 125,000 (topic, paper) checks a second on one core: 5,000 topics against a
day's ~3,000 papers is 15 million checks, which two cores then finish within a minute.

    .venv/bin/python bench/match_agreement.py
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.arxiv.feed import papers_from_feed  # noqa: E402
from digest.arxiv.match import compile_topic  # noqa: E402
from digest.arxiv.search_analysis import PaperText  # noqa: E402
from digest.models import Paper  # noqa: E402

LABELLED = ROOT / "tests" / "fixtures" / "match" / "labelled.jsonl"
POOL = ROOT / "bot" / "demo" / "sample_week.xml"
AGREEMENT_TARGET = 0.95
THROUGHPUT_TARGET = 125_000  # checks/s on one core: 15M checks / 60 s / 2 cores
WHEN = datetime(2026, 1, 5, tzinfo=timezone.utc)


@dataclass(frozen=True)
class HarvestedPaper(Paper):
    """A paper with the fields an OAI-PMH record adds, which ``jr:`` and ``rn:`` search."""

    journal_ref: str | None = None
    report_no: str | None = None


def labelled_paper(fields: dict) -> HarvestedPaper:
    """A labelled case's paper: its id, text, authors and categories (the first is primary)."""
    categories = tuple(fields["categories"])
    return HarvestedPaper(
        fields["id"], fields.get("version", 1), fields["title"], tuple(fields["authors"]),
        fields["abstract"], categories, categories[0], fields.get("comment"), WHEN, WHEN,
        f"https://arxiv.org/abs/{fields['id']}", journal_ref=fields.get("journal_ref"),
    )


def load_cases() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def agreement() -> tuple[float, list[dict]]:
    """Share of labelled cases where the matcher says what arXiv does, and the misses."""
    cases = load_cases()
    misses = [c for c in cases if compile_topic(c["topic"])(labelled_paper(c["paper"])) != c["expected"]]
    return 1 - len(misses) / len(cases), misses


TOPICS = [
    "large language models", "synthetic data", "diffusion models", "reinforcement learning",
    "graph neural networks", "retrieval-augmented generation", "code generation", "speech recognition",
    "machine translation", "question answering", "protein folding", "quantum error correction",
    "federated learning", "contrastive learning", "knowledge distillation", "neural rendering",
    "LLM agents for code", "in-context learning", "mixture-of-experts", "vision transformers",
    '"language model"', '"chain of thought"', "benchmark evaluation", "multilingual", "hallucination",
    "cat:cs.CL", "cat:cs.LG OR cat:stat.ML", "cat:cs.CL diffusion", "cat:cs.CV ANDNOT cat:cs.LG",
    'ti:"language models" AND cat:cs.CL', "abs:benchmark AND ti:reasoning", "au:smith", 'au:"Yann LeCun"',
    "(ti:speech OR ti:audio) AND cat:eess.AS", "all:icml", "co:accepted", "ti:survey", "abs:robustness",
    "alignment ANDNOT cat:cs.CV", "(cat:cs.AI OR cat:cs.MA) agents", "tokenization", "long context",
    "sparse attention", "cat:quant-ph", "cat:math.OC optimization", "time series forecasting",
    "anomaly detection", "data augmentation", "ti:dataset AND abs:annotation", "合成データ",
]
CATEGORIES = ["cs.CL", "cs.LG", "cs.CV", "cs.AI", "stat.ML", "eess.AS", "quant-ph", "math.OC", "cs.MA", "cs.IR"]


def corpus(n: int, seed: int = 13) -> list[Paper]:
    """``n`` papers recombined from the demo week's real sentences, names and categories."""
    rng = random.Random(seed)
    base = papers_from_feed(POOL.read_bytes())
    sentences = [s.strip() + "." for p in base for s in p.abstract.split(". ") if s.strip()]
    titles = [p.title for p in base]
    names = [a for p in base for a in p.authors]
    papers = []
    for i in range(n):
        cats = tuple(rng.sample(CATEGORIES, rng.randint(1, 3)))
        title = " ".join(rng.sample(" ".join(rng.sample(titles, 2)).split(), 9))
        papers.append(replace(
            base[i % len(base)], arxiv_id=f"2601.{i:05d}", title=title,
            abstract=" ".join(rng.sample(sentences, 6)), authors=tuple(rng.sample(names, 4)),
            categories=cats, primary_category=cats[0],
            comment=rng.choice([None, "Accepted at ICML 2026", "12 pages, 3 figures"]),
        ))
    return papers


def throughput(topics: int = 50, papers: int = 2000) -> dict:
    """Checks a second for ``topics`` x ``papers``, the analysis of each paper counted once.

    Also the projection for 5,000 topics against a day's 3,000 papers on one core: the
    papers' analysis once, then the checks at the measured rate.
    """
    pool, chosen = corpus(papers), TOPICS[:topics]
    start = time.perf_counter()
    texts = [PaperText.of(p) for p in pool]
    analysed = time.perf_counter()
    matchers = [compile_topic(t) for t in chosen]
    hits = sum(m(t) for m in matchers for t in texts)
    end = time.perf_counter()
    checks = len(chosen) * len(pool)
    per_paper, per_check = (analysed - start) / len(pool), (end - analysed) / checks
    return {"checks": checks, "seconds": end - start, "per_second": checks / (end - start),
            "analysis_per_paper_ms": per_paper * 1000, "checks_only_per_second": 1 / per_check,
            "day_5000_topics_s": 3000 * per_paper + 5000 * 3000 * per_check, "hits": hits}


def main() -> int:
    score, misses = agreement()
    result = throughput()
    print(f"agreement with arXiv's search on {len(load_cases())} labelled cases: {score:.3f} "
          f"(target >= {AGREEMENT_TARGET})")
    for case in misses:
        print(f"  MISS: {case['topic']!r} on {case['paper']['id']} expected {case['expected']}: {case['case']}")
    print(f"throughput: {result['checks']:,} checks (50 topics x 2,000 papers) in {result['seconds']:.2f} s, "
          f"each paper analysed once: {result['per_second']:,.0f} checks/s (target >= {THROUGHPUT_TARGET:,}/s "
          f"on one core, so that 5,000 topics x 3,000 papers take under a minute on 2 cores); "
          f"{result['hits']:,} matches")
    print(f"  analysis {result['analysis_per_paper_ms']:.2f} ms a paper, then {result['checks_only_per_second']:,.0f} "
          f"checks/s; projected 5,000 topics x 3,000 papers: {result['day_5000_topics_s']:.0f} s on one core")
    return 0 if score >= AGREEMENT_TARGET and result["per_second"] >= THROUGHPUT_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
