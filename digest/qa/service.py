"""Thread Q&A: ``answer(question, paper, history, ...)``, grounded in the paper's own text.

The one entry point both chat adapters call. The first question about a paper version
fetches its full text (``digest.arxiv.fulltext``), indexes the passages (``digest.qa.retrieval``)
and stores both, so later questions from any channel or process reuse them. Each answer
retrieves the passages matching the question and the thread so far, and asks the LLM to
answer from them alone, citing sections (``digest.qa.prompt``). Without an LLM, or when
it gives no usable answer after one repair try, the best passages are quoted, labelled
as quotes. Without a full text, the abstract stands in and the answer says so. Limits
(``digest.qa.limits``) are checked before anything is fetched or asked.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

from digest.llm.client import LLMClient
from digest.llm.errors import LLMError
from digest.models import Answer, Card, FullText, Paper, Passage, Turn
from digest.qa.limits import QALimits
from digest.llm.guard import clean
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
from digest.qa.text import label, question_language
from digest.text.ranking import tokens
from digest.qa.retrieval import Hit, PassageIndex, passage_terms, query_terms
from digest.llm.structured import ask
from digest.cards.extractive import split_sentences
from digest.arxiv.passages import cite_label
from digest.text.textfit import shorten

log = logging.getLogger(__name__)

HISTORY_TURNS = 6  # earlier messages of the thread used for retrieval and the prompt
CONTEXT_CARDS = 3  # other papers' cards given at most, those sharing words with the question
CHARS_PER_TOKEN = 4  # rough, for English text: the context cap needs no tokenizer
QUOTES, QUOTE_CHARS = 3, 420  # passages quoted without an LLM, and their length
RECHECK_SECONDS = 600.0  # a transient "no full text" is retried after this
CACHED_PAPERS = 64  # indexes kept in memory per store (the store keeps them all)


class FullTextSource(Protocol):
    """What fetches full texts (``digest.arxiv.fulltext.FullTextFetcher``)."""

    async def afetch(self, paper: Paper) -> FullText: ...


class _Library:
    """Per store: indexes in memory (LRU) and the fetches in flight, so a paper is fetched once."""

    def __init__(self) -> None:
        self.indexes: OrderedDict[tuple[str, int], tuple[FullText, PassageIndex, float]] = OrderedDict()
        self.pending: dict[tuple[str, int], asyncio.Task[tuple[FullText, PassageIndex]]] = {}


_libraries: weakref.WeakKeyDictionary[Any, _Library] = weakref.WeakKeyDictionary()


async def prepare(paper: Paper, *, store: Any, fetcher: FullTextSource) -> tuple[FullText, PassageIndex]:
    """The paper's passages and index: from memory, else the store, else arXiv (then stored)."""
    library = _libraries.setdefault(store, _Library())
    key = (paper.arxiv_id, paper.version)
    if (cached := library.indexes.get(key)) is not None and cached[2] > time.monotonic():
        library.indexes.move_to_end(key)
        return cached[0], cached[1]
    task = library.pending.get(key)
    if task is None or task.get_loop() is not asyncio.get_running_loop():
        task = asyncio.ensure_future(_load(paper, store, fetcher, library))
        library.pending[key] = task
        task.add_done_callback(lambda _: library.pending.pop(key, None))
    # Shielded: one asker giving up must not cancel the fetch the others wait for.
    return await asyncio.shield(task)


async def _load(paper: Paper, store: Any, fetcher: FullTextSource, library: _Library) -> tuple[FullText, PassageIndex]:
    key = (paper.arxiv_id, paper.version)
    stored = await asyncio.to_thread(store.get_fulltext, *key)
    if stored is not None:
        full, terms = stored
    else:
        full = await fetcher.afetch(paper)
        terms = await asyncio.to_thread(_index_and_store, full, store)
    index = PassageIndex(full.passages, terms)
    expires = math.inf if full.final else time.monotonic() + RECHECK_SECONDS
    library.indexes[key] = (full, index, expires)
    while len(library.indexes) > CACHED_PAPERS:
        library.indexes.popitem(last=False)
    return full, index


def _index_and_store(full: FullText, store: Any) -> list[list[str]]:
    """Index terms of each passage (stemming a paper is CPU work: kept off the event loop)."""
    terms = [passage_terms(p) for p in full.passages]
    if full.final:  # a transient failure is not stored: a later question tries again
        store.put_fulltext(full, terms)
    return terms


