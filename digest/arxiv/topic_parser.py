"""Parsing a user's topic: free text, arXiv query syntax or both, checked before any request.

A topic is free text (``synthetic data``), arXiv query syntax
(``cat:cs.CL AND abs:"diffusion"``) or both (``cat:cs.CL diffusion``). Everything is
checked here, before any request, so a typo costs the user a clear message instead of
a 400 from arXiv or, worse, a silently different query.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from digest.arxiv.categories import NEEDS_SUBJECT, TAXONOMY_URL, archive_categories, known_category, suggest_category

MAX_LENGTH = 300
FIELDS = ("ti", "abs", "au", "cat", "all", "co", "jr", "rn", "id")
OPERATORS = ("AND", "OR", "ANDNOT")
HOW = (
    'Write free text (synthetic data), a "quoted phrase", or arXiv fields such as '
    'cat:cs.CL AND abs:"diffusion model".'
)

# Characters with a meaning in arXiv's (Lucene) query grammar or in a URL that a topic
# never needs: ranges, boosts, wildcards, fuzzy and required/prohibited markers.
_FORBIDDEN = set("[]{}<>\\;^~*?!|&=#%`")
_CATEGORY = re.compile(r"^(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]+(?:-[a-z]+)?)?$")
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_BARE_VALUE = re.compile(r"^[\w.\-/'+]+$")
_WINDOW_FIELD = re.compile(r"(?i)\b(submitteddate|lastupdateddate)\s*:")


class TopicError(ValueError):
    """A topic that cannot be turned into a sound arXiv query; the message says why and how."""


@dataclass(frozen=True)
class Token:
    """One token of a topic: a parenthesis, an operator, a field:value, a word or a phrase."""

    kind: str  # "lp" "rp" "op" "field" "word" "phrase"
    text: str = ""  # operator, word or phrase text; the value of a field
    field: str = ""
    quoted: bool = False


@dataclass(frozen=True)
class Run:
    """Consecutive free words and phrases: one clause of the query."""

    items: tuple[Token, ...]


def _check_text(topic: str) -> str:
    text = topic.strip()
    if not text:
        raise TopicError(f"the topic is empty. {HOW}")
    if len(text) > MAX_LENGTH:
        raise TopicError(f"the topic is {len(text)} characters long; keep it under {MAX_LENGTH}. {HOW}")
    for ch in text:
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r":
            raise TopicError(f"the topic contains a control character ({ch!r}); type it as plain text.")
    if match := _WINDOW_FIELD.search(text):
        raise TopicError(
            f"the topic sets {match.group(1)}:, but the digest's date window chooses the dates; "
            "remove it and pick the days of the digest instead."
        )
    if bad := sorted({ch for ch in text if ch in _FORBIDDEN}):
        shown = " ".join(bad)
        raise TopicError(
            f"the topic contains {shown}, which arXiv's query language would read as syntax; "
            f"remove it. {HOW}"
        )
    if text.count('"') % 2:
        raise TopicError(f'the topic has an unbalanced quote: every " needs a closing ". {HOW}')
    return re.sub(r"\s+", " ", text)


def _check_value(field: str, value: str, quoted: bool) -> None:
    if field == "cat":
        if not quoted and known_category(value):
            return
        if not quoted and (guess := suggest_category(value)):
            raise TopicError(f"cat:{value} is not an arXiv category; did you mean cat:{guess}?")
        match = _CATEGORY.match(value)
        archive = match.group("archive") if match and not quoted else ""
        if "." in value and (listed := archive_categories(archive)):
            raise TopicError(
                f"cat:{value} is not an arXiv category; {archive} has "
                f"{', '.join(listed)} ({TAXONOMY_URL} explains them)."
            )
        raise TopicError(
            f"cat:{value} is not an arXiv category; write one like cat:cs.CL, cat:math.AP, "
            "cat:q-bio.QM, cat:hep-th or cat:stat.ML."
            + ("" if archive in NEEDS_SUBJECT else f" {TAXONOMY_URL} lists them all.")
        )
    elif field == "id" and not _ARXIV_ID.match(value):
        raise TopicError(f"id:{value} is not an arXiv id; write one like id:2404.14361 or id:math/0211159.")
    elif not quoted and not _BARE_VALUE.match(value):
        raise TopicError(f'{field}:{value} needs quotes: write {field}:"{value}".')


def _tokenize(text: str) -> list[Token]:
    toks: list[Token] = []
    i, depth = 0, 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\n\r,":
            i += 1
        elif ch == "(":
            toks.append(Token("lp"))
            depth += 1
            i += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise TopicError(f"the topic has a ')' without its '('. {HOW}")
            toks.append(Token("rp"))
            i += 1
        elif ch == '"':
            end = text.index('"', i + 1)  # balanced: checked before
            phrase = " ".join(text[i + 1 : end].split())
            if not phrase:
                raise TopicError(f'the topic has empty quotes (""); put words inside them. {HOW}')
            toks.append(Token("phrase", phrase))
            i = end + 1
        else:
            m = re.compile(r'[^\s(),"]+').match(text, i)
            assert m is not None
            word, i = m.group(), m.end()
            if word[0] in "+-" and len(word) > 1:
                # Lucene reads a leading +/- as required/prohibited, not as text.
                raise TopicError(f"{word}: a leading {word[0]} is not supported; to exclude, write A ANDNOT B.")
            if ":" not in word:
                toks.append(Token("op", word) if word in OPERATORS else Token("word", word))
                continue
            prefix, _, value = word.partition(":")
            field = prefix.lower()
            if field not in FIELDS:
                raise TopicError(
                    f"{prefix}: is not an arXiv search field; use one of "
                    f"{', '.join(f + ':' for f in FIELDS)} (or put the text in quotes)."
                )
            quoted = False
            if not value and text.startswith('"', i):
                end = text.index('"', i + 1)
                value, quoted, i = " ".join(text[i + 1 : end].split()), True, end + 1
            if not value:
                if text.startswith("(", i):
                    raise TopicError(
                        f"{field}:( ... ) is not supported; repeat the field: (ti:a OR ti:b)."
                    )
                raise TopicError(f'{field}: needs a value, e.g. {field}:word or {field}:"a phrase".')
            if ":" in value:
                raise TopicError(f'{field}:{value} has a second ":"; put the text in quotes.')
            _check_value(field, value, quoted)
            toks.append(Token("field", value, field=field, quoted=quoted))
    if depth:
        raise TopicError(f"the topic has {depth} '(' without a closing ')'. {HOW}")
    return toks


def _group(toks: list[Token]) -> list[Token | Run]:
    """Free words/phrases -> runs; a lone lowercase and/or between terms -> operator."""
    out: list[Token | Run] = []
    for tok in toks:
        if tok.kind in ("word", "phrase"):
            if out and isinstance(out[-1], Run):
                out[-1] = Run(out[-1].items + (tok,))
            else:
                out.append(Run((tok,)))
        else:
            out.append(tok)
    for i, part in enumerate(out):
        if (
            isinstance(part, Run)
            and len(part.items) == 1
            and part.items[0].kind == "word"
            and part.items[0].text.lower() in ("and", "or", "andnot")
            and len(out) > 1
        ):
            # "cat:cs.CL or cat:cs.LG" means OR; inside free text ("retrieval and
            # generation") "and" stays an ordinary word of the run.
            out[i] = Token("op", part.items[0].text.upper())
    return out


def _check_structure(parts: list[Token | Run]) -> None:
    prev: Token | Run | None = None
    ends: list[Token | Run | None] = [*parts, None]
    for part in ends:
        kind = part.kind if isinstance(part, Token) else ("run" if part else "end")
        prev_kind = prev.kind if isinstance(prev, Token) else ("run" if prev else "start")
        if kind == "op" and prev_kind in ("start", "lp"):
            raise TopicError(f"{part.text} has nothing on its left; write A {part.text} B. {HOW}")
        if kind == "op" and prev_kind == "op":
            raise TopicError(f"{prev.text} {part.text}: two operators in a row; write A {prev.text} B. {HOW}")
        if kind in ("rp", "end") and prev_kind == "op":
            raise TopicError(f"{prev.text} has nothing on its right; write A {prev.text} B. {HOW}")
        if kind == "rp" and prev_kind == "lp":
            raise TopicError(f"the topic has empty parentheses (); put terms inside them. {HOW}")
        if isinstance(part, Run) and any(t.kind == "word" and t.text == "NOT" for t in part.items):
            raise TopicError("arXiv has no NOT operator; write A ANDNOT B.")
        prev = part


def parse_topic(topic: str) -> list[Token | Run]:
    """The topic's operators, parentheses and fields as tokens, its free text as runs, in order.

    Raises ``TopicError`` (its message says what to write instead) for anything arXiv would
    reject or read differently than the user meant.
    """
    parts = _group(_tokenize(_check_text(topic)))
    _check_structure(parts)
    return parts

