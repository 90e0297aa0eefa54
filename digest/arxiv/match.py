"""Matching a topic locally: would arXiv's search API return this paper for the topic's query?

``compile_topic(topic)`` reads the topic once (``topic_parser``) and builds the query
``topics.to_query`` sends, as a test: free text needs every content word in the title or
the abstract; fields, quoted phrases, AND, OR, ANDNOT and parentheses mean what arXiv's
search makes of them. Each field's analysis (stemming, stop words, accents) is in
``search_analysis``.

Operator precedence is arXiv's: its API parses ``search_query`` with one rule,
``expression OPERATOR expression``, for AND, OR and ANDNOT alike, on an LALR parser that
shifts; so operators have equal precedence and group to the right: ``a AND b OR c`` is
``a AND (b OR c)``, ``a ANDNOT b OR c`` is ``a ANDNOT (b OR c)`` (arxiv-search,
``search/domain/classic_api/query_parser.py``; checked with its pinned lark-parser 0.12).
Parentheses group as written. ``to_query`` joins adjacent operands with an explicit AND.

``jr:`` and ``rn:`` search a paper's ``journal_ref`` and ``report_no`` when its record has
them (OAI-PMH's arXiv format does); a ``Paper`` from the query API has neither, so there
they match nothing. Known gaps, all rare in topics: ``all:`` does not search category names ("Computation and
Language") or DOIs, which arXiv's index also holds; nor papers' submitter accounts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from digest.arxiv.search_analysis import (
    ENGLISH_STOP,
    PaperText,
    Term,
    Terms,
    english_terms,
    name_tokens,
    simple_terms,
    standard_tokens,
)
from digest.arxiv.topic_parser import Run, Token, parse_topic
from digest.arxiv.topics import to_query
from digest.models import Paper
from digest.text.stopwords import STOPWORDS

Test = Callable[[PaperText], bool]
FieldTest = Callable[[Terms], bool]

_PLAIN = re.compile(r"^[A-Za-z0-9]+$")  # topics.to_query sends these unquoted, others quoted


def _never(_: object) -> bool:
    return False


@dataclass(frozen=True)
class Matcher:
    """A compiled topic: ``matcher(paper)`` is True when arXiv's search would return the paper.

    Call it with a ``Paper`` (analysed once, then cached) or, for large batches, with a
    ``PaperText`` built once per paper and shared by every matcher.
    """

    topic: str
    query: str  # what topics.to_query sends to arXiv for this topic
    test: Test = field(repr=False, compare=False)

    def __call__(self, paper: Paper | PaperText) -> bool:
        return self.test(paper if isinstance(paper, PaperText) else PaperText.of(paper))


@lru_cache(maxsize=8192)
def compile_topic(topic: str) -> Matcher:
    """The topic as a ``Matcher``; raises ``TopicError`` exactly when ``to_query`` does."""
    query = to_query(topic)
    test, _ = _expression(parse_topic(topic), 0)
    return Matcher(topic, query, test)


def _expression(parts: Sequence[Token | Run], i: int) -> tuple[Test, int]:
    """The operands and operators from ``parts[i]`` to the closing parenthesis, as one test."""
    operands: list[Test] = []
    ops: list[str] = []
    while i < len(parts):
        part = parts[i]
        if isinstance(part, Token) and part.kind == "rp":
            return _fold(operands, ops), i + 1
        if isinstance(part, Token) and part.kind == "op":
            ops.append(part.text)
            i += 1
            continue
        if len(operands) > len(ops):
            ops.append("AND")  # to_query's explicit AND between adjacent operands
        if isinstance(part, Run):
            operands.append(_run(part))
            i += 1
        elif part.kind == "lp":
            test, i = _expression(parts, i + 1)
            operands.append(test)
        else:
            operands.append(_field(part))
            i += 1
    return _fold(operands, ops), i


def _fold(operands: list[Test], ops: list[str]) -> Test:
    # Equal precedence, grouping to the right: a op1 (b op2 (c ...)).
    test = operands[-1]
    for left, op in zip(reversed(operands[:-1]), reversed(ops)):
        test = _combine(op, left, test)
    return test


def _combine(op: str, left: Test, right: Test) -> Test:
    if op == "AND":
        return lambda t: left(t) and right(t)
    if op == "OR":
        return lambda t: left(t) or right(t)
    return lambda t: left(t) and not right(t)  # ANDNOT


def _pattern(terms: Sequence[Term], phrase: bool) -> FieldTest | None:
    """A field test for analysed query terms: all of them (any order), or the phrase.

    None when nothing is left to search for (only stop words): arXiv then matches nothing.
    """
    if phrase:
        seq = list(terms)
        while seq and seq[0] is None:
            seq.pop(0)
        while seq and seq[-1] is None:
            seq.pop()
        if len(seq) > 1:
            words = tuple(seq)
            return lambda f: f.has_phrase(words)
        terms = seq
    required = tuple(dict.fromkeys(t for t in terms if t is not None))
    if not required:
        return None
    if len(required) == 1:
        (only,) = required
        return lambda f: only in f.set
    return lambda f: all(t in f.set for t in required)


def _text_field(value: str, quoted: bool, *fields: str) -> Test:
    """``ti:``/``abs:`` (english analysis) over one or more of the paper's text fields."""
    pattern = _pattern(english_terms(value), quoted)
    if pattern is None:
        return _never
    getters = [_GET[f] for f in fields]
    return lambda t: any(pattern(get(t)) for get in getters)


