"""arXiv's category taxonomy: which names are arXiv categories (``cs.CL``, ``hep-th``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# arXiv's archives, current and retired: https://arxiv.org/category_taxonomy lists the
# current ones; the retired ones (merged into others since) still name old papers.
ARXIV_ARCHIVES = frozenset(
    "cs econ eess math q-bio q-fin stat astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th "
    "math-ph nlin nucl-ex nucl-th physics quant-ph "
    "acc-phys adap-org alg-geom ao-sci atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas dg-ga "
    "funct-an mtrl-th patt-sol plasm-ph q-alg solv-int supr-con".split()
)
# Archives that only ever name a category with a subject class: "cs" alone is none.
NEEDS_SUBJECT = frozenset("cs econ eess math q-bio q-fin stat".split())
# The two archives whose subject classes are lowercase words; all others use two capitals.
_WORD_SUBJECTS = frozenset("physics cond-mat".split())
_CATEGORY_NAME = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?:(?P<caps>[A-Z]{2})|(?P<word>[a-z]+(?:-[a-z]+)?)))?"
)


def is_arxiv_category(term: str) -> bool:
    """True for an arXiv category name as arXiv's category taxonomy writes them.

    The taxonomy (https://arxiv.org/category_taxonomy) names a category by its archive,
    optionally followed by a subject class: ``cs.CL``, ``math.AP``, ``stat.ML``,
    ``q-bio.NC``, ``astro-ph.CO`` (two capitals), ``physics.comp-ph`` and
    ``cond-mat.mes-hall`` (lowercase words, in these two archives only), or by the
    archive alone (``hep-th``, ``astro-ph``, ``quant-ph``, retired ones such as
    ``cmp-lg``; never ``cs`` or ``math`` alone). The API's ``<category>`` elements also
    carry the classes authors give from other schemes, which are no arXiv categories:
    MSC codes (``35Q30``, ``68T50``) and ACM classes (``I.2.7``, ``F.2.2; I.2.7``).
    """
    match = _CATEGORY_NAME.fullmatch(term)
    if match is None or (archive := match.group("archive")) not in ARXIV_ARCHIVES:
        return False
    if match.group("caps"):
        return archive not in _WORD_SUBJECTS
    if match.group("word"):
        return archive in _WORD_SUBJECTS
    return archive not in NEEDS_SUBJECT


def arxiv_categories(terms: Iterable[str]) -> tuple[str, ...]:
    """The arXiv categories among ``terms`` (see ``is_arxiv_category``), in order, once each."""
    return tuple(dict.fromkeys(t.strip() for t in terms if is_arxiv_category(t.strip())))
