"""Faithfulness of figures: every number a card or answer states must come from its source.

Pure and stdlib-only. ``figures(text)`` finds the numeric claims of a headline, bullet
or answer; ``unsupported_figures(text, *sources)`` lists those (as written) that no
source supports. Sources are the paper's abstract, and whatever else the caller knows
the text may quote (title, arXiv comment, the passages a thread answer was given,
their section labels).

What is read as a figure
    Digits (ASCII or full-width), with a decimal point or decimal comma ("97.3",
    "97,3"), thousands separators ("10,000", "10.000", "10 000", thin/no-break spaces),
    scientific forms ("1e-4", "$10^{-3}$", "2 × 10^5", "10⁻³"), and these suffixes:

    * percent: "%", "％", "percent", "per cent", "Prozent", "pour cent", "por ciento",
      "パーセント", "퍼센트" -> kind ``"percent"``, value is the number before it (34.0).
    * multiplier: "2x", "x2", "3×", "×3", "2倍", "2배", "2-fold", "2-fach", "3-mal",
      "3 times", "3 fois", "3 veces" -> kind ``"multiplier"``.
    * magnitude, multiplied into the value: k/K, M, B/bn, T, thousand/million/billion/
      trillion, Tausend/Mio./Millionen/Mrd./Milliarden, mille/millions/milliards,
      mil/millones/mil millones, 千/万/百万/千万/億/亿/兆, 천/만/백만/천만/억/조.
      So "3.8B" == "3.8 billion" == "3,800M" == "38億" == "38亿" == "38억" == 3.8e9
      (and "3.8億" is 3.8e8: a different figure). "10k" == "10,000" == "1万".
    * percentage points ("pp", "points", "ポイント", "포인트", "个百分点") are plain.

    Not claims, never returned: list markers ("1." / "2)" / "(3)" opening a line,
    "(1)" enumerating inside one, "要点1：", "Point 2", "ポイント3", "第4に" anywhere). Returned with kind ``"ref"``: section/table/figure
    references ("§4.2", "Table 2", "図3", "第4節"); with kind ``"version"``: dotted
    versions ("1.2.3"). Both are supported only by the same label in a source.
    Signs are ignored ("-3.2", "−3.2", "+3.2" are 3.2): direction is wording.
    A range "3-5x" / "10–20%" / "3〜5倍" gives two figures; the first also reads with
    the second's unit. "256,512,1024" is a list of three; "1億2000万" is one figure (1.2e8).
    Ambiguous separators keep both readings: "3,125" is 3125 or 3.125, "10.000" 10000
    or 10.0 (either may be supported).

When a source supports a figure (the equivalence rules)
    * Same value, after the rewrites above (digits, separators, magnitudes, full-width,
      LaTeX: "$\\sim$40\\%" is 40%, "$10^{-3}$" is 0.001, "$\\mathcal{O}(n^2)$" has a 2).
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
("1.5 s" vs "1500 ms"); "billion" is read on the short scale (1e9) except German
"Billionen" and Spanish "billón" (1e12); a capitalised "Billion" reads both.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Figure", "Reading", "figures", "unsupported_figures", "supports"]

PERCENT, MULTIPLIER, PLAIN, REF, VERSION = "percent", "multiplier", "plain", "ref", "version"
MANTISSA = "mantissa"  # in sources only: the digits of "3.8B" as written, 3.8


@dataclass(frozen=True)
class Reading:
    """One way to read a figure: its value in its unit, its kind, its last digit's size."""

    value: float
    kind: str
    unit: float
    bound: str = ""  # "min" after "over"/"more than"/"以上", "max" after "up to"/"nearly"


@dataclass(frozen=True)
class Figure:
    """A numeric claim: ``text`` as written, ``value`` normalised, ``kind``.

    ``value`` is in the figure's own unit: 34.0 for "34%", 2.0 for "2x", 3.8e9 for
    "3.8B" and "38億". ``unit`` is the size of its last written digit (0.1 for "97.3%",
    1e8 for "3.8B"). ``readings`` holds every reading, the first being ``value``/
    ``kind``/``unit``: an ambiguous "3,125" (3125 or 3.125) or the first end of a range
    "3-5x" (3x or 3) has more than one. ``label`` is the literal label of a ref/version.
    """

    text: str
    value: float
    kind: str
    unit: float
    start: int
    end: int
    readings: tuple[Reading, ...]
    label: str = ""


