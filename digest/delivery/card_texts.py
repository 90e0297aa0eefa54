"""A delivery's card texts, each summarised just ahead of its post."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from digest.engine import Engine
from digest.models import HEADER, Card, CardText, Delivery, Paper

CARDS_AHEAD = 2  # texts being written beyond the card about to be posted


class CardTexts:
    """One delivery's cards, each text summarised ``CARDS_AHEAD`` posts before it is due.

    Asking just ahead (rather than for every card up front) orders the LLM's queue by
    rank across a tick's digests: every channel's first cards are written before anyone's
    last, so no channel waits for the whole tick's summaries before it starts.
    """

    def __init__(
        self, engine: Engine, language: str, bullets: int, rows: list[Delivery], papers: Mapping[tuple[str, int], Paper]
    ) -> None:
        self._engine, self._language, self._bullets = engine, language, bullets
        self._rows, self._papers = rows, papers
        self._writing: dict[int, asyncio.Future[CardText]] = {}

    def _paper(self, row: Delivery) -> Paper:
        paper = self._papers.get((row.arxiv_id, row.version))
        if paper is None:
            raise LookupError(f"run {row.run_key}: paper {row.arxiv_id}v{row.version} is missing from the store")
        return paper

    def ahead(self, position: int) -> None:
        """Start writing the texts of the card at ``position`` and of the ``CARDS_AHEAD``
        after it, where not written or being written already. At the header, only the
        first card's: a tick's first wave of summaries is then one per digest."""
        first, last = (1, 1) if position == HEADER else (position, position + CARDS_AHEAD)
        for row in self._rows:
            if first <= row.position <= last and row.text is None and row.position not in self._writing:
                summary = self._engine.card_text(self._paper(row), self._language, self._bullets)
                self._writing[row.position] = asyncio.ensure_future(summary)

    async def card(self, row: Delivery) -> Card:
        self.ahead(row.position)
        text = row.text if row.text is not None else await self._writing[row.position]
        return Card(self._paper(row), text, rank=row.position, score=row.score)

    def papers(self) -> list[Paper]:
        """The delivery's papers, in order."""
        return [self._paper(row) for row in self._rows]

    async def all(self) -> list[Card]:
        """Every card of the delivery, in order, once all their texts are written."""
        return list(await asyncio.gather(*(self.card(row) for row in self._rows)))

    def close(self) -> None:
        """Stop waiting for texts no longer wanted (the engine's own summary goes on and is cached)."""
        for writing in self._writing.values():
            writing.cancel()
