"""Which passages of a paper answer a question: BM25 over stemmed passage terms (pure).

The same tokenizer and scorer as the digest's ranking (``digest.text.ranking.tokens``,
stems memoised; ``digest.text.bm25``), so the same stemming and stop words. The query
is weighted: the question counts fully, the thread's earlier turns less and less (so
"and the second one?" still finds what the thread is about without outweighing a
question that changes the subject). Section headings are indexed with their passage: a
question about "the datasets" finds "4.1 Datasets". Questions in Japanese or Chinese
have few or no English terms; a small glossary maps common research words, and
``digest.qa.service`` may add LLM-written English keywords.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from digest.models import Passage
from digest.text.bm25 import BM25
from digest.text.ranking import tokens

HISTORY_WEIGHTS = (0.6, 0.4, 0.25, 0.15)  # the latest earlier turn first
SECTION_REPEAT = 2  # heading words count as this many body words

# Research words readers use in Japanese or Chinese questions about English papers.
GLOSSARY: dict[str, str] = {
    "データセット": "dataset data", "データ": "data", "数据集": "dataset", "数据": "data",
    "評価": "evaluation evaluate benchmark", "评估": "evaluation", "ベンチマーク": "benchmark",
    "手法": "method approach", "方法": "method approach", "提案": "propose method",
    "結果": "results", "结果": "results", "実験": "experiment setup", "实验": "experiment",
    "性能": "performance accuracy", "精度": "accuracy", "限界": "limitation", "局限": "limitation",
    "課題": "limitation challenge", "モデル": "model", "模型": "model", "学習": "training train",
    "训练": "training", "訓練": "training", "ファインチューニング": "fine-tuning fine-tune",
    "微调": "fine-tuning", "比較": "comparison compare baseline", "比较": "comparison compare",
    "ベースライン": "baseline", "基线": "baseline", "関連研究": "related work", "多様性": "diversity",
    "難易度": "difficulty", "パラメータ": "parameters", "参数": "parameters", "安全": "safety",
    "アブレーション": "ablation", "消融": "ablation", "コード": "code", "検索": "retrieval retrieve",
    "変換": "transformation transform", "合成": "synthetic", "生成": "generation generate",
    "タスク": "task", "任务": "task", "将来": "future work", "今後": "future work",
}


def query_terms(question: str, history: Sequence[str] = (), extra: Iterable[str] = ()) -> dict[str, float]:
    """Weighted terms of the question, its glossary words, extra keywords and the history."""
    weights: Counter[str] = Counter()
    glossed = " ".join(en for word, en in GLOSSARY.items() if word in question)
    for term in tokens(question) + tokens(glossed) + tokens(" ".join(extra)):
        weights[term] = 1.0
    for weight, turn in zip(HISTORY_WEIGHTS, reversed(history)):
        glossed = " ".join(en for word, en in GLOSSARY.items() if word in turn)
        for term in tokens(turn) + tokens(glossed):
            weights[term] = max(weights[term], weight)
    return dict(weights)


def passage_terms(passage: Passage) -> list[str]:
    """What a passage is indexed by: its heading (weighted) and its text."""
    return tokens(passage.section) * SECTION_REPEAT + tokens(passage.text)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


class PassageIndex:
    """BM25 over one paper's passages; built once per paper version, then read-only.

    ``terms`` are each passage's index terms (``passage_terms``), as the store keeps them.
    """

    def __init__(self, passages: Sequence[Passage], terms: Sequence[Sequence[str]]) -> None:
        self.passages = tuple(passages)
        self._bm25 = BM25(terms)

    @classmethod
    def build(cls, passages: Sequence[Passage]) -> PassageIndex:
        return cls(passages, [passage_terms(p) for p in passages])

    def search(self, weights: Mapping[str, float], k: int) -> list[Hit]:
        """The ``k`` best passages with a score above zero, best first (ties: reading order)."""
        scored = [(score, i) for i, score in enumerate(self._bm25.scores(weights)) if score > 0]
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [Hit(self.passages[i], round(score, 4)) for score, i in scored[:k]]