# ---------------------------------------------------------------------------
# Normalisation, keeping a map back to the original text

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_TRANSLATE = {
    **_FULLWIDTH,
    0x3000: " ", 0x00A0: " ", 0x202F: " ", 0x2009: " ", 0x2007: " ", 0x2008: " ", 0x200A: " ",
    0x2212: "-", 0x2010: "-", 0x2011: "-", 0x301C: "~", 0x223C: "~", 0xFF5E: "~",
    0x2024: ".", 0xFF0E: ".", 0xFF0C: ",", 0x3001: "、",
}
_SUPERSCRIPT = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7",
                "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+"}

_REWRITES: list[tuple[re.Pattern[str], object]] = [
    (re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+"), lambda m: "^" + "".join(_SUPERSCRIPT[c] for c in m.group())),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\\(?:sim|approx|simeq)(?![A-Za-z])\s*"), "~"),
    (re.compile(r"\\times(?![A-Za-z])"), "×"),
    (re.compile(r"\\cdot(?![A-Za-z])"), "·"),
    (re.compile(r"\{,\}"), ","),
    (re.compile(r"\{\.\}"), "."),
    (re.compile(r"\\[,;:! ]"), " "),
    (re.compile(r"\\(?:left|right|mathrm|mathbf|textbf|text|textit|emph|mathit|bm|boldsymbol)(?![A-Za-z])"), ""),
    (re.compile(r"\^\s*\{\s*([-+]?)\s*(\d+)\s*\}"), lambda m: "^" + m.group(1) + m.group(2)),
    (re.compile(r"\$"), ""),
]


def _normalise(text: str) -> tuple[str, list[int], list[int]]:
    """The text to parse, and for each of its characters the original span it came from."""
    chars = text.translate(_TRANSLATE)
    starts, ends = list(range(len(text))), list(range(1, len(text) + 1))
    # translate() maps one character to one here, so the map is still the identity
    for pattern, repl in _REWRITES:
        out: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        last = 0
        for m in pattern.finditer(chars):
            out.append(chars[last:m.start()])
            new_starts += starts[last:m.start()]
            new_ends += ends[last:m.start()]
            piece = repl(m) if callable(repl) else repl  # type: ignore[operator]
            s, e = starts[m.start()], ends[m.end() - 1]  # no rewrite matches the empty string
            out.append(piece)
            new_starts += [s] * len(piece)
            new_ends += [e] * len(piece)
            last = m.end()
        out.append(chars[last:])
        new_starts += starts[last:]
        new_ends += ends[last:]
        chars, starts, ends = "".join(out), new_starts, new_ends
    return chars, starts, ends


# ---------------------------------------------------------------------------
# The grammar

