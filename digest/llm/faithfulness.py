"""Faithfulness of figures: every number a card or answer states must come from its source.

``unsupported_figures(text, *sources)`` lists the figures of ``text`` (as written, see
``figures``) that no source supports. Sources are the paper's abstract, and whatever
else the caller knows the text may quote (title, arXiv comment, the passages a thread
answer was given, their section labels).

When a source supports a figure (the equivalence rules)
    * Same value, after the rewrites of ``figures`` (digits, separators, magnitudes,
      full-width, LaTeX: "$\\sim$40\\%" is 40%, "$10^{-3}$" is 0.001, "$\\mathcal{O}(n^2)$" has a 2).
    * Kinds: a percent is never supported by a multiplier, nor a multiplier by a
      percent ("2.1x" rewritten "2.1%" is flagged). A plain number in either side
      matches any kind ("97.3" in the source supports "97.3%", "4.1 points" supports
      "+4.1%", "2.1x" supports "2.1"). The digits of a source magnitude support the
      same bare digits: "3.8 billion" supports a plain "3.8" (but not "3.8%" or "3.8億").
    * Percent vs fraction: "34%" is supported by a plain 0.34 in the source, and a plain
      "0.34" by "34%" (a fraction <= 1 is the percent / 100). Decided because abstracts
      report accuracies both ways and cards restate them as percent.
    * Rounding: a figure may be a coarser rounding of a source figure ("97%" from
      "97.3%", "2x" from "2.1x", "4B" from "3.8B", "7B" from "6.7B", "1万" from
      "12,000"): allowed when it is within half a unit of its own last digit (its
      magnitude included: "3.8B" has unit 1e8) and coarser than the source's. A more
      precise figure ("97.31%" from "97.3%"), or another one ("97.3%" from "96.1%",
      "3x" from "2.1x") is not. Exactly equal values always match ("97.30" == "97.3").
      Rounding to zero is not allowed. After "about", "~", "約", "over", "more than",
      "以上", "+" and the like, an integer's trailing zeros are not significant: "約100"
      is supported by 97, "over 1,000" by 1,200.
    * Words in sources: English number words ("three", "twenty-five", "two million"),
      ordinals ("first"), "twice"/"double"/"two-fold" (2x), "triple" (3x), "half"
      (0.5, and 2x), "an order of magnitude" (10x) support the digits a card writes.
      Spelled numbers in the checked text itself are not figures and are never flagged.

Left alone: derived figures (a difference "+20 points" from "40% to 60%", a ratio) are
flagged as unsupported; units other than percent/multiplier are not converted
("1.5 s" vs "1500 ms").
"""

from __future__ import annotations

import math
import re

from digest.llm.figure_grammar import normalise
from digest.llm.figures import MULTIPLIER, PERCENT, PLAIN, REF, VERSION, Figure, Reading, figures, scan

MANTISSA = "mantissa"  # in sources only: the digits of "3.8B" as written, 3.8

# ---------------------------------------------------------------------------
# Number words in sources

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_ORDINALS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth".split())}
_WORD_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_MULT_WORDS = [
    (r"twice|doubl(?:e|es|ed|ing)|two-?fold", 2.0), (r"tripl(?:e|es|ed|ing)|three-?fold", 3.0),
    (r"quadrupl(?:e|es|ed|ing)|four-?fold", 4.0), (r"five-?fold", 5.0), (r"ten-?fold", 10.0),
    (r"(?:an|one) order of magnitude", 10.0), (r"two orders of magnitude", 100.0),
    (r"three orders of magnitude", 1000.0), (r"hal(?:f|ves|ve|ving|ved)", 2.0),
]
_WORD = re.compile(
    r"(?<![A-Za-z-])(?P<n>(?:" + "|".join(_TENS) + r")(?:-(?:" + "|".join(k for k in _UNITS if _UNITS[k] and _UNITS[k] < 10)
    + r"))?|" + "|".join(sorted(_UNITS, key=len, reverse=True)) + "|" + "|".join(_ORDINALS) + r")"
    r"(?:[ -](?P<s>hundred|thousand|million|billion|trillion))?(?![A-Za-z])",
    re.IGNORECASE,
)


