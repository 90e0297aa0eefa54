"""Every stored paper, indexed for related papers; kept up to date paper by paper.

``RelatedIndex.refresh`` indexes the papers the store gained since the last refresh
(a count of its paper rows; when it changed, one query for the ids and versions, one
for the new papers' texts), and with an embedder, embeds those the store holds no
vector of (stored, never recomputed). Embedding is slow (about 0.3 s a paper on two
cores, bench/related_quality.py): async callers refresh off the loop.
``similar`` ranks the other papers: BM25 alone, or BM25 and the embeddings fused by
reciprocal rank (``RRF_K``, equal weights), the fusion measured best
(bench/related_quality.py). One arXiv id is one paper: its highest stored version is
what gets indexed when the paper is first seen.
"""

from __future__ import annotations

import heapq
import logging
import threading
from typing import Any

from digest.related.lexical import LexicalIndex, paper_terms
from digest.related.vectors import DIM, Embedder, embed_missing

log = logging.getLogger(__name__)
RRF_K = 60  # reciprocal rank fusion's constant, as in Cormack et al. (SIGIR 2009)
POOL = 100  # candidates each method brings to the fusion


class RelatedIndex:
    """The store's papers as BM25 documents (and vectors, given an embedder). Thread-safe."""

    def __init__(self, store: Any, embedder: Embedder | None = None) -> None:
        self.store, self.embedder = store, embedder
        self._lexical = LexicalIndex()
        self._docs: dict[str, int] = {}  # arxiv id -> document number
        self._ids: list[str] = []
        self._titles: dict[str, str] = {}
        self._rows = -1  # the store's paper rows at the last refresh
        self._vectors: Any = None  # numpy (documents, DIM), rows in document order
        self._lock = threading.Lock()

    def __contains__(self, arxiv_id: str) -> bool:
        return arxiv_id in self._docs

    def title(self, arxiv_id: str) -> str:
        """The indexed paper's title, whitespace collapsed."""
        return self._titles[arxiv_id]

    def refresh(self) -> int:
        """Index the papers stored since the last refresh; returns how many were new."""
        with self._lock:
            if (rows := self.store.paper_rows()) == self._rows:
                return 0
            versions = self.store.paper_versions()
            new = {(i, v) for i, v in versions.items() if i not in self._docs}
            texts = self.store.paper_texts(new) if new else {}
            keyed = {(i, versions[i]): text for i, text in sorted(texts.items())}
            for (arxiv_id, _), (title, abstract) in keyed.items():
                self._docs[arxiv_id] = self._lexical.add(paper_terms(title, abstract))
                self._ids.append(arxiv_id)
                self._titles[arxiv_id] = " ".join(title.split())
            if self.embedder is not None and (keyed or self._vectors is None):
                try:
                    self._add_vectors(keyed)
                except Exception:  # the model cannot run here (no AVX2, no memory): words alone, as without it
                    log.exception("related papers: embedding failed, ranking by BM25 alone")
                    self.embedder, self._vectors = None, None
            self._rows = rows
            return len(keyed)

    def _add_vectors(self, keyed: dict[tuple[str, int], tuple[str, str]]) -> None:
        import numpy as np

        assert self.embedder is not None
        old = 0 if self._vectors is None else len(self._vectors)
        ids = self._ids[old:]
        held = self.store.paper_vectors(self.embedder.model, ids)
        held.update(embed_missing(self.store, self.embedder, {k: t for k, t in keyed.items() if k[0] not in held}, held))
        rows = np.zeros((len(ids), DIM), dtype=np.float32)
        for row, arxiv_id in enumerate(ids):
            if (vector := held.get(arxiv_id)) is not None:
                rows[row] = np.frombuffer(vector, dtype="<f4")
        self._vectors = rows if self._vectors is None else np.vstack([self._vectors, rows])

    def similar(self, arxiv_id: str, k: int) -> list[tuple[str, float]]:
        """The ``k`` papers most like ``arxiv_id`` (indexed), best first, as (id, score):
        BM25's score alone, or the fused reciprocal-rank score. Never the paper itself."""
        with self._lock:
            doc = self._docs[arxiv_id]
            lexical = self._lexical.similar(doc)
            ranked = heapq.nsmallest(max(k, POOL), lexical.items(), key=lambda item: (-item[1], self._ids[item[0]]))
            if self._vectors is None:
                return [(self._ids[d], round(s, 4)) for d, s in ranked[:k] if s > 0]
            import numpy as np

            cosine = self._vectors @ self._vectors[doc]
            cosine[doc] = -np.inf
            dense = np.argsort(-cosine, kind="stable")[:POOL]
        fused: dict[int, float] = {}
        for ranking in ([d for d, _ in ranked[:POOL]], [int(d) for d in dense]):
            for rank, d in enumerate(ranking):
                fused[d] = fused.get(d, 0.0) + 1 / (RRF_K + rank + 1)
        best = sorted(fused.items(), key=lambda item: (-item[1], self._ids[item[0]]))[:k]
        return [(self._ids[d], round(s, 6)) for d, s in best]
