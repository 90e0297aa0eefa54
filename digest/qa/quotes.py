"""The answer when no LLM writes one: the best passages quoted, labelled as quotes (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from digest.arxiv.passages import cite_label
from digest.cards.extractive import split_sentences
from digest.llm.guard import clean
from digest.qa.question import Answer, Quote
from digest.qa.retrieval import Hit, PassageIndex
from digest.qa.text import label
from digest.text.ranking import tokens
from digest.text.textfit import shorten

QUOTES, QUOTE_CHARS = 3, 420  # passages quoted, and the length of each excerpt


def quoted(
    index: PassageIndex,
    hits: Sequence[Hit],
    weights: dict[str, float],
    language: str | None,
    why: str,
    notes: tuple[str, ...],
    abstract_only: bool,
) -> Answer:
    """The best ``hits`` quoted with their sections (the paper's opening when none), introduced
    by a text saying ``why`` there is no written answer (a ``digest.qa.text`` label key)."""
    reason = label(language, why)
    chosen = list(hits[:QUOTES]) or [Hit(p, 0.0) for p in index.passages[:1]]
    head = label(language, "quoted" if hits else "nothing", why=reason)
    quotes = tuple(Quote(clean(h.passage.section), clean(excerpt(h.passage.text, weights))) for h in chosen)
    citations = tuple(dict.fromkeys(cite_label(h.passage.section) for h in chosen)) if hits else ()
    return Answer(clean(head), citations, "abstract" if abstract_only else "passages", quotes, notes)


def excerpt(text: str, weights: dict[str, float]) -> str:
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
    cut = " ".join(sentences[start:end])
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(sentences) else ""
    return f"{prefix}{shorten(cut, QUOTE_CHARS)}{suffix}"