def _run(run: Run) -> Test:
    """Free words and phrases, as to_query asks: every content item in the title or abstract.

    A run of two or more plain words also ORs in the run as one phrase. That only adds a
    paper when a word analyses to nothing (a Lucene stop word such as "these", which
    arXiv then matches nowhere): then the phrase, with that word as a gap, still can.
    """
    items = [
        t for t in run.items
        if t.kind == "phrase" or (any(c.isalnum() for c in t.text) and t.text.lower() not in STOPWORDS)
    ]
    conjuncts = [_text_field(t.text, t.kind == "phrase" or not _PLAIN.match(t.text), "ti", "abs") for t in items]
    test = _all(conjuncts)
    if len(conjuncts) > 1 and all(t.kind == "word" for t in run.items):
        if any(_pattern(english_terms(t.text), True) is None for t in items):
            text = " ".join(t.text for t in run.items if any(c.isalnum() for c in t.text))
            phrase = _text_field(text, True, "ti", "abs")
            return lambda t: phrase(t) or test(t)
    return test


def _all(tests: list[Test]) -> Test:
    if len(tests) == 1:
        return tests[0]
    return lambda t: all(test(t) for test in tests)


def _field(tok: Token) -> Test:
    value, quoted = tok.text, tok.quoted
    if tok.field in ("ti", "abs"):
        return _text_field(value, quoted, tok.field)
    if tok.field == "cat":
        category = value.lower()
        return lambda t: category in t.categories
    if tok.field == "id":
        arxiv_id = value.lower()
        return lambda t: arxiv_id in t.ids
    if tok.field == "au":
        return _author(value, quoted)
    if tok.field == "co":
        return _simple_field(value, quoted, "co", search_keeps_stops=True)
    if tok.field in ("jr", "rn"):
        return _simple_field(value, quoted, tok.field)
    return _any_field(value, quoted)  # all:


def _simple_field(value: str, quoted: bool, name: str, search_keeps_stops: bool = False) -> Test:
    # co: is searched with the standard analyzer (stop words kept, so they never match the
    # index, which dropped them) unless quoted; jr:, rn: with the simple one, like the index.
    terms: Sequence[Term] = standard_tokens(value) if search_keeps_stops and not quoted else simple_terms(value)
    if search_keeps_stops and not quoted and any(t in ENGLISH_STOP for t in terms):
        return _never
    pattern = _pattern(terms, quoted)
    if pattern is None:
        return _never
    get = _GET[name]
    return lambda t: pattern(get(t))


def _author(value: str, quoted: bool) -> Test:
    # Quoted, or del_maestro style (arXiv's API manual: the underscore joins a name's
    # parts), every part in one author's name, any order (arxiv-search's string_query).
    # Otherwise each part anywhere among the authors' names and initials.
    parts = frozenset(name_tokens(value.replace("_", " ")))
    if not parts:
        return _never
    if quoted or "_" in value:
        return lambda t: any(parts <= author for author in t.authors)
    return lambda t: parts <= t.author_terms


def _any_field(value: str, quoted: bool) -> Test:
    """``all:``: the value in any one field (each with its analysis), or spread over all."""
    tests = [
        _text_field(value, quoted, "ti", "abs"),
        _simple_field(value, quoted, "co", search_keeps_stops=True),
        _simple_field(value, quoted, "jr"),
        _simple_field(value, quoted, "rn"),
        _author(value, quoted),
    ]
    words = frozenset(t for t in name_tokens(value) if t not in ENGLISH_STOP)
    categories = frozenset(standard_tokens(value))
    if not quoted and words:
        tests.append(lambda t: words <= t.combined)
    if not quoted and categories:
        tests.append(lambda t: categories <= t.category_terms)
    arxiv_id = value.lower()
    tests.append(lambda t: arxiv_id in t.ids)
    return lambda t: any(test(t) for test in tests)


_GET: dict[str, Callable[[PaperText], Terms]] = {
    "ti": lambda t: t.title,
    "abs": lambda t: t.abstract,
    "co": lambda t: t.comment,
    "jr": lambda t: t.journal_ref,
    "rn": lambda t: t.report_no,
}
