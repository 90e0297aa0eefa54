"""Relevance of candidate papers to a topic: BM25 over title and abstract, plus phrases.

Why BM25 and not embeddings: on the labelled set in tests/fixtures/ranking it is
measured against the alternatives (bench/ranking_quality.py); it needs no model
download, installs in kilobytes and scores a week's candidates in milliseconds.
Multi-word topics ("synthetic data") reward papers that use the exact phrase, and
the title counts more than the abstract, as a reader skimming a digest would.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from digest.models import Paper

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3  # a title word counts as this many abstract words
PHRASE_BONUS = 1.5  # added per phrase occurrence (title occurrences count TITLE_WEIGHT times)

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_STOP = frozenset(
    "a an and are as at be by for from in into is it of on or that the this to with via "
    "using based towards toward new".split()
)


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    # Papers, and the digests of one week, repeat their vocabulary: memoised stems make
    # ranking and passage indexing several times faster.
    return _stemmer().stemWord(word)


def tokens(text: str) -> list[str]:
    """Lowercased, stemmed content words."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


@dataclass(frozen=True)
class Scored:
    paper: Paper
    score: float


def _phrase_count(phrase: list[str], words: list[str]) -> int:
    n = len(phrase)
    return sum(1 for i in range(len(words) - n + 1) if words[i : i + n] == phrase)


def rank(papers: Sequence[Paper], terms: Sequence[str]) -> list[Scored]:
    """Papers by descending relevance to ``terms`` (words or phrases of the topic).

    Ties, and a topic with no words (``cat:cs.CL`` alone), keep the given order,
    which is arXiv's own relevance order.
    """
    term_words = [tokens(t) for t in terms]
    query = sorted({w for words in term_words for w in words})
    phrases = [words for words in term_words if len(words) > 1]
    docs = [
        (tokens(p.title), tokens(p.abstract)) for p in papers
    ]
    bags = [Counter(title * TITLE_WEIGHT + abstract) for title, abstract in docs]
    lengths = [sum(bag.values()) for bag in bags]
    avg_len = (sum(lengths) / len(lengths)) if lengths else 1.0
    n_docs = len(papers)
    df = {w: sum(1 for bag in bags if w in bag) for w in query}
    # Lucene's IDF never goes negative, which matters here: every candidate matched the
    # query, so the topic's own words are in most documents of the pool.
    idf = {w: math.log(1 + (n_docs - df[w] + 0.5) / (df[w] + 0.5)) for w in query}

    scored = []
    for paper, (title, abstract), bag, length in zip(papers, docs, bags, lengths):
        score = 0.0
        for w in query:
            tf = bag[w]
            if tf:
                score += idf[w] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg_len))
        for phrase in phrases:
            hits = TITLE_WEIGHT * _phrase_count(phrase, title) + _phrase_count(phrase, abstract)
            score += PHRASE_BONUS * math.log1p(hits)
        scored.append(Scored(paper, round(score, 3)))
    # sorted() is stable: equal scores keep arXiv's order.
    return sorted(scored, key=lambda s: -s.score)
