"""A user's topic -> a validated arXiv ``search_query``, its date window, and its terms.

A topic is free text (``synthetic data``), arXiv query syntax
(``cat:cs.CL AND abs:"diffusion"``) or both (``cat:cs.CL diffusion``). Everything is
checked here, before any request, so a typo costs the user a clear message instead of
a 400 from arXiv or, worse, a silently different query.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from digest.models import Window
from digest.text.stopwords import STOPWORDS  # not searched for alone: arXiv would match nearly all

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
# Archives whose categories always carry a subject class: "cs" alone matches nothing.
_NEEDS_SUBJECT = frozenset("cs math stat q-bio q-fin eess econ".split())
_CATEGORY = re.compile(r"^(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]+(?:-[a-z]+)?)?$")
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_BARE_VALUE = re.compile(r"^[\w.\-/'+]+$")
_PLAIN = re.compile(r"^[A-Za-z0-9]+$")
_WINDOW_FIELD = re.compile(r"(?i)\b(submitteddate|lastupdateddate)\s*:")


class TopicError(ValueError):
    """A topic that cannot be turned into a sound arXiv query; the message says why and how."""


@dataclass(frozen=True)
class _Tok:
    kind: str  # "lp" "rp" "op" "field" "word" "phrase"
    text: str = ""  # operator, word or phrase text; the value of a field
    field: str = ""
    quoted: bool = False


@dataclass(frozen=True)
class _Run:
    """Consecutive free words and phrases: one clause of the query."""

    items: tuple[_Tok, ...]


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
        match = _CATEGORY.match(value)
        if quoted or not match or match.group("archive") in _NEEDS_SUBJECT and "." not in value:
            raise TopicError(
                f"cat:{value} is not an arXiv category; write one like cat:cs.CL, cat:math.AP, "
                "cat:q-bio.QM, cat:hep-th or cat:stat.ML."
            )
    elif field == "id" and not _ARXIV_ID.match(value):
        raise TopicError(f"id:{value} is not an arXiv id; write one like id:2404.14361 or id:math/0211159.")
    elif not quoted and not _BARE_VALUE.match(value):
        raise TopicError(f'{field}:{value} needs quotes: write {field}:"{value}".')


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, depth = 0, 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\n\r,":
            i += 1
        elif ch == "(":
            toks.append(_Tok("lp"))
            depth += 1
            i += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise TopicError(f"the topic has a ')' without its '('. {HOW}")
            toks.append(_Tok("rp"))
            i += 1
        elif ch == '"':
            end = text.index('"', i + 1)  # balanced: checked before
            phrase = " ".join(text[i + 1 : end].split())
            if not phrase:
                raise TopicError(f'the topic has empty quotes (""); put words inside them. {HOW}')
            toks.append(_Tok("phrase", phrase))
            i = end + 1
        else:
            m = re.compile(r'[^\s(),"]+').match(text, i)
            assert m is not None
            word, i = m.group(), m.end()
            if word[0] in "+-" and len(word) > 1:
                # Lucene reads a leading +/- as required/prohibited, not as text.
                raise TopicError(f"{word}: a leading {word[0]} is not supported; to exclude, write A ANDNOT B.")
            if ":" not in word:
                toks.append(_Tok("op", word) if word in OPERATORS else _Tok("word", word))
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
            toks.append(_Tok("field", value, field=field, quoted=quoted))
    if depth:
        raise TopicError(f"the topic has {depth} '(' without a closing ')'. {HOW}")
    return toks


def _group(toks: list[_Tok]) -> list[_Tok | _Run]:
    """Free words/phrases -> runs; a lone lowercase and/or between terms -> operator."""
    out: list[_Tok | _Run] = []
    for tok in toks:
        if tok.kind in ("word", "phrase"):
            if out and isinstance(out[-1], _Run):
                out[-1] = _Run(out[-1].items + (tok,))
            else:
                out.append(_Run((tok,)))
        else:
            out.append(tok)
    for i, part in enumerate(out):
        if (
            isinstance(part, _Run)
            and len(part.items) == 1
            and part.items[0].kind == "word"
            and part.items[0].text.lower() in ("and", "or", "andnot")
            and len(out) > 1
        ):
            # "cat:cs.CL or cat:cs.LG" means OR; inside free text ("retrieval and
            # generation") "and" stays an ordinary word of the run.
            out[i] = _Tok("op", part.items[0].text.upper())
    return out


def _check_structure(parts: list[_Tok | _Run]) -> None:
    prev: _Tok | _Run | None = None
    ends: list[_Tok | _Run | None] = [*parts, None]
    for part in ends:
        kind = part.kind if isinstance(part, _Tok) else ("run" if part else "end")
        prev_kind = prev.kind if isinstance(prev, _Tok) else ("run" if prev else "start")
        if kind == "op" and prev_kind in ("start", "lp"):
            raise TopicError(f"{part.text} has nothing on its left; write A {part.text} B. {HOW}")
        if kind == "op" and prev_kind == "op":
            raise TopicError(f"{prev.text} {part.text}: two operators in a row; write A {prev.text} B. {HOW}")
        if kind in ("rp", "end") and prev_kind == "op":
            raise TopicError(f"{prev.text} has nothing on its right; write A {prev.text} B. {HOW}")
        if kind == "rp" and prev_kind == "lp":
            raise TopicError(f"the topic has empty parentheses (); put terms inside them. {HOW}")
        if isinstance(part, _Run) and any(t.kind == "word" and t.text == "NOT" for t in part.items):
            raise TopicError("arXiv has no NOT operator; write A ANDNOT B.")
        prev = part


def _term(text: str) -> str:
    return text if _PLAIN.match(text) else f'"{text}"'


def _either(text: str) -> str:
    return f"(ti:{_term(text)} OR abs:{_term(text)})"


def _content(run: _Run) -> list[_Tok]:
    """The run's phrases and non-stopwords; words without a letter or digit are noise."""
    items = [
        t for t in run.items
        if t.kind == "phrase" or (any(c.isalnum() for c in t.text) and t.text.lower() not in STOPWORDS)
    ]
    if not items:
        words = " ".join(t.text for t in run.items)
        raise TopicError(f"'{words}' has no word worth searching for; add a content word. {HOW}")
    return items