_SCALES = {
    "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12, "bn": 1e9,
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "tausend": 1e3, "mio": 1e6, "millionen": 1e6, "mrd": 1e9, "milliarde": 1e9,
    "milliarden": 1e9, "billionen": 1e12,
    "mille": 1e3, "millions": 1e6, "milliard": 1e9, "milliards": 1e9,
    "mil": 1e3, "millón": 1e6, "millones": 1e6, "mil millones": 1e9, "billón": 1e12, "billones": 1e12,
    "千": 1e3, "万": 1e4, "萬": 1e4, "百万": 1e6, "千万": 1e7, "億": 1e8, "亿": 1e8, "兆": 1e12,
    "천": 1e3, "만": 1e4, "백만": 1e6, "천만": 1e7, "억": 1e8, "조": 1e12,
}
_SCALE_RE = (
    r"(?:[ \t-]?(?i:thousand|millions?|billions?|trillions?|tausend|millionen|mio\.?|mrd\.?|milliarden?"
    r"|billionen|mille|milliards?|mil millones|millones|millón|billones|billón|mil)(?![A-Za-zÀ-ÿ])"
    r"|[kKMBT](?![A-Za-z0-9])|bn(?![A-Za-z])"
    r"|千万|百万|千|万|萬|億|亿|兆|[ \t]?(?:천만|백만|천|만|억|조))"
)
_PERCENT_RE = (
    r"(?:[ \t]?[%‰]|[ \t](?i:percent|per cent|pct|prozent|pour cent|pourcent|por ciento|por cento)(?![A-Za-z])"
    r"|[ \t]?(?:パーセント|퍼센트))"
)
_POINTS_RE = (
    r"(?:[ \t]?(?i:percentage points?|prozentpunkte?|points? de pourcentage|puntos? porcentuales?|pp|p\.p\.|points?|pts?)"
    r"(?![A-Za-z])|[ \t]?(?:ポイント|포인트|个百分点|個百分點|%ポイント))"
)
_MULT_RE = (
    r"(?:[ \t]?[xX×](?![A-Za-z0-9])(?![ \t]*\d)|倍|[ \t]?배|[- ]?(?i:fold|fach)(?![A-Za-z])"
    r"|[- ](?i:mal|times|fois|veces|vezes)(?![A-Za-z]))"
)
_NUM_RE = (
    r"(?<!\d)(?<!\d[.,])"
    r"(?P<num>\d{1,3}(?P<sep>[,. ])\d{3}(?:(?P=sep)\d{3})*(?:(?!(?P=sep))[.,]\d+)?(?!\d)"
    r"|\d+(?:[.,]\d+)?(?!\d))"
    r"(?![.,]\d)"
)
_REF_WORDS = (
    r"Sections?|Secs?\.|Tables?|Tabs?\.|Figures?|Figs?\.|Eqs?\.|Equations?|Appendix|App\.|Algorithms?|Alg\.|"
    r"Theorems?|Thm\.|Lemmas?|Definitions?|Def\.|Propositions?|Prop\.|Corollary|Chapters?|Ch\.|"
    r"Abschnitt|Tabelle|Abbildung|Abb\.|Gleichung|Kapitel|Tableau|Équation|Chapitre|Tabla|Figura|"
    r"Sección|Ecuación|Capítulo|Apéndice|Annexe"
)
_LABEL = r"(?:[A-Z]\.)?\d+(?:\.\d+)*[a-z]?(?![A-Za-z0-9])"
_PATTERN = re.compile(
    rf"(?P<ref>(?:[§¶][ \t]?|(?<![A-Za-z])(?i:{_REF_WORDS})[ \t~]?\(?|(?:図|表|式|付録|附录|그림|표|부록)[ \t]?\(?)(?P<label>{_LABEL})"
    rf"|第?(?P<label2>\d+(?:\.\d+)*)[ \t]?(?:節|章|节|項|절|장)(?![가-힣]))"
    rf"|(?P<ver>(?<![\d.])\d+(?:\.\d+){{2,}}(?![\d.]))"
    rf"|(?P<clist>(?<![\d.,])(?!\d{{1,3}}(?:,\d{{3}})+(?![\d,]))\d+(?:,\d+){{2,}}(?![\d.,]))"
    rf"|(?P<sci>(?P<mant>\d+(?:[.,]\d+)?)[ \t]?(?:×|x|\*|·)[ \t]?10[ \t]?\^[ \t]?(?P<exp>[-+]?\d+)"
    rf"|(?<![\d.])(?P<mant2>\d+(?:\.\d+)?)[eE](?P<exp2>[-+]?\d+)(?![A-Za-z0-9])"
    rf"|(?<![\d.])10[ \t]?\^[ \t]?(?P<exp3>[-+]?\d+))"
    rf"|(?P<pre>(?<![A-Za-z0-9])(?:[xX]|×[ \t]?)(?=\d))?{_NUM_RE}"
    rf"(?P<scale>{_SCALE_RE})?(?P<suffix>(?P<pct>{_PERCENT_RE})|(?P<pts>{_POINTS_RE})|(?P<mult>{_MULT_RE}))?"
)
_MARKER = re.compile(
    r"(?m)^[ \t]*(?:[-*•・‣▪◦–—][ \t]*)?(?:\(?\d{1,2}[.)](?=\s|$)|\(\d{1,2}\)"
    r")|(?<![\w(])\(\d{1,2}\)(?=\s)"
    r"|(?<![A-Za-z])(?i:要点|要點|ポイント|項目|요점|포인트|point|bullet|punkt|punto|item)[ \t]?\d{1,2}(?![\d.,%]\d?)"
    r"|第\d{1,2}に"
)
_RANGE = re.compile(r"[ \t]?(?:-|–|—|~|〜|to|bis|à|a|al|and|und|et|y|から|至|到|에서)[ \t]?")
_BEFORE = {
    "min": re.compile(r"(?:超|over|more than|above|at least|exceeding|über|mehr als|mindestens|plus de|au moins|"
                      r"más de|por encima de|al menos|超过|逾|至少)[ \t]*$", re.IGNORECASE),
    "max": re.compile(r"(?:up to|less than|fewer than|under|below|nearly|almost|at most|bis zu|knapp|fast|weniger als|"
                      r"jusqu'à|moins de|presque|près de|hasta|menos de|casi|最大|最多|不到|(?<![最接付附])近|거의|최대)[ \t]*$",
                      re.IGNORECASE),
    "": re.compile(r"(?:(?<![\d~])~|≈|約|约|약|大约|大概|about|around|approximately|approx\.|roughly|some|rund|etwa|ca\.|"
                   r"ungefähr|environ|aproximadamente|cerca de|unos|alrededor de)[ \t]*$", re.IGNORECASE),
}
_AFTER = {
    "min": re.compile(r"^(?:\+|[ \t]?(?:以上|超|余|多|여|이상|plus))"),
    "max": re.compile(r"^[ \t]?(?:近く|弱|未満|以下|미만|이하)"),
    "": re.compile(r"^[ \t]?(?:程度|ほど|前後|左右|ぐらい|くらい|가량|정도|쯤)"),
}


