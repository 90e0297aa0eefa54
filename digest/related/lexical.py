"""Papers like a paper by their words: BM25 "more like this" over title and abstract.

The paper's most telling terms (``QUERY_TERMS`` of them, by term frequency times IDF,
as Lucene's MoreLikeThis picks them) are the query; every other paper is scored by
BM25 with them (``digest.text.bm25``'s parameters and IDF). An inverted index keeps a
query's cost to the papers sharing one of its terms, and grows paper by paper: the IDFs
and the average length are read at query time, so adding papers needs no rebuild.
Tokens are ranking's (``digest.text.ranking.tokens``), the title counting
``TITLE_WEIGHT`` times as in ranking. Both constants measured in bench/related_quality.py.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from digest.text.bm25 import B, K1
from digest.text.ranking import TITLE_WEIGHT, tokens

QUERY_TERMS = 25  # 10 and 40 measured worse (bench/related_quality.py)


def paper_terms(title: str, abstract: str) -> list[str]:
    """The terms a paper is indexed and queried by."""
    return tokens(title) * TITLE_WEIGHT + tokens(abstract)


class LexicalIndex:
    """Papers' terms, indexed once; ``similar`` scores the others against one of them."""

    def __init__(self) -> None:
        self._postings: dict[str, dict[int, int]] = defaultdict(dict)  # term -> doc -> tf
        self._bags: list[Counter[str]] = []
        self._lengths: list[int] = []
        self._total = 0

    def __len__(self) -> int:
        return len(self._bags)

    def add(self, terms: list[str]) -> int:
        """Index one paper's terms; returns its document number (0, 1, ...)."""
        doc, bag = len(self._bags), Counter(terms)
        self._bags.append(bag)
        self._lengths.append(len(terms))
        self._total += len(terms)
        for term, tf in bag.items():
            self._postings[term][doc] = tf
        return doc

    def _idf(self, term: str) -> float:
        n, df = len(self._bags), len(self._postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def similar(self, doc: int) -> dict[int, float]:
        """Document number -> BM25 score against ``doc``'s telling terms, for every other
        document sharing one of them (``doc`` itself left out)."""
        bag = self._bags[doc]
        query = sorted(bag, key=lambda t: (-bag[t] * self._idf(t), t))[:QUERY_TERMS]
        average = (self._total / len(self._bags)) or 1.0
        scores: dict[int, float] = defaultdict(float)
        for term in query:
            idf = self._idf(term)
            for other, tf in self._postings[term].items():
                if other != doc:
                    norm = K1 * (1 - B + B * self._lengths[other] / average)
                    scores[other] += idf * tf * (K1 + 1) / (tf + norm)
        return scores