async def answer(
    question: str,
    paper: Paper,
    history: Sequence[Turn],
    *,
    store: Any,
    fetcher: FullTextSource,
    llm: LLMClient | None,
    context_cards: Sequence[Card] = (),
    limits: QALimits,
    user: str = "",
    thread: str = "",
) -> Answer:
    """The reply to ``question`` about ``paper`` asked by ``user`` in ``thread``.

    ``user`` and ``thread`` are the rate-limit keys (qualify them by platform and
    workspace); ``history`` is the thread's earlier messages, oldest first, without the
    question; ``context_cards`` are other cards of the same digest, for comparisons.
    Never raises for arXiv or the LLM: every failure has a labelled fallback.
    """
    language = question_language(question)
    question = " ".join(question.split())[: limits.max_question_chars]
    if not question:
        return Answer(label(language, "empty"), (), "passages")
    refusal = limits.admit(user, thread)
    if refusal is not None:
        minutes = max(1, math.ceil(refusal.retry_after / 60))
        return Answer(label(language, f"limit_{refusal.scope}", limit=refusal.limit, minutes=minutes), (), "limited")

    full, index = await prepare(paper, store=store, fetcher=fetcher)
    turns = [t for t in history if t.text.strip()][-HISTORY_TURNS:]
    keywords = await _keywords(llm, question, turns) if llm is not None and _needs_keywords(question) else []
    weights = query_terms(question, [t.text for t in turns], keywords)
    hits = _fit(index.search(weights, limits.passages), limits.max_context_tokens * CHARS_PER_TOKEN)
    abstract_only = full.source == "abstract"
    note = label(language, "abstract_only" if full.final else "abstract_for_now") if abstract_only else ""
    if llm is None:
        return _quoted(index, hits, weights, language, "no_llm", note, abstract_only)

    # Nothing matched: the opening passages let the model say what the paper is about instead.
    given = hits or [Hit(p, 0.0) for p in index.passages[:2]]
    cards = _pick_cards(context_cards, paper, weights)
    max_words = max(40, limits.max_answer_chars // 8)
    messages = build_messages(
        paper, question, turns, given, cards, abstract_only=abstract_only, language=language, max_words=max_words
    )
    room = limits.max_answer_chars - (len(note) + 1 if note else 0)  # the note counts too
    written = await _ask(llm, messages, given, cards, question, language, room, paper)
    if written is None:
        return _quoted(index, hits, weights, language, "llm_failed", note, abstract_only)
    text, citations = written
    return Answer(f"{text}\n{note}" if note else text, citations, "abstract" if abstract_only else "fulltext")


async def _ask(
    llm: LLMClient,
    messages: list[dict[str, str]],
    given: Sequence[Hit],
    cards: Sequence[Card],
    question: str,
    language: str | None,
    max_chars: int,
    paper: Paper,
) -> tuple[str, tuple[str, ...]] | None:
    """The checked answer, re-asked once for real faults; None when the LLM gives none.

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


def _quoted(
    index: PassageIndex, hits: Sequence[Hit], weights: dict[str, float], language: str | None, why: str, note: str, abstract_only: bool
) -> Answer:
    """The best passages quoted with their sections, labelled as quotes, not an answer."""
    reason = label(language, why)
    chosen = list(hits[:QUOTES]) or [Hit(p, 0.0) for p in index.passages[:1]]
    head = label(language, "quoted" if hits else "nothing", why=reason)
    lines = [head]
    for hit in chosen:
        lines.append(f"> [{hit.passage.section}] {_excerpt(hit.passage.text, weights)}")
    if note:
        lines.append(note)
    citations = tuple(dict.fromkeys(cite_label(h.passage.section) for h in chosen)) if hits else ()
    return Answer(clean("\n".join(lines)), citations, "abstract" if abstract_only else "passages")


def _excerpt(text: str, weights: dict[str, float]) -> str:
    """The sentences of a passage around its best-matching one, up to QUOTE_CHARS."""
    sentences = split_sentences(text) or [text]
    scores = [sum(weights.get(t, 0.0) for t in set(tokens(s))) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    start, end = best, best + 1
    while True:
        grown = False
        for lo, hi in ((start, end + 1), (start - 1, end)):
            if 0 <= lo and hi <= len(sentences) and len(" ".join(sentences[lo:hi])) <= QUOTE_CHARS:
                start, end, grown = lo, hi, True
                break
        if not grown:
            break
    excerpt = " ".join(sentences[start:end])
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(sentences) else ""
    return f"{prefix}{shorten(excerpt, QUOTE_CHARS)}{suffix}"
