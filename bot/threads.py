"""Questions in a card's thread: the adapters' one ``answer`` callable (platform-free).

``FullTextAnswerer`` is what ``digest-bot run`` gives the chat adapters: it answers
from the paper itself through the engine's Q&A (``digest/qa/service.py``: full text, retrieval,
cited sections, per-user and per-thread limits, labelled fallbacks). The adapters call
it as ``answer(paper, question, earlier turns, *, user=, thread=, run_key=)``; the
earlier turns are "question: ..." and "answer: ..." lines, oldest first. ``run_key``
names the digest run that posted the card, so that a question comparing papers ("how
does this differ from the Phi-3 one?") also sees the other cards of that digest.

The adapter escapes the result for its platform; nothing here is trusted to be safe.
"""
from __future__ import annotations

import asyncio

from digest.qa import service as qa
from digest.arxiv.fulltext import FullTextFetcher
from digest.llm.client import LLMClient
from digest.models import Card, Paper, Turn
from digest.qa.limits import QALimits
from digest.store import Store


def _turn(line: str) -> Turn:
    """The adapters' history lines ("question: ...", "answer: ...") as engine turns."""
    role, sep, text = line.partition(": ")
    if sep and role in ("question", "answer"):
        return Turn("bot" if role == "answer" else "user", text)
    return Turn("user", line)


class FullTextAnswerer:
    """The adapters' ``answer`` callable over the engine's Q&A (digest/qa/service.py): full text, cited."""

    def __init__(self, store: Store, fetcher: FullTextFetcher, llm: LLMClient | None, limits: QALimits) -> None:
        self._store, self._fetcher, self._llm, self._limits = store, fetcher, llm, limits

    async def __call__(
        self,
        paper: Paper,
        question: str,
        history: list[str],
        *,
        user: str = "",
        thread: str = "",
        run_key: str | None = None,
    ) -> str:
        # Only a written answer uses other cards; quotes (no LLM) are of this paper alone.
        cards = await self._other_cards(run_key, paper) if run_key and self._llm is not None else []
        result = await qa.answer(
            question,
            paper,
            [_turn(line) for line in history],
            store=self._store,
            fetcher=self._fetcher,
            llm=self._llm,
            context_cards=cards,
            limits=self._limits,
            user=user,
            thread=thread,
        )
        return result.text

    async def _other_cards(self, run_key: str, paper: Paper) -> list[Card]:
        """The other cards the run ``run_key`` posted: what the reader sees beside this one."""
        rows = await asyncio.to_thread(self._store.deliveries, run_key)
        # The header has no text; a card that never went out is not one the reader can mean.
        cards = [d for d in rows if d.text is not None and d.state == "sent" and d.arxiv_id != paper.arxiv_id]
        papers = await asyncio.to_thread(self._store.get_papers, [(d.arxiv_id, d.version) for d in cards])
        return [
            Card(papers[(d.arxiv_id, d.version)], d.text, d.position, d.score)
            for d in cards
            if (d.arxiv_id, d.version) in papers and d.text is not None
        ]