def _value(num: str, sep: str | None) -> list[tuple[float, float]]:
    """Readings (value, unit of the last digit) of a digit string such as "3,125" or "97,3"."""
    if sep:  # grouped: 1,234 / 1.234 / 1 234, maybe with a decimal tail
        groups = re.split(re.escape(sep), num)
        tail = ""
        if re.search(r"[.,]\d+$", groups[-1][3:] if len(groups[-1]) > 3 else ""):
            groups[-1], tail = groups[-1][:3], groups[-1][4:]
        if groups[0].startswith("0"):  # "0,125" / "0.125": a decimal, never thousands
            return [(float(f"0.{''.join(groups[1:])}"), 10.0 ** -len("".join(groups[1:])))]
        integer = float("".join(groups))
        grouped = (integer + (float("0." + tail) if tail else 0.0), 10.0 ** -len(tail) if tail else 1.0)
        if sep != " " and len(groups) == 2 and not tail and groups[0] != "0":
            decimal = (float(groups[0] + "." + groups[1]), 1e-3)
            # "10.000" / "1.500" read as thousands first (German, Spanish), "3.125" as a decimal
            return [decimal, grouped] if sep == "." and not groups[1].endswith("0") else [grouped, decimal]
        return [grouped]
    if "," in num or "." in num:
        whole, frac = re.split(r"[.,]", num)
        return [(float(f"{whole}.{frac}"), 10.0 ** -len(frac))]
    return [(float(num), 1.0)]


def _scale(word: str) -> list[float]:
    """The magnitudes a scale word or letter stands for ("Billion" may be long-scale German)."""
    w = word.strip(" \t-").rstrip(".")
    if w in ("k", "K", "M", "B", "T"):
        return [_SCALES[w]]
    if w in ("Billion",):
        return [1e9, 1e12]
    low = w.lower()
    return [_SCALES.get(low, _SCALES.get(low.rstrip("s"), 1.0))]


def _trailing_zeros(value: float) -> int:
    n, k = int(round(value)), 0
    while n and n % 10 == 0 and k < 12:
        n //= 10
        k += 1
    return k


@dataclass
class _Raw:
    start: int
    end: int
    readings: list[Reading]
    kind: str
    scale: float = 1.0
    bare: bool = False  # no magnitude and no unit: it may take a range partner's ("3-5x")
    label: str = ""


def _hedge(norm: str, start: int, end: int) -> str | None:
    """"min", "max" or "" (about) when a hedge word frames the figure; None when none does."""
    before, after = norm[max(0, start - 24):start], norm[end:end + 4]
    for bound in ("min", "max", ""):
        if _BEFORE[bound].search(before) or _AFTER[bound].match(after):
            return bound
    return None