def _word_readings(text: str) -> list[Reading]:
    out = []
    for m in _WORD.finditer(text):
        n = m.group("n").lower()
        if n in _ORDINALS:
            value = float(_ORDINALS[n])
        elif "-" in n:
            tens, unit = n.split("-")
            value = float(_TENS[tens] + _UNITS[unit])
        else:
            value = float(_TENS.get(n, _UNITS.get(n, 0)))
        scale = _WORD_SCALES[m.group("s").lower()] if m.group("s") else 1.0
        out.append(Reading(value * scale, PLAIN, scale))
    for pattern, value in _MULT_WORDS:
        for m in re.finditer(rf"(?<![A-Za-z]){pattern}(?![A-Za-z])", text, re.IGNORECASE):
            out.append(Reading(value, MULTIPLIER, 1.0))
            if m.group().lower().startswith("hal"):
                out.append(Reading(0.5, PLAIN, 0.1))
            if "magnitude" in m.group():  # "an order of magnitude" is also "1桁"
                out.append(Reading(math.log10(value), PLAIN, 1.0))
    return out


# ---------------------------------------------------------------------------
# Support

def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-12)


def supports(source: Reading, claim: Reading) -> bool:
    """True when ``source`` supports ``claim`` under the rules in the module docstring."""
    if {source.kind, claim.kind} == {PERCENT, MULTIPLIER}:
        return False
    if source.kind == REF:  # "Section 4.2" stands for a plain 4.2, exactly
        return claim.kind == PLAIN and _close(claim.value, source.value)
    if source.kind == MANTISSA and claim.kind != PLAIN:  # "3.8B" supports a bare "3.8", not "3.8%"
        return False
    candidates = [(source.value, source.unit)]
    if claim.kind == PERCENT and source.kind == PLAIN and 0 < source.value <= 1:
        candidates.append((source.value * 100, source.unit * 100))
    if claim.kind == PLAIN and source.kind == PERCENT and 0 < claim.value <= 1:
        candidates.append((source.value / 100, source.unit / 100))
    slack = claim.unit * (1 + 1e-9)
    for value, unit in candidates:
        if _close(claim.value, value):
            return True
        if claim.value == 0 or not claim.unit > unit * (1 + 1e-9):
            continue  # exact only: the claim is as precise as the source, or more
        if claim.bound == "min" and 0 <= value - claim.value < slack:
            return True  # "over 1,000" from 1,200
        if claim.bound == "max" and 0 <= claim.value - value < slack:
            return True  # "nearly 100" from 97
        if not claim.bound and abs(claim.value - value) <= slack / 2:
            return True  # "97%" from 97.3%, "4B" from 3.8B
    return False


_TOKEN = re.compile(r"(?<![\w.])(?:[A-Z]\.)?\d+(?:\.\d+)*(?![\d])")


class _Sources:
    """Every reading and ref/version label the sources hold, to look a figure up in."""

    def __init__(self, sources: tuple[str, ...]) -> None:
        self.readings: list[Reading] = []
        self.labels: set[str] = set()
        for source in sources:
            norm, _, _ = normalise(source)
            for raw in scan(norm):
                self.readings += raw.readings
                if raw.scale != 1.0 and raw.readings:  # the digits as written: "3.8" of "3.8 billion"
                    self.readings += [Reading(r.value / raw.scale, MANTISSA, r.unit / raw.scale) for r in raw.readings]
                if raw.label:
                    self.labels.add(raw.label)
            self.readings += _word_readings(norm)
            self.labels |= {t.rstrip(".") for t in _TOKEN.findall(norm)}
            self.labels |= {re.sub(r"^0+(?=\d)", "", t) for t in list(self.labels)}

    def support(self, figure: Figure) -> bool:
        if figure.kind in (REF, VERSION):
            return figure.label in self.labels or re.sub(r"^0+(?=\d)", "", figure.label) in self.labels
        return any(supports(s, c) for c in figure.readings for s in self.readings)


def unsupported_figures(text: str, *sources: str) -> list[str]:
    """The figures of ``text`` (as written there) that no source supports, in order, once each.

    An empty list means every figure of ``text`` is faithful to the sources.
    """
    known = _Sources(sources)
    out: list[str] = []
    for figure in figures(text):
        if figure.text not in out and not known.support(figure):
            out.append(figure.text)
    return out
