"""arXiv's category taxonomy: which names are arXiv categories (``cs.CL``, ``hep-th``), and near misses."""

from __future__ import annotations

import difflib
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


# arXiv's category taxonomy (https://arxiv.org/category_taxonomy, as of 2026), bundled:
# the categories a subscription may name in ``cat:``. Archives without subject classes
# (``hep-th``) and the archives alone that name old papers (``astro-ph``, ``cond-mat``,
# retired ones) count too (``known_category``). Aliases arXiv keeps (cs.SY = eess.SY,
# math.MP = math-ph, math.ST = stat.TH, ...) are listed under both names, as it does.
TAXONOMY = frozenset(
    [f"cs.{s}" for s in (
        "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE NI OH OS "
        "PF PL RO SC SD SE SI SY").split()]
    + [f"econ.{s}" for s in "EM GN TH".split()]
    + [f"eess.{s}" for s in "AS IV SP SY".split()]
    + [f"math.{s}" for s in (
        "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA RT SG SP ST"
    ).split()]
    + [f"astro-ph.{s}" for s in "CO EP GA HE IM SR".split()]
    + [f"cond-mat.{s}" for s in "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con".split()]
    + [f"nlin.{s}" for s in "AO CD CG PS SI".split()]
    + [f"physics.{s}" for s in (
        "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph flu-dyn gen-ph "
        "geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph"
    ).split()]
    + [f"q-bio.{s}" for s in "BM CB GN MN NC OT PE QM SC TO".split()]
    + [f"q-fin.{s}" for s in "CP EC GN MF PM PR RM ST TR".split()]
    + [f"stat.{s}" for s in "AP CO ME ML OT TH".split()]
)
TAXONOMY_URL = "https://arxiv.org/category_taxonomy"


def known_category(name: str) -> bool:
    """True for a category of arXiv's taxonomy (``TAXONOMY``), or an archive that names
    papers alone (``hep-th``, ``astro-ph``, retired ``cmp-lg``; never ``cs``). Exact
    spelling: ``cs.cl`` is not known (``suggest_category`` offers ``cs.CL``)."""
    if "." in name:
        return name in TAXONOMY
    return name in ARXIV_ARCHIVES and name not in NEEDS_SUBJECT


def archive_categories(archive: str) -> tuple[str, ...]:
    """The taxonomy's categories of ``archive`` (``cs`` -> ``cs.AI``, ``cs.AR``, ...), sorted; () if none."""
    return tuple(sorted(c for c in TAXONOMY if c.split(".", 1)[0] == archive))


def suggest_category(name: str) -> str | None:
    """The known category ``name`` most likely misspells, or None when no near miss.

    Near misses: the wrong case (``cs.cl`` -> ``cs.CL``), an archive typo (``hepth`` ->
    ``hep-th``, ``qbio.NC`` -> ``q-bio.NC``), a typo in a word subject class
    (``physics.optic`` -> ``physics.optics``) or swapped letters (``cs.LC`` -> ``cs.CL``).
    A two-letter class one letter off (``cs.XY``) is no near miss: ``cs.SY`` and
    ``cs.CY`` are other fields, not typos of it.
    """
    archive, dot, subject = name.lower().partition(".")
    archives = sorted(ARXIV_ARCHIVES)
    if archive not in ARXIV_ARCHIVES:
        close = difflib.get_close_matches(archive, archives, n=1, cutoff=0.8)
        if not close:
            return None
        archive = close[0]
    if not dot:
        return archive if known_category(archive) and archive != name else None
    by_subject = {c.split(".", 1)[1].lower(): c for c in archive_categories(archive)}
    if subject in by_subject:
        found = by_subject[subject]
    elif len(subject) == 2 and subject[::-1] in by_subject:
        found = by_subject[subject[::-1]]
    elif len(subject) > 2 and (close := difflib.get_close_matches(subject, list(by_subject), n=1, cutoff=0.8)):
        found = by_subject[close[0]]
    else:
        return None
    return found if found != name else None
