"""arXiv search's text analysis, field by field: how a paper's text and a query value become terms.

The local matcher (``match.py``) must agree with what arXiv's API returns for a query. Since
late 2025 export.arxiv.org/api/query is served by arXiv's Python search service over
Elasticsearch (github.com/arXiv/arxiv-search: ``search/services/index/prepare.py``,
``authors.py``, ``mappings/DocumentMapping.json``); these are the analyzers it applies:

- ``ti:``, ``abs:``: Elasticsearch's ``english`` analyzer on both sides: standard (UAX#29)
  tokens, a possessive 's dropped, lowercased, Lucene's 33 English stop words removed (their
  positions kept), Porter stemmed. So ``testing`` finds "Test" and "tests", and a quoted
  phrase is stemmed too (arxiv-search issue #303: quotes do not turn stemming off; its
  ``search/domain/classic_api/README_classic_search_query.md`` records the same of the
  older Lucene service: ``ti:pineapple`` found "pineAPPL", quoted or not). No
  accent folding: "naïve" and "naive" differ there.
- ``co:``, ``jr:``, ``rn:``: standard tokens, lowercased, stop words removed; no stemming.
- ``au:``: whitespace tokens of each author name, ``. , ;`` deleted, accents folded
  (``icu_folding``) and German/Scandinavian spellings merged (Müller = Mueller = Muller).
- ``all:``: the fields above, or every word somewhere in the paper (the ``combined`` field:
  whitespace tokens, ``. , ;`` deleted, folded, stop words removed, not stemmed).
- ``cat:``, ``id:``: a category or id compared whole (lowercase).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from digest.models import Paper

Term = str | None  # None: a stop word's position (a phrase gap that any word fills)

# Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, Elasticsearch's "_english_" list.
ENGLISH_STOP = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split()
)
# UAX#29 (Lucene's standard tokenizer) makes each Han ideograph and Hiragana a token of its
# own; other scripts' letters and digits run on, joined by ' . _ and a comma between digits.
_CJK = "\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+(?:(?:['\u2019.]|(?<=\d),(?=\d))[^\W{_CJK}]+)*")
_POSSESSIVE = ("'s", "\u2019s", "\uff07s")  # Lucene's EnglishPossessiveFilter, lowercased
_NAME_PUNCT = str.maketrans("", "", ".,;")  # the author and combined analyzers delete these
# Letters icu_folding maps that Unicode decomposition does not.
_FOLD = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "ı": "i", "þ": "th"})
# German_normalization and scandinavian_folding: ae, oe, ue (not after q), aa, ao, oo.
_DIGRAPH = re.compile(r"a[aeo]|o[eo]|(?<!q)ue")


@lru_cache(maxsize=1)
def _porter() -> snowballstemmer.stemmer:
    # Elasticsearch's "english" stemmer is Lucene's PorterStemFilter: Porter's original
    # algorithm, which Snowball's "porter" implements (not Snowball's "english", Porter2).
    return snowballstemmer.stemmer("porter")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _porter().stemWord(word)


def standard_tokens(text: str) -> list[str]:
    """Lowercased standard-tokenizer tokens of ``text`` (stop words kept)."""
    return _TOKEN.findall(text.lower())


def english_terms(text: str) -> tuple[Term, ...]:
    """``text`` as the ``english`` analyzer indexes it: stems, ``None`` for each stop word."""
    out: list[Term] = []
    for token in _TOKEN.findall(text.lower()):
        if token[-2:] in _POSSESSIVE:
            token = token[:-2]
        out.append(None if token in ENGLISH_STOP else _stem(token))
    return tuple(out)


def simple_terms(text: str) -> tuple[Term, ...]:
    """``text`` as arXiv's ``simple`` analyzer indexes it: tokens, ``None`` for stop words."""
    return tuple(None if t in ENGLISH_STOP else t for t in standard_tokens(text))


def fold(text: str) -> str:
    """Lowercased text with accents folded and German/Scandinavian spellings merged."""
    text = text.lower()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _DIGRAPH.sub(_first_letter, text)


def _first_letter(m: re.Match[str]) -> str:
    return m.group()[0]


def name_tokens(text: str) -> tuple[str, ...]:
    """Whitespace tokens with ``. , ;`` deleted, folded: the author and combined analyzers."""
    return tuple(fold(text.translate(_NAME_PUNCT)).split())


@dataclass(frozen=True, slots=True)
class Terms:
    """One field of a paper: its terms in order (``None`` at stop words) and as a set."""

    seq: tuple[Term, ...]
    set: frozenset[str]

    @classmethod
    def of(cls, seq: tuple[Term, ...]) -> Terms:
        return cls(seq, frozenset(t for t in seq if t is not None))

    def has_phrase(self, phrase: tuple[Term, ...]) -> bool:
        """True when ``phrase`` (first and last not ``None``) occurs at consecutive positions."""
        seq, first, n = self.seq, phrase[0], len(phrase)
        start = 0
        while True:
            try:
                i = seq.index(first, start)
            except ValueError:
                return False
            window = seq[i : i + n]
            if len(window) == n and all(q is None or q == t for q, t in zip(phrase, window)):
                return True
            start = i + 1


@dataclass(frozen=True, slots=True)
class PaperText:
    """A paper analysed once for every matcher: each searchable field as arXiv indexes it."""

    title: Terms
    abstract: Terms
    comment: Terms
    journal_ref: Terms
    report_no: Terms
    authors: tuple[frozenset[str], ...]  # each author's full-name tokens
    author_terms: frozenset[str]  # every author's name and initials tokens
    categories: frozenset[str]  # lowercase, primary and cross-lists
    category_terms: frozenset[str]  # standard tokens of category and archive ids
    ids: frozenset[str]  # "2404.14361" and "2404.14361v2"
    combined: frozenset[str]  # every whitespace token of every field, folded

    @staticmethod
    def of(paper: Paper) -> PaperText:
        """The paper's text, analysed once and cached (16,384 papers, least recently used)."""
        return _paper_text(paper)


@lru_cache(maxsize=16_384)
def _paper_text(paper: Paper) -> PaperText:
    # The API's entries have no journal ref or report number on our Paper; a harvested
    # record that carries them (OAI-PMH's arXiv format does) is searched on them too.
    journal_ref = getattr(paper, "journal_ref", None) or ""
    report_no = getattr(paper, "report_no", None) or ""
    comment = paper.comment or ""
    authors = tuple(frozenset(name_tokens(name)) for name in paper.authors)
    initials = {fold(t[0]) for name in paper.authors for t in name_tokens(name)[:-1] if t}
    categories = {c.lower() for c in (*paper.categories, paper.primary_category) if c}
    category_terms = {t for c in categories for t in standard_tokens(f"{c} {c.split('.')[0]}")}
    ids = {paper.arxiv_id.lower(), paper.versioned_id.lower()}
    texts = (paper.title, paper.abstract, comment, journal_ref, report_no, *paper.authors, *categories, *ids)
    combined = {t for text in texts for t in name_tokens(text) if t not in ENGLISH_STOP}
    return PaperText(
        title=Terms.of(english_terms(paper.title)),
        abstract=Terms.of(english_terms(paper.abstract)),
        comment=Terms.of(simple_terms(comment)),
        journal_ref=Terms.of(simple_terms(journal_ref)),
        report_no=Terms.of(simple_terms(report_no)),
        authors=authors,
        author_terms=frozenset().union(*authors, initials),
        categories=frozenset(categories),
        category_terms=frozenset(category_terms),
        ids=frozenset(ids),
        combined=frozenset(combined),
    )
