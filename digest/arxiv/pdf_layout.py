"""A PDF's lines as sections: page furniture dropped, headings found, broken words rejoined.

Headings are found by their shape ("4.2 Results" alone on a line, not running on from the
line before or into the line after), running headers and page numbers by their
repetition; words broken across lines are rejoined. The references are left out.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence

from digest.arxiv.document import FUNCTION_WORDS, SHY, Section

_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<title>[A-Z][^\n]{1,80})$")
_LETTERED = re.compile(r"^(?:Appendix\s+)?(?P<num>[A-H](?:\.\d{1,2}){0,2})[.:]?\s+(?P<title>[A-Z][^\n]{1,80})$")
_NAMED = {
    "abstract", "introduction", "references", "bibliography", "acknowledgements",
    "acknowledgments", "appendix", "limitations", "conclusion", "conclusions",
    "related work", "ethics statement", "broader impact",
}
_REFERENCES = {"references", "bibliography"}
# Words of a clause, not of a heading: "2 We then train the model", "10 Experiments were repeated".
_CLAUSE_WORDS = frozenset("we our us i they their was were been show shows showed".split())


def without_page_furniture(pages: list[list[str]]) -> list[str]:
    """All lines, less page numbers and the running headers/footers repeated on most pages."""
    def shape(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.split()).lower())

    seen = Counter(s for page in pages for s in {shape(line) for line in page if line.strip()})
    repeated = {s for s, n in seen.items() if len(pages) >= 3 and n >= 0.5 * len(pages)}
    out = []
    for page in pages:
        for line in page:
            line = " ".join(line.split())
            if not line or re.fullmatch(r"[-–\s]*\d{1,4}[-–\s]*", line) or shape(line) in repeated:
                continue
            out.append(line)
    return out


def _heading(
    line: str, last: tuple[int, ...], in_references: bool, before: str | None, after: str, width: float
) -> tuple[str, tuple[int, ...]] | None:
    """(section name, its number) when ``line`` is a heading, else None.

    ``last``: the number of the last numbered heading; ``before``: the line before when it
    was body text; ``after``: the next line; ``width``: the document's usual line length.
    """
    words = line.split()
    # A wrapped line of prose ("2 We then fine-tune the") is long or ends mid-phrase.
    if len(words) > 10 or line.endswith((".", ",", ";", "-", SHY)) or words[-1].lower() in FUNCTION_WORDS:
        return None
    if line.lower() in _NAMED:
        return line, last
    match = _NUMBERED.match(line)
    if match:
        number = tuple(int(n) for n in match.group("num").split("."))
        title = match.group("title")
        digits = sum(ch.isdigit() for ch in title)
        top = max(last[0] if last else 0, 1)
        # Section numbers only go forward, by little: "2019 Results", a table row, or a second
        # "2" while in section 2 is no heading.
        if not (number > last and number[0] <= top + 2) or digits > len(title) // 4:
            return None
        if _runs_on(before, after, width) or _CLAUSE_WORDS & {w.lower().strip(",;:()") for w in title.split()}:
            return None  # a wrapped line of prose that happens to begin with a number
        return f"{match.group('num')} {title}", number
    lettered = _LETTERED.match(line)
    if lettered and (in_references or line.startswith("Appendix")) and not _runs_on(before, after, width):
        return f"Appendix {lettered.group('num')} {lettered.group('title')}", last
    return None


def _runs_on(before: str | None, after: str, width: float) -> bool:
    """Whether a sentence runs through this line: the full line before it ends mid-sentence,
    or the line after it carries on in lower case. A heading stands between paragraphs."""
    if after[:1].islower():
        return True
    return bool(before) and len(before) >= 0.6 * width and (before[-1].islower() or before.endswith((",", "-")))


def split_headings(lines: Sequence[str]) -> list[Section]:
    sections = [Section("")]
    last: tuple[int, ...] = ()
    in_references, body = False, []
    width = statistics.median(len(line) for line in lines) if lines else 0.0
    compounds = _compounds(lines)
    before: str | None = None  # the previous line, when it was body text

    def close() -> None:
        if body and not in_references:
            sections[-1].paragraphs.append(_join_lines(body, compounds))
        body.clear()

    for i, line in enumerate(lines):
        after = lines[i + 1] if i + 1 < len(lines) else ""
        found = _heading(line, last, in_references, before, after, width)
        if found is None:
            body.append(line)
            before = line
            continue
        close()
        before = None
        name, last = found
        in_references = name.lower() in _REFERENCES
        if not in_references:
            sections.append(Section(name))
    close()
    return [s for s in sections if s.paragraphs]


_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_HEAD = re.compile(r"[^\W\d_][\w-]*$")
_TAIL = re.compile(r"[^\W\d_]+")
# "pre- and post-training": a hyphen before a space is a real one when a conjunction follows.
_SPLIT_IN_LINE = re.compile(r"(?<=[^\W\d_]{2})- (?!(?:and|or|nor|to|but|vs|versus)\b)(?=[a-z])")


def _compounds(lines: Iterable[str]) -> frozenset[str]:
    """Hyphenated words written whole on a line ("self-supervised"), lower case."""
    return frozenset(w.lower() for line in lines for w in _HYPHENATED.findall(line))


def _join_lines(lines: Iterable[str], compounds: frozenset[str] = frozenset()) -> str:
    """Lines of one section as running text, with words broken across lines rejoined.

    "effi-" + "cient" reads "efficient"; a soft hyphen always rejoins; a compound broken at
    its own hyphen keeps it: "state-of-the-" + "art" (TeX never breaks such a word elsewhere),
    or "self-" + "supervised" when the paper writes "self-supervised" whole elsewhere.
    """
    parts: list[str] = []  # joined once at the end: a section may run to megabytes
    for line in lines:
        prev = parts[-1] if parts else ""
        if prev.endswith(SHY):
            parts[-1] = prev[:-1]
        elif prev.endswith("-") and line[:1].islower() and prev[-2:-1].isalpha():
            if not _keeps_hyphen(prev[:-1], line, compounds):
                parts[-1] = prev[:-1]  # "meth-" + "od"
        elif parts:
            parts.append(" ")
        parts.append(line)
    text = "".join(parts)
    text = text.replace(SHY, "")
    # pypdf sometimes puts a hyphenated line break on one line: "effi- cient".
    return _SPLIT_IN_LINE.sub(
        lambda m: "-" if _keeps_hyphen(text[max(0, m.start() - 64) : m.start()], text[m.end() : m.end() + 64],
                                       compounds) else "",
        text,
    )


def _keeps_hyphen(before: str, after: str, compounds: frozenset[str]) -> bool:
    """Whether a hyphen between ``before`` and ``after`` (a broken line) is the word's own."""
    head, tail = _HEAD.search(before[-64:]), _TAIL.match(after)  # a word's length: never rescan the section
    if head is None or tail is None:
        return False
    return "-" in head.group() or f"{head.group()}-{tail.group()}".lower() in compounds

