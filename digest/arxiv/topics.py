"""A parsed topic as an arXiv ``search_query``, limited to a date window, and as terms.

``topic_parser`` reads and checks the topic; this says what arXiv is asked: free text
searches titles and abstracts for every content word, fields pass through, operands are
joined with explicit ANDs. ``topic_terms`` are the topic's words and phrases, for ranking.
"""

from __future__ import annotations

import functools
import re
from datetime import timedelta

from digest.arxiv.topic_parser import HOW, Run, Token, TopicError, parse_topic
from digest.models import Window
from digest.text.stopwords import STOPWORDS  # not searched for alone: arXiv would match nearly all

_PLAIN = re.compile(r"^[A-Za-z0-9]+$")


def _term(text: str) -> str:
    return text if _PLAIN.match(text) else f'"{text}"'


def _either(text: str) -> str:
    return f"(ti:{_term(text)} OR abs:{_term(text)})"


def _content(run: Run) -> list[Token]:
    """The run's phrases and non-stopwords; words without a letter or digit are noise."""
    items = [
        t for t in run.items
        if t.kind == "phrase" or (any(c.isalnum() for c in t.text) and t.text.lower() not in STOPWORDS)
    ]
    if not items:
        words = " ".join(t.text for t in run.items)
        raise TopicError(f"'{words}' has no word worth searching for; add a content word. {HOW}")
    return items


def _run_clause(run: Run, alone: bool) -> str:
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


@functools.lru_cache(maxsize=1024)  # a tick asks once per subscription, of a few topics
def to_query(topic: str) -> str:
    """The arXiv ``search_query`` for a topic; raises TopicError with a readable reason."""
    parts = parse_topic(topic)
    out: list[str] = []
    prev: Token | Run | None = None
    for part in parts:
        # Adjacent operands get an explicit AND: arXiv's default between bare terms is OR.
        if prev is not None and _ends_operand(prev) and _starts_operand(part):
            out.append("AND")
        if isinstance(part, Run):
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


def _ends_operand(part: Token | Run) -> bool:
    return isinstance(part, Run) or part.kind in ("field", "rp")


def _starts_operand(part: Token | Run) -> bool:
    return isinstance(part, Run) or part.kind in ("field", "lp")


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
    for part in parse_topic(topic):
        if skip_depth or negate:
            if isinstance(part, Token) and part.kind in ("lp", "rp"):
                skip_depth += 1 if part.kind == "lp" else -1
            negate = False
            continue
        if isinstance(part, Token) and part.kind == "op":
            negate = part.text == "ANDNOT"
        elif isinstance(part, Run):
            if all(t.kind == "word" for t in part.items):
                add(" ".join(t.text for t in part.items))
            else:
                for item in part.items:
                    add(item.text)
        elif part.kind == "field" and part.field in ("ti", "abs", "all"):
            add(part.text)
    return tuple(terms)
