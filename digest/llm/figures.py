"""Figures in text: the numeric claims of a headline, bullet or answer, read as values.

Pure and stdlib-only. ``figures(text)`` finds the numeric claims of ``text``;
``faithfulness.unsupported_figures`` says which of them no source supports. The grammar
(patterns, normalisation) is ``figure_grammar``.

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
    "billion" is read on the short scale (1e9) except German "Billionen" and Spanish
    "billón" (1e12); a capitalised "Billion" reads both. Spelled numbers ("three") are
    not figures.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from digest.llm.figure_grammar import AFTER, BEFORE, MARKER, PATTERN, RANGE, SCALES, normalise

PERCENT, MULTIPLIER, PLAIN, REF, VERSION = "percent", "multiplier", "plain", "ref", "version"


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
        return [SCALES[w]]
    if w in ("Billion",):
        return [1e9, 1e12]
    low = w.lower()
    return [SCALES.get(low, SCALES.get(low.rstrip("s"), 1.0))]


def _trailing_zeros(value: float) -> int:
    n, k = int(round(value)), 0
    while n and n % 10 == 0 and k < 12:
        n //= 10
        k += 1
    return k


@dataclass
class RawFigure:
    """A figure as ``scan`` finds it in normalised text: its span there, every reading,
    the magnitude written with it (``scale``: 1e9 for "3.8B") and a ref/version label."""

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
        if BEFORE[bound].search(before) or AFTER[bound].match(after):
            return bound
    return None


def scan(norm: str) -> list[RawFigure]:
    """The figures of ``normalise``d text, in order: list markers left out, CJK compounds
    ("1億2000万") merged, the first end of a range given the second's unit too."""
    markers = [m.span() for m in MARKER.finditer(norm)]
    found: list[RawFigure] = []
    for m in PATTERN.finditer(norm):
        if m.group("ref") or m.group("ver"):
            label = m.group("label") or m.group("label2") or m.group("ver")
            if m.group("ref"):  # a ref also stands for its number, exactly (for a source's "Section 4.2")
                readings = [Reading(_label_value(label), REF, 1.0)] if re.fullmatch(r"\d+(?:\.\d+)?", label) else []
            found.append(RawFigure(m.start(), m.end(), readings if m.group("ref") else [], REF if m.group("ref") else VERSION,
                                   label=re.sub(r"[a-z]$", "", label)))
            continue
        if any(s <= m.start() < e for s, e in markers):
            continue
        if m.group("clist"):  # "256,512,1024": a list (one number, "1,234,567", is read below)
            for item in re.finditer(r"\d+", m.group("clist")):
                found.append(RawFigure(m.start() + item.start(), m.start() + item.end(),
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
            found.append(RawFigure(m.start(), m.end(), [Reading(value, PLAIN, 10.0 ** (int(exp) - decimals))], PLAIN))
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
        found.append(RawFigure(m.start(), m.end(), readings, kind, scales[0], bare))
    # CJK compounds: "1億2000万" is 1.2e8, "3조 5000억" is 3.5e12
    merged: list[RawFigure] = []
    for raw in found:
        prev = merged[-1] if merged else None
        if (prev is not None and prev.readings and raw.readings and prev.scale in (1e8, 1e12)
                and raw.scale < prev.scale and prev.kind == PLAIN and norm[prev.end:raw.start].strip(" \t") == ""
                and re.search("[億亿억兆조]$", norm[prev.start:prev.end])):
            top, rest = prev.readings[0], raw.readings[0]
            merged[-1] = RawFigure(prev.start, raw.end,
                                   [Reading(top.value + rest.value, rest.kind, rest.unit, top.bound)], rest.kind, prev.scale)
            continue
        merged.append(raw)
    found = merged
    # ranges: "3-5x", "10–20%", "1-2B", "3〜5倍": the first end also reads with the second's unit
    for a, b in zip(found, found[1:]):
        if not a.bare or b.bare or not b.readings or not RANGE.fullmatch(norm[a.end:b.start]):
            continue
        if a.start and (norm[a.start - 1].isalpha() or norm[a.start - 1] in "-_"):
            continue
        inherited = [Reading(r.value * b.scale, b.kind, r.unit * b.scale, r.bound) for r in a.readings]
        a.readings = inherited + a.readings
        a.kind = b.kind
    return found


def figures(text: str) -> list[Figure]:
    """The numeric claims of ``text``, in order (list markers left out)."""
    norm, starts, ends = normalise(text)
    out = []
    for raw in scan(norm):
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

