"""A digest's week at a glance, for its header: written once, stored with the run.

Asked for just before the header is posted. A header already marked ``sending`` (a run
resumed after a crash, or taken over) has its overview stored with that mark: it is read
back, the same sentences, no second LLM call. Else it is written by the engine
(``Engine.overview``: with an LLM, over the cards' texts, so every card of the digest is
written first; without, the themes of the papers alone) and the deliverer stores it
with the header's ``sending`` mark. The overview never stops a digest: any failure
gives the themes.
"""

from __future__ import annotations

import asyncio
import logging

from digest.cards.themes import themes_overview
from digest.delivery.card_texts import CardTexts
from digest.engine import Engine
from digest.models import Delivery, DigestRun, Overview
from digest.store import Store

log = logging.getLogger(__name__)


async def run_overview(engine: Engine, store: Store, run: DigestRun, texts: CardTexts, header: Delivery) -> Overview:
    """The overview of ``run``'s header (ledger row ``header``); no sentences without cards."""
    if header.state != "pending" and (stored := await asyncio.to_thread(store.overview_of, run.key)) is not None:
        return stored
    papers = texts.papers()
    if not papers:
        return Overview((), "themes")
    try:
        if getattr(engine.summarizer, "llm", None) is None:  # the themes need no card text
            return themes_overview(papers, run.topic, run.language)
        cards = await texts.all()
        if await texts.over_budget():  # its cards turned extractive: the week's themes, no LLM call
            return themes_overview(papers, run.topic, run.language)
        with texts.charged():  # the overview's tokens, like its cards', are the subscription's
            return await engine.overview(cards, run.topic, run.language)
    except Exception:  # a card or the overview failed: the header still goes out, with the themes
        log.exception("digest %s: no overview written, using the themes", run.key)
        return themes_overview(papers, run.topic, run.language, source="themes:llm-failed")
