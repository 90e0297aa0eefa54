"""Summarisers: turn one ``Paper`` into a ``CardText`` (headline, N bullets, comment).

``LLMSummarizer`` asks the LLM with the versioned prompt ``prompts/<version>.txt``,
validates the answer, gives junk one repair try, and falls back to the
``ExtractiveSummarizer`` (abstract sentences, no LLM) so that no paper is ever dropped.
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator, model_validator

from digest.i18n import LANGUAGE_NAMES
from digest.llm import LLMClient, LLMError, LLMResponseError
from digest.models import CardKey, CardText, Paper

log = logging.getLogger(__name__)

PROMPT_VERSION = "card-v1"
EXTRACTIVE_VERSION = "extractive-v2"
# A card "in" these languages must use their script; a model drifting to English is junk.
_SCRIPTS = {
    "ja": re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]"),
    "zh": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]"),
    "ko": re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"),
}
HEADLINE_MAX, BULLET_MAX, COMMENT_MAX = 200, 400, 300


def card_key(paper: Paper, language: str, bullets: int, summarizer: Any) -> CardKey:
    """Cache identity of the card ``summarizer`` writes (it has ``.model`` and ``.prompt_version``)."""
    return CardKey(
        arxiv_id=paper.arxiv_id,
        version=paper.version,
        language=language,
        model=summarizer.model,
        prompt_version=summarizer.prompt_version,
        bullets=bullets,
    )


# --- extractive ---------------------------------------------------------------------------

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
    assert match is not None
    if match.start() and sentence[: match.start()].rstrip().endswith(","):
        sentence = sentence[match.start() :]
    return sentence[0].upper() + sentence[1:]


class ExtractiveSummarizer:
    """A card from the abstract alone: its contribution sentence as headline, the rest as bullets."""

    model = "extractive"
    prompt_version = EXTRACTIVE_VERSION

    def build(self, paper: Paper, language: str, bullets: int, *, reason: str | None = None) -> CardText:
        sentences = split_sentences(paper.abstract)
        # The sentence stating the contribution makes a better headline than the title
        # the card already shows; without one, the title it is.
        claim = next((s for s in sentences if _CONTRIBUTION.search(s)), None)
        headline = _shorten(_from_subject(claim) if claim else paper.title, 160) or paper.arxiv_id
        rest = [s for s in sentences if s is not claim][:bullets]  # fewer if short: never invent
        return CardText(
            headline=headline,
            bullets=tuple(_shorten(s, BULLET_MAX) for s in rest),
            comment="",
            language=language,  # the text stays English; rendering labels it
            summarizer=f"extractive:{reason}" if reason else "extractive",
        )

    async def summarize(self, paper: Paper, language: str, bullets: int) -> CardText:
        return self.build(paper, language, bullets)

    async def aclose(self) -> None:
        pass


# --- LLM ----------------------------------------------------------------------------------


class CardAnswer(BaseModel):
    """An LLM card answer; validation context carries ``bullets`` and ``language``."""

    headline: str
    bullets: list[str]
    comment: str = ""

    @field_validator("headline", "comment", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("bullets", mode="before")
    @classmethod
    def _strip_items(cls, value: Any) -> Any:
        # Models sometimes keep the bullet marker the card renderer adds itself.
        if isinstance(value, list):
            return [re.sub(r"^(?:[-•*]\s+|・)", "", v.strip()) if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> CardAnswer:
        want = (info.context or {}).get("bullets")
        language = (info.context or {}).get("language", "")
        if not self.headline or len(self.headline) > HEADLINE_MAX:
            raise ValueError(f"headline must be 1 to {HEADLINE_MAX} characters")
        if want is not None and len(self.bullets) != want:
            raise ValueError(f"expected exactly {want} bullets, got {len(self.bullets)}")
        for i, bullet in enumerate(self.bullets, 1):
            if not bullet or len(bullet) > BULLET_MAX:
                raise ValueError(f"bullet {i} must be 1 to {BULLET_MAX} characters")
        if len(self.comment) > COMMENT_MAX:
            raise ValueError(f"comment must be at most {COMMENT_MAX} characters")
        script = _SCRIPTS.get(language)
        if script and not all(script.search(t) for t in (self.headline, *self.bullets)):
            raise ValueError(f"headline and bullets must be written in {LANGUAGE_NAMES[language]}")
        return self


def card_schema(bullets: int) -> dict[str, Any]:
    """JSON schema for the answer; within OpenAI strict mode's subset (no maxLength)."""
    return {
        "type": "object",
        "properties": {
            "headline": {"type": "string"},
            "bullets": {"type": "array", "items": {"type": "string"}, "minItems": bullets, "maxItems": bullets},
            "comment": {"type": "string"},
        },
        "required": ["headline", "bullets", "comment"],
        "additionalProperties": False,
    }