def _run_clause(run: _Run, alone: bool) -> str:
    # Free text searches title OR abstract (not all:, which also matches author names and
    # journal refs) and needs EVERY content word, in any order: "LLM agents for code" must
    # find "code-writing agents built on LLMs", which an exact phrase would miss. That is
    # the recall. The exact phrase is OR-ed in as well: it adds no paper the words do not
    # already find, but it lifts papers using the phrase in arXiv's relevance order, which
    # decides what survives the max_candidates cap.
    items = _content(run)
    conjuncts = [_either(t.text) for t in items]
    if len(conjuncts) == 1:
        return conjuncts[0]
    words_only = all(t.kind == "word" for t in run.items)
    if words_only:
        phrase = " ".join(t.text for t in run.items if any(c.isalnum() for c in t.text))
        return f'(ti:"{phrase}" OR abs:"{phrase}" OR ({" AND ".join(conjuncts)}))'
    joined = " AND ".join(conjuncts)
    return joined if alone else f"({joined})"


def _parse(topic: str) -> list[_Tok | _Run]:
    parts = _group(_tokenize(_check_text(topic)))
    _check_structure(parts)
    return parts


@functools.lru_cache(maxsize=1024)  # a tick asks once per subscription, of a few topics
def to_query(topic: str) -> str:
    """The arXiv ``search_query`` for a topic; raises TopicError with a readable reason."""
    parts = _parse(topic)
    out: list[str] = []
    prev: _Tok | _Run | None = None
    for part in parts:
        # Adjacent operands get an explicit AND: arXiv's default between bare terms is OR.
        if prev is not None and _ends_operand(prev) and _starts_operand(part):
            out.append("AND")
        if isinstance(part, _Run):
            out.append(_run_clause(part, alone=len(parts) == 1))
        elif part.kind == "field":
            out.append(f'{part.field}:"{part.text}"' if part.quoted else f"{part.field}:{part.text}")
        else:
            out.append({"lp": "(", "rp": ")"}.get(part.kind, part.text))
        prev = part
    text = ""
    for piece in out:
        text += piece if not text or text.endswith("(") or piece == ")" else " " + piece
    return text


def _ends_operand(part: _Tok | _Run) -> bool:
    return isinstance(part, _Run) or part.kind in ("field", "rp")


def _starts_operand(part: _Tok | _Run) -> bool:
    return isinstance(part, _Run) or part.kind in ("field", "lp")


def window_query(query: str, window: Window) -> str:
    """``query`` limited to papers first submitted within ``window`` (minute precision)."""
    first, after = window.bounds_utc()
    last = after - timedelta(minutes=1)  # arXiv's range is inclusive at both ends
    return f"({query}) AND submittedDate:[{first:%Y%m%d%H%M} TO {last:%Y%m%d%H%M}]"


def topic_terms(topic: str) -> list[str]:
    """Lowercased words and phrases of a topic, for ranking candidates by relevance.

    Categories, authors, ids and the other non-text fields are dropped (they say which
    papers, not what about); ti:/abs:/all: values and free text are kept. A phrase, quoted
    or a run of two or more content words, is one item followed by its own words.
    """
    return list(_terms(topic))


@functools.lru_cache(maxsize=1024)  # a tick asks once per subscription, of a few topics
def _terms(topic: str) -> tuple[str, ...]:
    terms: list[str] = []

    def add(text: str) -> None:
        words = [w for w in re.findall(r"[\w.'\-+]+", text.lower()) if w not in STOPWORDS]
        words = [w for w in words if any(c.isalnum() for c in w)]
        phrase = " ".join(text.lower().split())
        if len(words) > 1 and phrase not in terms:
            terms.append(phrase)
        terms.extend(w for w in words if w not in terms)

    skip_depth = 0  # > 0 while inside an operand that follows ANDNOT: unwanted words
    negate = False
    for part in _parse(topic):
        if skip_depth or negate:
            if isinstance(part, _Tok) and part.kind in ("lp", "rp"):
                skip_depth += 1 if part.kind == "lp" else -1
            negate = False
            continue
        if isinstance(part, _Tok) and part.kind == "op":
            negate = part.text == "ANDNOT"
        elif isinstance(part, _Run):
            if all(t.kind == "word" for t in part.items):
                add(" ".join(t.text for t in part.items))
            else:
                for item in part.items:
                    add(item.text)
        elif part.kind == "field" and part.field in ("ti", "abs", "all"):
            add(part.text)
    return tuple(terms)
