"""Each paper's passages and their BM25 index, fetched once: memory, else the store, else arXiv.

The first question about a paper version fetches its full text (``digest.arxiv.fulltext``),
indexes the passages (``digest.qa.retrieval``) and stores both, so later questions from
any channel or process reuse them. ``QAService`` holds one ``PaperIndexes``: the recent
indexes in memory (LRU) and the fetches in flight, so that concurrent questions about one
paper share one fetch.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

from digest.models import FullText, Paper
from digest.qa.retrieval import PassageIndex, passage_terms

RECHECK_SECONDS = 600.0  # a transient "no full text" is retried after this
CACHED_PAPERS = 64  # indexes kept in memory (the store keeps them all)

Key = tuple[str, int]  # (arxiv_id, version)


class FullTextSource(Protocol):
    """What fetches full texts (``digest.arxiv.fulltext.FullTextFetcher``)."""

    async def afetch(self, paper: Paper) -> FullText: ...


class FullTextStore(Protocol):
    """Where full texts and their index terms are kept (``digest.store.Store``)."""

    def get_fulltext(self, arxiv_id: str, version: int) -> tuple[FullText, list[list[str]]] | None: ...

    def put_fulltext(self, full: FullText, terms: Sequence[Sequence[str]]) -> None: ...


class PaperIndexes:
    """The passages and index of each paper asked about."""

    def __init__(self, store: FullTextStore, fetcher: FullTextSource) -> None:
        self._store, self._fetcher = store, fetcher
        self._indexes: OrderedDict[Key, tuple[FullText, PassageIndex, float]] = OrderedDict()  # value: (.., expires)
        self._pending: dict[Key, asyncio.Task[tuple[FullText, PassageIndex]]] = {}

    async def get(self, paper: Paper) -> tuple[FullText, PassageIndex]:
        """The paper's full text (or the abstract standing in, ``source == "abstract"``) and its index.

        Never raises for arXiv: the fetcher gives the abstract instead. A store failure propagates.
        """
        key = (paper.arxiv_id, paper.version)
        if (cached := self._indexes.get(key)) is not None and cached[2] > time.monotonic():
            self._indexes.move_to_end(key)
            return cached[0], cached[1]
        task = self._pending.get(key)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.ensure_future(self._load(paper))
            self._pending[key] = task
            task.add_done_callback(lambda _: self._pending.pop(key, None))
        # Shielded: one asker giving up must not cancel the fetch the others wait for.
        return await asyncio.shield(task)

    async def _load(self, paper: Paper) -> tuple[FullText, PassageIndex]:
        key = (paper.arxiv_id, paper.version)
        stored = await asyncio.to_thread(self._store.get_fulltext, *key)
        if stored is not None:
            full, terms = stored
        else:
            full = await self._fetcher.afetch(paper)
            terms = await asyncio.to_thread(self._index_and_store, full)
        index = PassageIndex(full.passages, terms)
        expires = math.inf if full.final else time.monotonic() + RECHECK_SECONDS
        self._indexes[key] = (full, index, expires)
        while len(self._indexes) > CACHED_PAPERS:
            self._indexes.popitem(last=False)
        return full, index

    def _index_and_store(self, full: FullText) -> list[list[str]]:
        """Index terms of each passage (stemming a paper is CPU work: kept off the event loop)."""
        terms = [passage_terms(p) for p in full.passages]
        if full.final:  # a transient failure is not stored: a later question tries again
            self._store.put_fulltext(full, terms)
        return terms
