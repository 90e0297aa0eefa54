"""Ranking quality on the labelled set: precision@k of BM25 against baselines.

Pool: the 18 papers of bot/demo/sample_week.xml; labels: tests/fixtures/ranking/labels.json.
Every topic ranks the whole pool (harder than a real week, where arXiv's query has
already dropped most unrelated papers). Strict precision counts only papers whose
central subject is the topic; lenient also counts papers that use it.

    .venv/bin/python bench/ranking_quality.py
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.models import Paper  # noqa: E402
from digest.text.ranking import rank  # noqa: E402
from digest.arxiv.feed import papers_from_feed  # noqa: E402
from digest.arxiv.topics import topic_terms  # noqa: E402

LABELS = ROOT / "tests" / "fixtures" / "ranking" / "labels.json"
Ranker = Callable[[Sequence[Paper], str], list[Paper]]


def load() -> tuple[list[Paper], list[dict]]:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    papers = papers_from_feed((ROOT / labels["pool"]).read_bytes())
    return papers, labels["topics"]


def bm25(papers: Sequence[Paper], topic: str) -> list[Paper]:
    return [s.paper for s in rank(papers, topic_terms(topic))]


def feed_order(papers: Sequence[Paper], topic: str) -> list[Paper]:
    return list(papers)


def title_match(papers: Sequence[Paper], topic: str) -> list[Paper]:
    words = topic.lower().split()
    return sorted(papers, key=lambda p: -sum(w in p.title.lower() for w in words))


def precision_at(ranker: Ranker, papers: Sequence[Paper], topics: list[dict], k: int, lenient: bool) -> float:
    """Mean over topics of precision@k (k capped at the number of papers that count)."""
    scores = []
    for t in topics:
        good = set(t["relevant"]) | (set(t["partial"]) if lenient else set())
        top = [p.arxiv_id for p in ranker(papers, t["topic"])[: min(k, len(good))]]
        scores.append(sum(i in good for i in top) / len(top))
    return sum(scores) / len(scores)


def random_order(seed: int) -> Ranker:
    def ranker(papers: Sequence[Paper], topic: str) -> list[Paper]:
        shuffled = list(papers)
        random.Random(f"{seed}{topic}").shuffle(shuffled)
        return shuffled

    return ranker


def main() -> None:
    papers, topics = load()
    print(f"{len(papers)} papers, {len(topics)} topics; precision@k averaged over topics")
    print(f"{'method':<14}{'P@3 strict':>12}{'P@5 strict':>12}{'P@3 lenient':>13}{'P@5 lenient':>13}")
    rows: dict[str, Callable[[int, bool], float]] = {
        "bm25 (ours)": lambda k, l: precision_at(bm25, papers, topics, k, l),
        "title match": lambda k, l: precision_at(title_match, papers, topics, k, l),
        "feed order": lambda k, l: precision_at(feed_order, papers, topics, k, l),
        "random (x50)": lambda k, l: sum(precision_at(random_order(s), papers, topics, k, l) for s in range(50)) / 50,
    }
    for name, p in rows.items():
        print(f"{name:<14}{p(3, False):>12.2f}{p(5, False):>12.2f}{p(3, True):>13.2f}{p(5, True):>13.2f}")


if __name__ == "__main__":
    main()
