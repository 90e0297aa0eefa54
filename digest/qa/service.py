"""Thread Q&A: ``QAService.answer(ThreadQuestion) -> Answer``, grounded in the paper's own text.

The one service both chat adapters call, built once by the composition root with the
store, the full-text fetcher, the one LLM client (or None) and the limits. Limits
(``digest.qa.limits``) are checked first, before anything is fetched or asked. The paper's
passages and index come from ``PaperIndexes`` (``digest.qa.indexes``: memory, store, or
arXiv once). Each answer retrieves the passages matching the question and the thread so
far (``digest.qa.retrieval``), and asks the LLM to answer from them alone, citing
sections (``digest.qa.prompt``). Without an LLM, or when it gives no usable answer after
one repair try, the best passages are quoted, labelled as quotes (``digest.qa.quotes``).
Without a full text, the abstract stands in and a note says so.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from digest.llm.client import LLMClient
from digest.llm.errors import LLMError
from digest.llm.slots import QUESTION, first
from digest.llm.structured import ask
from digest.models import Card, Paper, Passage
from digest.qa.indexes import FullTextSource, FullTextStore, PaperIndexes
from digest.qa.limits import QALimits
from digest.qa.prompt import (
    ANSWER_SCHEMA,
    KEYWORDS_SCHEMA,
    ThreadAnswer,
    build_messages,
    card_line,
    finish_answer,
    keyword_messages,
    passage_label,
    review_answer,
)
from digest.qa.question import Answer, ThreadQuestion, Turn
from digest.qa.quotes import quoted
from digest.qa.retrieval import Hit, query_terms
from digest.qa.text import label, question_language
from digest.text.ranking import tokens
from digest.text.textfit import shorten

log = logging.getLogger(__name__)

HISTORY_TURNS = 6  # earlier messages of the thread used for retrieval and the prompt
CONTEXT_CARDS = 3  # other papers' cards given at most, those sharing words with the question
CHARS_PER_TOKEN = 4  # rough, for English text: the context cap needs no tokenizer


class QAService:
    """Answers questions about digest cards' papers; one per process, shared by every adapter.

    ``llm`` None: no answer is written, the best passages are quoted. ``limits`` counts
    questions per user and per thread (thread-safe) and caps what one answer uses.
    """

    def __init__(self, store: FullTextStore, fetcher: FullTextSource, llm: LLMClient | None, limits: QALimits) -> None:
        self._llm, self._limits = llm, limits
        self.indexes = PaperIndexes(store, fetcher)

    @property
    def writes(self) -> bool:
        """True when an LLM writes the answers (only then do other cards of the digest matter)."""
        return self._llm is not None

    async def answer(self, question: ThreadQuestion) -> Answer:
        """The reply to ``question``; never raises for arXiv or the LLM: every failure has a
        labelled fallback. A store failure propagates (the adapter says the answer failed).
        Its LLM calls go ahead of a tick's queued cards (``digest/llm/slots.py``)."""
        with first(QUESTION):
            return await self._answer(question)

    async def _answer(self, question: ThreadQuestion) -> Answer:
        limits, paper = self._limits, question.card.paper
        language = question_language(question.text)
        text = " ".join(question.text.split())[: limits.max_question_chars]
        if not text:
            return Answer(label(language, "empty"), (), "passages")
        refusal = limits.admit(question.user, question.thread)
        if refusal is not None:
            minutes = max(1, math.ceil(refusal.retry_after / 60))
            return Answer(label(language, f"limit_{refusal.scope}", limit=refusal.limit, minutes=minutes), (), "limited")

        full, index = await self.indexes.get(paper)
        turns = [t for t in question.history if t.text.strip()][-HISTORY_TURNS:]
        llm = self._llm
        keywords = await _keywords(llm, text, turns) if llm is not None and _needs_keywords(text) else []
        weights = query_terms(text, [t.text for t in turns], keywords)
        hits = _fit(index.search(weights, limits.passages), limits.max_context_tokens * CHARS_PER_TOKEN)
        abstract_only = full.source == "abstract"
        notes = (label(language, "abstract_only" if full.final else "abstract_for_now"),) if abstract_only else ()
        if llm is None:
            return quoted(index, hits, weights, language, "no_llm", notes, abstract_only)

        # Nothing matched: the opening passages let the model say what the paper is about instead.
        given = hits or [Hit(p, 0.0) for p in index.passages[:2]]
        cards = _pick_cards(question.context_cards, paper, weights)
        max_words = max(40, limits.max_answer_chars // 8)
        messages = build_messages(
            paper, text, turns, given, cards, abstract_only=abstract_only, language=language, max_words=max_words
        )
        room = limits.max_answer_chars - sum(len(n) + 1 for n in notes)  # the notes count too
        written = await _ask(llm, messages, given, cards, text, language, room, paper)
        if written is None:
            return quoted(index, hits, weights, language, "llm_failed", notes, abstract_only)
        answer, citations, more = written
        return Answer(answer, citations, "abstract" if abstract_only else "fulltext", notes=more + notes)


async def _ask(
    llm: LLMClient,
    messages: list[dict[str, str]],
    given: Sequence[Hit],
    cards: Sequence[Card],
    question: str,
    language: str | None,
    max_chars: int,
    paper: Paper,
) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """(text, citations, notes) of the checked answer, re-asked once for real faults; None
    when the LLM gives none.

    A figure that no passage, card or the question states is re-asked once; if the
    model keeps it, the answer is posted with a note naming it (and the case logged).
    """
    system = messages[0]["content"]
    # The section labels count as sources: "(§4.1)" is a citation, not a claim.
    sources = [f"{passage_label(h.passage.section)} {h.passage.text}" for h in given]
    sources += [card_line(c) for c in cards] + [question, paper.title]
    reply = await ask(
        llm,
        messages,
        ThreadAnswer,
        schema=ANSWER_SCHEMA,
        name="thread_answer",
        review=lambda a: review_answer(a, sources, system),
        again=lambda faults: (
            f"That answer cannot be used: {'; '.join(f.message for f in faults)}. "
            "Answer the question again from the passages only, as the JSON object only."
        ),
    )
    if reply.value is None or any(f.kind != "figure" for f in reply.faults):
        log.warning("LLM gave no usable answer about %s: %s", paper.versioned_id,
                    reply.error or "; ".join(f.message for f in reply.faults))
        return None
    unverified = ", ".join(f.where for f in reply.faults)
    if unverified:
        log.warning("answer about %s keeps figures no passage states (%s): posted with a note", paper.versioned_id, unverified)
    return finish_answer(reply.value, given, language, max_chars, unverified)


def _needs_keywords(question: str) -> bool:
    """A question in a CJK script with under two English terms cannot be matched as it is."""
    return question_language(question) is not None and len(set(tokens(question))) < 2


async def _keywords(llm: LLMClient, question: str, turns: Sequence[Turn]) -> list[str]:
    try:
        data = await llm.complete_json(keyword_messages(question, turns), KEYWORDS_SCHEMA, "search_keywords")
    except LLMError as err:
        log.info("no search keywords for %r: %s", question[:80], err)
        return []
    words = data.get("keywords")
    return [w for w in words if isinstance(w, str)][:8] if isinstance(words, list) else []


def _fit(hits: list[Hit], max_chars: int) -> list[Hit]:
    """The best hits whose text fits the context cap; the best one always, cut to fit."""
    kept, used = [], 0
    for hit in hits:
        size = len(hit.passage.text)
        if kept and used + size > max_chars:
            break
        if size > max_chars:
            passage = hit.passage
            hit = Hit(Passage(passage.position, passage.section, shorten(passage.text, max_chars)), hit.score)
        kept.append(hit)
        used += size
    return kept


def _pick_cards(cards: Sequence[Card], paper: Paper, weights: dict[str, float]) -> list[Card]:
    """Other papers' cards sharing words with the question (e.g. the one it compares with)."""
    scored = []
    for card in cards:
        if card.paper.arxiv_id == paper.arxiv_id:
            continue
        words = set(tokens(" ".join([card.paper.title, card.text.headline, *card.text.bullets])))
        score = sum(w for term, w in weights.items() if term in words)
        if score > 0:
            scored.append((score, card.rank, card))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [card for *_, card in scored[:CONTEXT_CARDS]]
