"""Okapi BM25 over documents given as term lists: the one scorer of ranking and Q&A retrieval.

``digest.text.ranking`` scores candidate papers (title and abstract) against a topic;
``digest.qa.retrieval`` scores a paper's passages against a question. Both tokenize with
``digest.text.ranking.tokens`` and score here, with the usual parameters (k1 = 1.2,
b = 0.75) and Lucene's IDF, log(1 + (N - df + 0.5) / (df + 0.5)), which never goes
negative: a term found in most documents (the topic's own words in a pool arXiv matched
on them, a word in every passage) still counts a little instead of against.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

K1 = 1.2  # term-frequency saturation
B = 0.75  # document-length normalisation


class BM25:
    """The documents' term counts, lengths and IDFs, built once; ``scores`` for each query.

    ``docs`` holds each document's terms (repeats count: a title repeated three times
    weighs three times); the order of ``docs`` is the order of the scores.
    """

    def __init__(self, docs: Iterable[Sequence[str]]) -> None:
        terms = list(docs)
        self.bags = [Counter(t) for t in terms]
        self.lengths = [len(t) for t in terms]
        # An empty corpus, or one of empty documents, has no term to score: any average does.
        self.average = (sum(self.lengths) / len(self.lengths) if self.lengths else 1.0) or 1.0
        df = Counter(term for bag in self.bags for term in bag)
        n = len(self.bags)
        self.idf = {term: math.log(1 + (n - f + 0.5) / (f + 0.5)) for term, f in df.items()}

    def scores(self, weights: Mapping[str, float]) -> list[float]:
        """Each document's score for the query terms ``weights`` (term -> weight, 1.0 for a
        plain query), in the order of ``docs``; 0.0 where no query term occurs."""
        result = []
        for bag, length in zip(self.bags, self.lengths):
            norm = K1 * (1 - B + B * length / self.average)
            score = 0.0
            for term, weight in weights.items():
                tf = bag.get(term)
                if tf:
                    score += weight * self.idf[term] * tf * (K1 + 1) / (tf + norm)
            result.append(score)
        return result