def _parse(norm: str) -> list[_Raw]:
    markers = [m.span() for m in _MARKER.finditer(norm)]
    found: list[_Raw] = []
    for m in _PATTERN.finditer(norm):
        if m.group("ref") or m.group("ver"):
            label = m.group("label") or m.group("label2") or m.group("ver")
            if m.group("ref"):  # a ref also stands for its number, exactly (for a source's "Section 4.2")
                readings = [Reading(_label_value(label), REF, 1.0)] if re.fullmatch(r"\d+(?:\.\d+)?", label) else []
            found.append(_Raw(m.start(), m.end(), readings if m.group("ref") else [], REF if m.group("ref") else VERSION,
                              label=re.sub(r"[a-z]$", "", label)))
            continue
        if any(s <= m.start() < e for s, e in markers):
            continue
        if m.group("clist"):  # "256,512,1024": a list (one number, "1,234,567", is read below)
            for item in re.finditer(r"\d+", m.group("clist")):
                found.append(_Raw(m.start() + item.start(), m.start() + item.end(),
                                  [Reading(float(item.group()), PLAIN, 1.0)], PLAIN, bare=True))
            continue
        if m.group("sci"):
            if m.group("exp3") is not None:
                mant, exp = "1", m.group("exp3")
            else:
                mant, exp = (m.group("mant"), m.group("exp")) if m.group("mant") else (m.group("mant2"), m.group("exp2"))
            mant = mant.replace(",", ".")
            decimals = len(mant.split(".")[1]) if "." in mant else 0
            value = float(mant) * 10.0 ** int(exp)
            found.append(_Raw(m.start(), m.end(), [Reading(value, PLAIN, 10.0 ** (int(exp) - decimals))], PLAIN))
            continue
        kind = MULTIPLIER if (m.group("mult") or m.group("pre")) else PERCENT if m.group("pct") else PLAIN
        scales = _scale(m.group("scale")) if m.group("scale") else [1.0]
        hedge = _hedge(norm, m.start(), m.end())
        readings = []
        for scale in scales:
            for value, unit in _value(m.group("num"), m.group("sep")):
                if hedge is not None and unit == 1.0 and value >= 10:
                    unit = 10.0 ** _trailing_zeros(value)  # "about 100", "over 1,000": zeros not significant
                readings.append(Reading(value * scale, kind, unit * scale, hedge or ""))
        bare = not (m.group("scale") or m.group("suffix") or m.group("pre"))
        found.append(_Raw(m.start(), m.end(), readings, kind, scales[0], bare))
    # CJK compounds: "1億2000万" is 1.2e8, "3조 5000억" is 3.5e12
    merged: list[_Raw] = []
    for raw in found:
        prev = merged[-1] if merged else None
        if (prev is not None and prev.readings and raw.readings and prev.scale in (1e8, 1e12)
                and raw.scale < prev.scale and prev.kind == PLAIN and norm[prev.end:raw.start].strip(" \t") == ""
                and re.search("[億亿억兆조]$", norm[prev.start:prev.end])):
            top, rest = prev.readings[0], raw.readings[0]
            merged[-1] = _Raw(prev.start, raw.end, [Reading(top.value + rest.value, rest.kind, rest.unit, top.bound)],
                              rest.kind, prev.scale)
            continue
        merged.append(raw)
    found = merged
    # ranges: "3-5x", "10–20%", "1-2B", "3〜5倍": the first end also reads with the second's unit
    for a, b in zip(found, found[1:]):
        if not a.bare or b.bare or not b.readings or not _RANGE.fullmatch(norm[a.end:b.start]):
            continue
        if a.start and (norm[a.start - 1].isalpha() or norm[a.start - 1] in "-_"):
            continue
        inherited = [Reading(r.value * b.scale, b.kind, r.unit * b.scale, r.bound) for r in a.readings]
        a.readings = inherited + a.readings
        a.kind = b.kind
    return found


def figures(text: str) -> list[Figure]:
    """The numeric claims of ``text``, in order (list markers left out)."""
    norm, starts, ends = _normalise(text)
    out = []
    for raw in _parse(norm):
        s, e = starts[raw.start], ends[raw.end - 1]
        written = text[s:e].strip()
        if raw.kind in (REF, VERSION):
            out.append(Figure(written, _label_value(raw.label), raw.kind, 1.0, s, e, (), raw.label))
        else:
            first = raw.readings[0]
            out.append(Figure(written, first.value, first.kind, first.unit, s, e, tuple(raw.readings)))
    return out


def _label_value(label: str) -> float:
    digits = re.sub(r"^[A-Z]\.", "", label)
    try:
        return float(digits) if digits.count(".") <= 1 else float(digits.split(".")[0])
    except ValueError:  # pragma: no cover - the grammar only lets digits through
        return math.nan


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
    def __init__(self, sources: tuple[str, ...]) -> None:
        self.readings: list[Reading] = []
        self.labels: set[str] = set()
        for source in sources:
            norm, _, _ = _normalise(source)
            for raw in _parse(norm):
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
