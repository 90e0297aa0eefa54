"""The week at a glance without an LLM: the week's most frequent themes, as terms (pure).

A theme is a term (one word, or two in a row) of the papers' titles and abstracts, with
stop words (``digest/text/stopwords.py``) and words that say how rather than what
(``GENERIC``) left out, counted once per paper on its stems (``digest.text.ranking.tokens``,
so "model" and "models" are one theme) and shown as the papers most often spell it. The
topic's own terms are no theme: every paper of the digest has them. Terms stay English
(the papers' language); the sentence around them is the reader's (``overview_text``),
labelled as themes, so nobody reads them as a summary. The paper to read first is the
digest's top-ranked one.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from digest.cards.overview_text import OVERVIEW_TEXT
from digest.models import Overview, Paper
from digest.text.ranking import tokens
from digest.text.stopwords import STOPWORDS
from digest.text.textfit import clip

THEMES = 3  # terms named
TITLE_CHARS = 80  # a title quoted in the overview is cut (at a word) to this
TITLE_WEIGHT = 2  # a paper naming a term in its title counts this many times
# Words of abstracts that say how a paper works or reports, not what it is about.
GENERIC = frozenset(
    "paper papers propose proposed proposes present presents presented introduce introduces show shows shown "
    "demonstrate demonstrates results result approach approaches method methods methodology work works study "
    "studies novel existing prior recent across also however while both such these those than their which "
    "can may our we us has have been being not more most well further significantly significant improve "
    "improves improved improvement improvements achieve achieves achieving state-of-the-art art outperform "
    "outperforms performance task tasks use uses used first two three one large various different many "
    "framework effective effectively new key extensive experiments experimental set sets better generated "
    "generate generates generating high low quality real able without within often remains including yet "
    "still thus locally".split()
)
# Words too broad to be a theme alone ("models"), though telling in a pair ("diffusion models").
VAGUE_ALONE = frozenset(tokens("data model models network networks learning system systems training method "
                               "generation image images language text tasks features information problem"))
PAIR_BONUS = 1.5  # a two-word term names a theme more exactly than either word
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”]")  # a term never spans these


def _phrases(text: str) -> list[list[str]]:
    """Runs of content words of ``text``, as written (no term spans a stop word or a comma)."""
    runs: list[list[str]] = []
    for part in _BREAK.split(text):
        run: list[str] = []
        for word in _WORD.findall(part):
            low = word.lower()
            if low in STOPWORDS or low in GENERIC or len(low) < 3 or not tokens(low):
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(word)
        if run:
            runs.append(run)
    return runs


def _terms(text: str) -> dict[tuple[str, ...], str]:
    """Stems of each one- and two-word term of ``text`` -> the term as written."""
    found: dict[tuple[str, ...], str] = {}
    for run in _phrases(text):
        for n in (1, 2):
            for i in range(len(run) - n + 1):
                words = run[i : i + n]
                found.setdefault(tuple(tokens(" ".join(words).lower())), " ".join(words))
    return found


def _shown(forms: Counter[str]) -> str:
    """The spelling most papers use, lowercased but for acronyms ("LLM", "LLaMA") and
    capitals inside a word (a title's "Diffusion Models" is "diffusion models")."""
    words = forms.most_common(1)[0][0].split()
    return " ".join(w if any(c.isupper() for c in w[1:]) else w.lower() for w in words)


def themes(papers: Sequence[Paper], topic: str, limit: int = THEMES) -> list[str]:
    """The ``limit`` terms most of ``papers`` share, topic terms left out; two-word terms
    first on a tie, and no term inside one already named."""
    topical = set(tokens(topic))
    weight: Counter[tuple[str, ...]] = Counter()
    papers_with: Counter[tuple[str, ...]] = Counter()
    forms: defaultdict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for paper in papers:
        in_title = _terms(paper.title)
        for key, form in {**_terms(paper.abstract), **in_title}.items():
            if key and not set(key) <= topical and not (len(key) == 1 and key[0] in VAGUE_ALONE):
                weight[key] += TITLE_WEIGHT if key in in_title else 1
                papers_with[key] += 1
                forms[key][form] += 1
    shared = [k for k in weight if papers_with[k] >= 2]  # a term of one paper is no theme
    shared.sort(key=lambda k: (-weight[k] * (PAIR_BONUS if len(k) > 1 else 1), " ".join(k)))
    chosen: list[tuple[str, ...]] = []
    for key in shared:
        if not any(set(key) <= set(c) or set(c) <= set(key) for c in chosen):
            chosen.append(key)
        if len(chosen) == limit:
            break
    return [_shown(forms[k]) for k in chosen]


def quote(language: str, title: str) -> str:
    """A paper's title as the overview names it: quoted, on one line, cut at a word."""
    return OVERVIEW_TEXT.text(language, "quote", title=clip(" ".join(title.split()), TITLE_CHARS))


def themes_overview(papers: Sequence[Paper], topic: str, language: str, source: str = "themes") -> Overview:
    """The labelled themes of ``papers`` (best first) and the top-ranked one to read first."""
    if not papers:
        return Overview((), source)
    sentences = []
    if terms := themes(papers, topic):
        sentences.append(OVERVIEW_TEXT.text(language, "themes", terms=OVERVIEW_TEXT.text(language, "term_sep").join(terms)))
    sentences.append(OVERVIEW_TEXT.text(language, "read_first", title=quote(language, papers[0].title)))
    return Overview(tuple(sentences), source)