@lru_cache
def load_prompt(version: str) -> tuple[str, str]:
    """(system, user) templates of ``prompts/<version>.txt``."""
    text = resources.files("digest").joinpath("prompts", f"{version}.txt").read_text("utf-8")
    _, rest = text.split("=== system ===\n", 1)
    system, user = rest.split("=== user ===\n", 1)
    return system.strip(), user.strip()


_FENCE_TAG = re.compile(r"<\s*/?\s*paper\b[^>]*>", re.I)


def _untrusted(text: str | None) -> str:
    """One line of paper text that cannot close (or reopen) the <paper> fence."""
    return _FENCE_TAG.sub("[paper-tag]", " ".join((text or "").split()))


def build_messages(paper: Paper, language: str, bullets: int, version: str = PROMPT_VERSION) -> list[dict[str, str]]:
    system, user = load_prompt(version)
    values = {
        "language": LANGUAGE_NAMES.get(language, language),
        "bullets": bullets,
        "arxiv_id": paper.versioned_id,
        "title": _untrusted(paper.title),
        "categories": ", ".join(paper.categories),
        "comment": _untrusted(paper.comment) or "(none)",
        "abstract": _untrusted(paper.abstract),
    }
    # format_map parses only the template, so braces in abstracts (LaTeX) are safe.
    return [
        {"role": "system", "content": system.format_map(values)},
        {"role": "user", "content": user.format_map(values)},
    ]


class LLMSummarizer:
    """Cards written by the LLM, validated, repaired once, extractive when all else fails."""

    def __init__(self, llm: LLMClient, prompt_version: str = PROMPT_VERSION) -> None:
        self.llm = llm
        self.prompt_version = prompt_version
        self.model = llm.model
        self._fallback = ExtractiveSummarizer()
        load_prompt(prompt_version)  # a missing prompt file fails now, not per paper

    async def aclose(self) -> None:
        await self.llm.aclose()

    async def summarize(self, paper: Paper, language: str, bullets: int) -> CardText:
        messages = build_messages(paper, language, bullets, self.prompt_version)
        schema = card_schema(bullets)
        context = {"bullets": bullets, "language": language}
        for attempt in (1, 2):
            try:
                data = await self.llm.complete_json(messages, schema, "paper_card")
                card = CardAnswer.model_validate(data, context=context)
            except LLMResponseError as err:  # refusal, empty, not JSON
                previous, problem = err.content, str(err)
            except ValidationError as err:
                previous, problem = json.dumps(data, ensure_ascii=False), _explain(err)
            except LLMError as err:  # unreachable after the SDK's retries: repairing won't help
                log.warning("LLM failed for %s, using an extractive card: %s", paper.versioned_id, err)
                return self._fallback.build(paper, language, bullets, reason="llm-failed")
            else:
                return CardText(
                    headline=card.headline,
                    bullets=tuple(card.bullets),
                    comment=card.comment,
                    language=language,
                    summarizer=f"llm:{self.model}",
                )
            log.info("LLM answer %d for %s is unusable: %s", attempt, paper.versioned_id, problem)
            messages = [*messages, *_repair(previous, problem, language, bullets)]
        log.warning("LLM gave no usable card for %s, using an extractive card: %s", paper.versioned_id, problem)
        return self._fallback.build(paper, language, bullets, reason="llm-failed")


def _explain(err: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg'].removeprefix('Value error, ')}"
        for e in err.errors()
    )


def _repair(previous: str, problem: str, language: str, bullets: int) -> list[dict[str, str]]:
    return [
        {"role": "assistant", "content": previous or "(empty answer)"},
        {
            "role": "user",
            "content": (
                f"That answer cannot be used: {problem}. Write the card again as the JSON object "
                f'only, with "headline", exactly {bullets} "bullets" and "comment", all in '
                f"{LANGUAGE_NAMES.get(language, language)}."
            ),
        },
    ]
