"""A delivery's card texts, each summarised just ahead of its post, charged to its run's
subscription and within its monthly budget (``digest/delivery/budget.py``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

from digest.cards.extractive import ExtractiveSummarizer
from digest.cards.summarize import card_key
from digest.delivery.budget import RunBudget
from digest.engine import Engine
from digest.llm.usage import charged_to
from digest.models import HEADER, Card, CardText, Delivery, Paper

BUDGET = "extractive:budget"  # the summarizer of a card the budget made extractive

CARDS_AHEAD = 2  # texts being written beyond the card about to be posted


class CardTexts:
    """One delivery's cards, each text summarised ``CARDS_AHEAD`` posts before it is due.

    Asking just ahead (rather than for every card up front) orders the LLM's queue by
    rank across a tick's digests: every channel's first cards are written before anyone's
    last, so no channel waits for the whole tick's summaries before it starts.

    With a ``budget``, the LLM's tokens are charged to the run's subscription. A card is
    shared by the channels of its topic and written once: it is charged to the run that
    asked first (its task is the one that writes it); the others get it free. Once the
    subscription's month is at or near its limit, a card is the cached one if any channel
    paid for it, else extractive, labelled ``extractive:budget`` (never cached: next
    month's run asks the LLM), and the channel is told once, before the first such card.
    """

    def __init__(
        self, engine: Engine, language: str, bullets: int, rows: list[Delivery], papers: Mapping[tuple[str, int], Paper],
        budget: RunBudget | None = None,
    ) -> None:
        self._engine, self._language, self._bullets = engine, language, bullets
        self._rows, self._papers, self._budget = rows, papers, budget
        self._writing: dict[int, asyncio.Future[CardText]] = {}
        self._in_turn = asyncio.Lock()  # a limited budget's cards: checked and written one by one

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
                self._writing[row.position] = asyncio.ensure_future(self._write(self._paper(row)))

    async def _write(self, paper: Paper) -> CardText:
        budget = self._budget
        if budget is None:
            return await self._engine.card_text(paper, self._language, self._bullets)
        # Under a limit, cards are checked in order and each one's tokens counted before the
        # next check (the header's overview asks for every card at once). The lock is taken
        # before any other await, so in the order the cards were started (asyncio's FIFO).
        async with self._in_turn:
            limited = await budget.limit() > 0
            if limited:
                with charged_to(budget.account):  # inherited by the summary task started under it
                    if not await budget.reached():
                        return await self._engine.card_text(paper, self._language, self._bullets)
        if not limited:
            with charged_to(budget.account):
                return await self._engine.card_text(paper, self._language, self._bullets)
        key = card_key(paper, self._language, self._bullets, self._engine.summarizer)
        paid = await asyncio.to_thread(self._engine.store.get_card, key)
        return paid or ExtractiveSummarizer().build(paper, self._language, self._bullets, reason="budget")

    async def card(self, row: Delivery, *, posting: bool = True) -> Card:
        """``row``'s card; ``posting``: it is posted next, so a budget notice goes first."""
        self.ahead(row.position)
        text = row.text if row.text is not None else await self._writing[row.position]
        if posting and text.summarizer == BUDGET and row.text is None and self._budget is not None:
            await self._budget.tell()  # once a month, just before the first such card
        return Card(self._paper(row), text, rank=row.position, score=row.score)

    def papers(self) -> list[Paper]:
        """The delivery's papers, in order."""
        return [self._paper(row) for row in self._rows]

    async def all(self) -> list[Card]:
        """Every card of the delivery, in order, once all their texts are written."""
        return list(await asyncio.gather(*(self.card(row, posting=False) for row in self._rows)))

    async def over_budget(self) -> bool:
        """The run's subscription is at or near its monthly budget (no LLM call for it then)."""
        return self._budget is not None and await self._budget.reached()

    def charged(self) -> contextlib.AbstractContextManager[object]:
        """Charge the LLM calls made inside (the header's overview) to the run's account."""
        return charged_to(self._budget.account) if self._budget is not None else contextlib.nullcontext()

    def close(self) -> None:
        """Stop waiting for texts no longer wanted (the engine's own summary goes on and is cached)."""
        for writing in self._writing.values():
            writing.cancel()
