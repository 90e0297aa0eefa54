"""The figure grammar: text normalised for reading numbers, and the patterns that read them.

``normalise`` rewrites full-width digits, Unicode minus signs, superscripts and the LaTeX
a card or abstract may carry ("$\\sim$40\\%", "$10^{-3}$") into plain text, keeping a map
back to the original characters. The patterns read digits with their separators,
magnitudes (``SCALES``), percent, percentage-point and multiplier suffixes in English,
German, French, Spanish, Japanese, Chinese and Korean, section/table references, list
markers (``MARKER``: not claims), range joiners and hedge words (``BEFORE``/``AFTER``).
"""

from __future__ import annotations

import re

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


def normalise(text: str) -> tuple[str, list[int], list[int]]:
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



SCALES = {
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
PATTERN = re.compile(
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
MARKER = re.compile(
    r"(?m)^[ \t]*(?:[-*•・‣▪◦–—][ \t]*)?(?:\(?\d{1,2}[.)](?=\s|$)|\(\d{1,2}\)"
    r")|(?<![\w(])\(\d{1,2}\)(?=\s)"
    r"|(?<![A-Za-z])(?i:要点|要點|ポイント|項目|요점|포인트|point|bullet|punkt|punto|item)[ \t]?\d{1,2}(?![\d.,%]\d?)"
    r"|第\d{1,2}に"
)
RANGE = re.compile(r"[ \t]?(?:-|–|—|~|〜|to|bis|à|a|al|and|und|et|y|から|至|到|에서)[ \t]?")
BEFORE = {
    "min": re.compile(r"(?:超|over|more than|above|at least|exceeding|über|mehr als|mindestens|plus de|au moins|"
                      r"más de|por encima de|al menos|超过|逾|至少)[ \t]*$", re.IGNORECASE),
    "max": re.compile(r"(?:up to|less than|fewer than|under|below|nearly|almost|at most|bis zu|knapp|fast|weniger als|"
                      r"jusqu'à|moins de|presque|près de|hasta|menos de|casi|最大|最多|不到|(?<![最接付附])近|거의|최대)[ \t]*$",
                      re.IGNORECASE),
    "": re.compile(r"(?:(?<![\d~])~|≈|約|约|약|大约|大概|about|around|approximately|approx\.|roughly|some|rund|etwa|ca\.|"
                   r"ungefähr|environ|aproximadamente|cerca de|unos|alrededor de)[ \t]*$", re.IGNORECASE),
}
AFTER = {
    "min": re.compile(r"^(?:\+|[ \t]?(?:以上|超|余|多|여|이상|plus))"),
    "max": re.compile(r"^[ \t]?(?:近く|弱|未満|以下|미만|이하)"),
    "": re.compile(r"^[ \t]?(?:程度|ほど|前後|左右|ぐらい|くらい|가량|정도|쯤)"),
}
