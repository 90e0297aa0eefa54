"""A paper's sections as passages for retrieval, and how an answer cites a section."""

from __future__ import annotations

import re
from collections.abc import Sequence

from digest.arxiv.document import Section
from digest.cards.extractive import split_sentences
from digest.models import Paper, Passage

MIN_WORDS, MAX_WORDS = 150, 300  # passage size: enough context to answer, small enough to rank


def to_passages(sections: Sequence[Section], start: int = 0) -> tuple[Passage, ...]:
    """Passages of about MIN_WORDS..MAX_WORDS words that never straddle two sections."""
    out: list[Passage] = []
    for section in sections:
        name = section.name or "Front matter"
        pieces: list[str] = []
        for paragraph in section.paragraphs:
            pieces += _pieces(paragraph)
        chunk: list[str] = []
        size = 0
        for piece in pieces:
            n = len(piece.split())
            if chunk and size + n > MAX_WORDS and size >= MIN_WORDS // 2:
                out.append(Passage(start + len(out), name, " ".join(chunk)))
                chunk, size = [], 0
            chunk.append(piece)
            size += n
        if chunk:
            out.append(Passage(start + len(out), name, " ".join(chunk)))
    return tuple(out)


def _pieces(paragraph: str) -> list[str]:
    """A paragraph as units no longer than MAX_WORDS: itself, its sentences, or word runs."""
    if len(paragraph.split()) <= MAX_WORDS:
        return [paragraph]
    out = []
    for sentence in split_sentences(paragraph):
        words = sentence.split()
        out += [" ".join(words[i : i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS)]
    return out


def abstract_passages(paper: Paper) -> tuple[Passage, ...]:
    return to_passages([Section("Abstract", [paper.abstract])])


def cite_label(section: str) -> str:
    """How an answer cites a section: "§4.2", "§A.1", or the unnumbered title itself."""
    if match := re.match(r"^(?:Appendix\s+)?(\d+(?:\.\d+)*|[A-H](?:\.\d+)*)\.?(?:\s|$)", section):
        return f"§{match.group(1)}"
    return section[:60] or "Front matter"
