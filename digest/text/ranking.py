"""Relevance of candidate papers to a topic: BM25 over title and abstract, plus phrases.

Also the project's one tokenizer (``tokens``), which Q&A retrieval shares.

Why BM25 and not embeddings: on the labelled set in tests/fixtures/ranking it is
measured against the alternatives (bench/ranking_quality.py); it needs no model
download, installs in kilobytes and scores a week's candidates in milliseconds.
Multi-word topics ("synthetic data") reward papers that use the exact phrase, and
the title counts more than the abstract, as a reader skimming a digest would.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from digest.models import Paper
from digest.text.bm25 import BM25
from digest.text.stopwords import STOPWORDS

TITLE_WEIGHT = 3  # a title word counts as this many abstract words
PHRASE_BONUS = 1.5  # added per phrase occurrence (title occurrences count TITLE_WEIGHT times)

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    # Papers, and the digests of one week, repeat their vocabulary: memoised stems make
    # ranking and passage indexing several times faster.
    return _stemmer().stemWord(word)


def tokens(text: str) -> list[str]:
    """Lowercased, stemmed content words (stop words dropped before stemming)."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


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
    query = dict.fromkeys(sorted({w for words in term_words for w in words}), 1.0)
    phrases = [words for words in term_words if len(words) > 1]
    docs = [(tokens(p.title), tokens(p.abstract)) for p in papers]
    bm25 = BM25(title * TITLE_WEIGHT + abstract for title, abstract in docs)

    scored = []
    for paper, (title, abstract), score in zip(papers, docs, bm25.scores(query)):
        for phrase in phrases:
            hits = TITLE_WEIGHT * _phrase_count(phrase, title) + _phrase_count(phrase, abstract)
            score += PHRASE_BONUS * math.log1p(hits)
        scored.append(Scored(paper, round(score, 3)))
    # sorted() is stable: equal scores keep arXiv's order.
    return sorted(scored, key=lambda s: -s.score)
