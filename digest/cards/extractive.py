"""Extractive cards: a card from the abstract alone, no LLM (pure).

The fallback of every summariser, so that no paper is ever dropped, and the card of a
deployment without an LLM. The text stays in the abstract's language (English); the
renderers label such cards.
"""

from __future__ import annotations

import re

from digest.models import CardText, Paper

EXTRACTIVE_VERSION = "extractive-v3"  # part of the cache key: bump when the cards change
BULLET_MAX = 400  # characters, as for LLM bullets
HEADLINE_MAX = 160  # characters

# Words whose trailing period does not end a sentence.
_ABBREVIATIONS = {
    "e.g", "i.e", "al", "etc", "vs", "cf", "fig", "figs", "eq", "eqs", "sec", "ref", "refs",
    "no", "approx", "resp", "dr", "mr", "ms", "prof", "st", "viz", "tab", "ch", "vol", "pp",
}
_BOUNDARY = re.compile(r"[.!?][\"')\]]*\s+")
_STARTS_SENTENCE = re.compile(r"[A-Z0-9\"'(\[$\\]")


def split_sentences(text: str) -> list[str]:
    """Split English prose into sentences, keeping "e.g. X", "et al. X" and "3.8B" intact."""
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if end >= len(text) or not _STARTS_SENTENCE.match(text, end):
            continue  # "e.g. the" or a lowercase continuation
        if text[match.start()] == ".":
            word = text[start : match.start()].rsplit(" ", 1)[-1].lower().lstrip("(")
            if word in _ABBREVIATIONS or word.rstrip(".") in _ABBREVIATIONS:
                continue
        sentences.append(text[start:end].strip())
        start = end
    if tail := text[start:].strip():
        sentences.append(tail)
    return sentences


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut}…"


_CONTRIBUTION = re.compile(
    r"\b(we|this (paper|work|study)|our (method|approach|work))\b[^.]*?\b"
    r"(propose[sd]?|present(s|ed)?|introduce[sd]?|develop(s|ed)?|introducing|proposing)\b",
    re.IGNORECASE,
)


def _from_subject(sentence: str) -> str:
    """"Motivated by this, we propose X." -> "We propose X." (the lead-in adds nothing)."""
    match = _CONTRIBUTION.search(sentence)
    if match and match.start() and sentence[: match.start()].rstrip().endswith(","):
        sentence = sentence[match.start() :]
        return sentence[0].upper() + sentence[1:]
    return sentence  # as written: "mBERT ..." stays "mBERT ..."


def _words(text: str) -> str:
    """Case, punctuation and spacing left out: "Deep Nets." and "deep nets" compare equal."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def headline_and_bullets(abstract: str, title: str, bullets: int) -> tuple[str, list[str]]:
    """The extractive card's rule, as sentences of the abstract (never anything else).

    - Headline: the sentence stating the contribution ("we propose ...", "this paper
      introduces ..."), its lead-in dropped, else the first sentence; shortened to
      ``HEADLINE_MAX``. Never the title: the card shows that already, so a sentence that
      only repeats the title is skipped (and is no bullet either). No sentence, no headline.
    - Bullets: the other sentences, in the abstract's order, ``bullets`` of them. When the
      others are too few to make ``bullets`` but the abstract has enough, the headline's
      sentence takes its place among them: four sentences give four bullets. A shorter
      abstract gives fewer bullets; its headline's sentence is among them only when the
      headline had to cut it short.
    """
    own = _words(title)
    sentences = [s for s in split_sentences(abstract) if _words(s) and _words(s) != own]
    if not sentences:
        return "", []
    lead = next((s for s in sentences if _CONTRIBUTION.search(s)), sentences[0])
    headline = _shorten(_from_subject(lead), HEADLINE_MAX)
    cut_short = len(" ".join(_from_subject(lead).split())) > HEADLINE_MAX
    others = [s for s in sentences if s is not lead]
    if len(others) < bullets and (len(sentences) >= bullets or cut_short):
        others = sentences  # in order, the headline's sentence at its place
    return headline, others[: max(bullets, 0)]


class ExtractiveSummarizer:
    """A card from the abstract alone: its contribution sentence as headline, the rest as bullets.

    See ``headline_and_bullets`` for the rule.
    """

    model = "extractive"
    prompt_version = EXTRACTIVE_VERSION

    def build(self, paper: Paper, language: str, bullets: int, *, reason: str | None = None) -> CardText:
        headline, rest = headline_and_bullets(paper.abstract, paper.title, bullets)
        return CardText(
            headline=headline,  # "" for an empty abstract: renderers leave it out
            bullets=tuple(_shorten(s, BULLET_MAX) for s in rest),
            comment="",
            language=language,  # the text stays English; rendering labels it
            summarizer=f"extractive:{reason}" if reason else "extractive",
        )

    async def summarize(self, paper: Paper, language: str, bullets: int) -> CardText:
        return self.build(paper, language, bullets)

    async def aclose(self) -> None:
        pass
