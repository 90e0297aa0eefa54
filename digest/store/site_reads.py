"""What the static site (``digest/site/``) reads: every card posted, and its paper.

Nothing new is recorded for the site: the ledger already keeps what a page needs. A
digest's cards, in order, are its run's ``deliveries`` rows (``sent``, with their text in
``card_texts`` and their relevance); its topic, language and window are the run's row.
A paper's metadata is in ``papers`` (the query API's answers, ``/arxiv paper``) or, for a
digest served from the harvest, in ``announced_papers``, which also says when arXiv
announced it. Reads are a few bulk queries, however many digests: the site of 1,000
digests is read in well under a second (``bench/site_build.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_

from digest.models import HEADER, CardText, Paper, Window
from digest.store.sql import Store, _paper
from digest.store.tables import AnnouncedPaperRow, CardTextRow, DeliveryRow, PaperRow, RunRow

BATCH = 500  # keys per IN (...) query: far under every dialect's bound


@dataclass(frozen=True)
class PostedCard:
    """One card a finished run posted: which paper version, where in the run, its text."""

    arxiv_id: str
    version: int
    position: int  # 1-based, the run's order
    score: float  # relevance to the run's topic
    text: CardText


@dataclass(frozen=True)
class PostedRun:
    """A finished run (``done``) with the cards it posted, in order; ``topic`` is
    ``PAPER_TOPIC`` ("") for a single paper posted with ``/arxiv paper``."""

    key: str
    topic: str
    language: str
    window: Window
    candidates: int
    finished_at: datetime  # the run row's last change: when it ended
    cards: tuple[PostedCard, ...]


def posted_runs(store: Store) -> list[PostedRun]:
    """Every ``done`` run with at least one card sent, oldest first; its cards in order.

    A run still delivering, failed or given up is left out (its channel saw only part
    of it); it appears once it is done."""
    query = (
        select(RunRow.key, RunRow.topic, RunRow.language, RunRow.window_start, RunRow.window_end, RunRow.tz,
               RunRow.candidates, RunRow.updated_at, DeliveryRow.position, DeliveryRow.arxiv_id,
               DeliveryRow.version, DeliveryRow.score, CardTextRow.card)  # fmt: skip
        .join(DeliveryRow, DeliveryRow.run_key == RunRow.key)
        .join(CardTextRow, CardTextRow.sha256 == DeliveryRow.card_sha)
        .where(RunRow.state == "done", DeliveryRow.state == "sent", DeliveryRow.position != HEADER)
        .order_by(RunRow.created_at, RunRow.key, DeliveryRow.position)
    )
    runs: dict[str, tuple[Any, list[PostedCard]]] = {}  # the run's first row, its cards
    with store._reading() as session:
        for row in session.execute(query):
            card = row.card
            text = CardText(card["headline"], tuple(card["bullets"]), card["comment"], card["language"], card["summarizer"])
            held = runs.setdefault(row.key, (row, []))
            held[1].append(PostedCard(row.arxiv_id, row.version, row.position, row.score, text))
    return [
        PostedRun(key, first.topic, first.language, Window(first.window_start, first.window_end, first.tz),
                  first.candidates, first.updated_at, tuple(cards))  # fmt: skip
        for key, (first, cards) in runs.items()
    ]


@dataclass(frozen=True)
class StoredPaper:
    """A paper version as the store holds it, and when arXiv announced it (None: not harvested)."""

    paper: Paper
    announced_at: datetime | None


def stored_papers(store: Store, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], StoredPaper]:
    """The papers among ``(arxiv_id, version)`` keys, from ``papers`` or else
    ``announced_papers``; their announcement instants from the latter. Keys held by
    neither are absent (a card whose paper the store lost gets no page)."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, int], Paper] = {}
    announced: dict[tuple[str, int], datetime] = {}
    with store._reading() as session:
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            for row in session.scalars(select(PaperRow).where(tuple_(PaperRow.arxiv_id, PaperRow.version).in_(chunk))):
                found[(row.arxiv_id, row.version)] = _paper(row)
            for one in session.scalars(
                select(AnnouncedPaperRow).where(tuple_(AnnouncedPaperRow.arxiv_id, AnnouncedPaperRow.version).in_(chunk))
            ):
                key = (one.arxiv_id, one.version)
                announced[key] = one.announced_at
                found.setdefault(key, _paper(one))  # type: ignore[arg-type]  # the same paper columns as PaperRow
    return {key: StoredPaper(paper, announced.get(key)) for key, paper in found.items()}
