"""A paper's text out of arXiv's HTML or its PDF, as sections, then as passages (pure).

HTML is arXiv's LaTeXML rendering: headings carry the section numbers ("4.2 Results"),
formulas are MathML (kept as their short TeX ``alttext``), and the page around the paper
(navigation, banners, footer, bibliography) is dropped. PDF text comes from pypdf
(BSD; PyMuPDF is AGPL); its headings are found by their shape ("4.2 Results" alone on
a line, not running on from the line before or into the line after), running headers
and page numbers by their repetition. Text is normalised to read as the paper's words:
TeX ligature glyphs ("eﬃcient") folded, invisible characters dropped, words broken across
lines rejoined. Text that does not read as language (a broken font encoding, a scan
without text) is refused as ``Unreadable`` so the caller can fall back to the abstract
instead of answering from noise; reading a PDF is bounded in pages, characters and time.
"""

from __future__ import annotations

import io
import logging
import math
import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import lxml.html
from lxml import etree

from digest.models import Paper, Passage
from digest.text.stopwords import FUNCTION_WORDS
from digest.cards.extractive import split_sentences

log = logging.getLogger(__name__)
logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about odd PDFs are noise here

MIN_WORDS, MAX_WORDS = 150, 300  # passage size: enough context to answer, small enough to rank
MIN_TEXT_WORDS = 80  # less than this is not a paper's full text (a scan, an error page)
MATH_CHARS = 40  # a longer formula becomes "[formula]": its TeX only adds noise to retrieval


class Unreadable(Exception):
    """The document has no usable text (garbled encoding, no text layer, not a PDF).

    ``final``: reading the same bytes again would fail the same way.
    """

    final = True


class MissingDependency(Unreadable):
    """This installation lacks a library the document needs (pypdf, or its AES support).

    Not the document's fault: once the library is installed the same bytes read, so a
    fallback caused by this must not be kept for good.
    """

    final = False


# --- text as the paper's words --------------------------------------------------------------

_SHY = "\u00ad"  # soft hyphen: kept only at a line's end, where it marks a word broken in two
_INVISIBLE = frozenset(
    "\u200b\u2060\ufeff\u180e\u034f\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\u2061\u2062\u2063\u2064"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# TeX's OT1 fonts put ff, fi, fl, ffi, ffl at codes 11-15; without a Unicode map pypdf
# returns the bare control characters (which str.splitlines would even take for line breaks).
_OT1_LIGATURES = {"\x0b": "ff", "\x0c": "fi", "\x0d": "fl", "\x0e": "ffi", "\x0f": "ffl"}
# Code 13 ("fl") is also CR: never when a line feed follows (a CR LF line end).
_OT1 = re.compile(r"(?<=[^\W\d_])[\x0b-\x0f](?!\n)|[\x0b-\x0f](?=[^\W\d_])")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_INNER_SHY = re.compile(r"\u00ad+(?![ \t]*(?:\r?\n|$))")
_KEPT_FORMS = ("<super>", "<sub>", "<fraction>")  # "10⁶" folded would read "106"


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    if ch == _SHY:
        return ch
    if ch in _INVISIBLE or unicodedata.category(ch) == "Cc":
        return ""
    if ch in "\u2010\u2011":
        return "-"  # Unicode hyphens: "-" so a line-end hyphenation is seen as one
    if unicodedata.decomposition(ch).startswith(_KEPT_FORMS):
        return ch
    return unicodedata.normalize("NFKC", ch)


def normalize_text(text: str) -> str:
    """``text`` as the paper's words: compatibility forms folded (NFKC: "ﬃ" → "ffi",
    math italic "𝑥" → "x", full-width letters, no-break spaces) except superscripts,
    subscripts and fractions; invisible and control characters dropped; soft hyphens
    dropped, except one ending a line (``_join_lines`` rejoins the word there). Lines stay.
    """
    text = _CONTROL.sub("", _OT1.sub(lambda m: _OT1_LIGATURES[m.group()], text))
    text = text.replace("\x0b", " ").replace("\x0c", " ")  # whitespace, not line breaks
    text = _INNER_SHY.sub("", text)
    text = _NON_ASCII.sub(lambda m: _fold(m.group()), text)
    return unicodedata.normalize("NFC", text)  # composes "e" + U+0301 into "é"


@dataclass
class Section:
    name: str  # "" before the first heading
    paragraphs: list[str] = field(default_factory=list)


# --- HTML -----------------------------------------------------------------------------------

_DROP = (
    "script", "style", "nav", "header", "footer", "button", "form", "noscript", "svg", "img",
)
_DROP_CLASSES = (
    "ltx_page_navbar", "ltx_page_footer", "ltx_page_logo", "ltx_bibliography", "ltx_authors",
    "ltx_dates", "ltx_note_mark", "package-alerts", "ltx_TOC", "ltx_role_affiliationtext",
)
_BLOCKS = {"p", "figure", "h1", "h2", "h3", "h4", "h5", "h6"}


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _text(el: etree._Element) -> str:
    # In HTML a soft hyphen only ever marks where a word may break: drop them all.
    return " ".join(normalize_text(el.text_content()).replace(_SHY, "").split())


def html_sections(content: bytes) -> list[Section]:
    """Sections of an arXiv HTML page, in reading order."""
    try:
        doc = lxml.html.fromstring(content)
    except (etree.ParserError, ValueError) as err:
        raise Unreadable(f"not an HTML page ({err})") from None
    for el in list(doc.iter(etree.Element)):
        if el.getparent() is None:
            continue
        if el.tag in _DROP or _classes(el) & set(_DROP_CLASSES):
            el.drop_tree()  # keeps the tail text, which belongs to the parent
    for formula in list(doc.iter("math")):
        # MathML's text is one glyph per token ("𝑥 x 2"): its TeX alttext reads better.
        alt = " ".join((formula.get("alttext") or "").split())
        span = etree.Element("span")
        span.text = alt if len(alt) <= MATH_CHARS else "[formula]"
        span.tail = formula.tail
        formula.getparent().replace(formula, span)
    articles = doc.xpath("//article")
    root = articles[0] if articles else doc
    sections = [Section("")]
    for el in root.iter(*_BLOCKS):
        if any(a.tag in _BLOCKS for a in el.iterancestors()):
            continue  # part of a block already taken whole (a caption's paragraph, a table)
        text = _text(el)
        if not text:
            continue
        if el.tag in ("h2", "h3", "h4") or (el.tag == "h6" and text.lower() == "abstract"):
            sections.append(Section(text))
        elif el.tag == "h1":
            continue  # the document title: the card already shows it
        elif el.tag in ("h5", "h6"):
            sections[-1].paragraphs.append(text)  # a run-in \paragraph{} head: keep as text
        elif el.tag == "figure":
            sections[-1].paragraphs.append(_figure_text(el))
        else:
            sections[-1].paragraphs.append(text)
    return [s for s in sections if s.paragraphs]


def _figure_text(figure: etree._Element) -> str:
    """A table or figure as one paragraph: its caption, then its rows ("a | b; c | d")."""
    caption = " ".join(_text(c) for c in figure.iter("figcaption"))
    rows = [" | ".join(_text(cell) for cell in row.iter("td", "th")) for row in figure.iter("tr")]
    rows = [r for r in rows if r.strip(" |")]
    return " ".join(filter(None, [caption, "; ".join(rows)]))


# --- PDF ------------------------------------------------------------------------------------

# Work per paper is bounded (a hostile or degenerate PDF must not take minutes of CPU and a
# GB of memory): pages past MAX_PAGES, text past MAX_TEXT_CHARS and pages started after
# MAX_SECONDS are not read; a page whose decoded content stream is over MAX_PAGE_CONTENT
# bytes is skipped (a vector plot of millions of points, not prose). The longest papers
# on arXiv (surveys, theses) are under 150 pages of ~5,000 characters each.
MAX_PAGES = 150
MAX_TEXT_CHARS = 1_500_000
MAX_SECONDS = 30.0
MAX_PAGE_CONTENT = 4_000_000
_MAX_TREE_DEPTH = 32  # the page tree of a real PDF is a few levels deep

_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<title>[A-Z][^\n]{1,80})$")
_LETTERED = re.compile(r"^(?:Appendix\s+)?(?P<num>[A-H](?:\.\d{1,2}){0,2})[.:]?\s+(?P<title>[A-Z][^\n]{1,80})$")
_NAMED = {
    "abstract", "introduction", "references", "bibliography", "acknowledgements",
    "acknowledgments", "appendix", "limitations", "conclusion", "conclusions",
    "related work", "ethics statement", "broader impact",
}
_REFERENCES = {"references", "bibliography"}
# English function words (with a paper's "we", "our"), and the commonest of French, German, Spanish.
_FUNCTION_WORDS = FUNCTION_WORDS | frozenset("we our de la le et les des der die und das el en los que".split())
# Words of a clause, not of a heading: "2 We then train the model", "10 Experiments were repeated".
_CLAUSE_WORDS = frozenset("we our us i they their was were been show shows showed".split())


@dataclass(frozen=True)
class PdfText:
    """What was read of a PDF: its sections, and how much of it (``note``: "" when all)."""

    sections: list[Section]
    pages_read: int
    pages_total: int  # as the document declares it (its page tree's /Count); 0 when it does not
    note: str = ""  # e.g. "read the first 150 of 60000 pages", for FullText.reason


def pdf_sections(content: bytes) -> list[Section]:
    """Sections of a PDF's text layer (within the default bounds); see ``read_pdf``."""
    return read_pdf(content).sections


def read_pdf(
    content: bytes,
    *,
    max_pages: int = MAX_PAGES,
    max_chars: int = MAX_TEXT_CHARS,
    max_seconds: float = MAX_SECONDS,
) -> PdfText:
    """A PDF's text layer as sections, reading at most ``max_pages`` pages, ``max_chars``
    characters and starting no page after ``max_seconds`` (wall time from the call, checked
    between pages: the first page is always read).

    Raises ``MissingDependency`` when this installation lacks what the file needs (pypdf,
    or its crypto extra for AES), ``Unreadable`` when the file has no text worth reading.
    """
    try:
        from pypdf import PdfReader  # imported here: only papers without HTML pay for it
        from pypdf.errors import DependencyError
    except ImportError as err:
        raise MissingDependency(f"pypdf is not installed ({err})") from None

    if not content.lstrip().startswith(b"%PDF"):
        raise Unreadable("not a PDF")
    deadline = time.monotonic() + max_seconds
    pages: list[str] = []
    chars, skipped, total, stop = 0, 0, 0, ""
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("encrypted PDF (it needs a password)")
        total = _declared_pages(reader)
        for page in _walk_pages(reader, deadline):
            if len(pages) >= max_pages:
                stop = "pages"
                break
            if _content_size(page) > MAX_PAGE_CONTENT:
                skipped += 1
                pages.append("")
                continue
            text = normalize_text(page.extract_text() or "")
            pages.append(text[: max_chars - chars])
            chars += len(pages[-1])
            if chars >= max_chars:
                stop = "chars"
                break
    except _OutOfTime:
        stop = "time"  # between two pages, in the page tree
    except Unreadable:
        raise
    except (DependencyError, ImportError) as err:
        # Not the file's fault: the same bytes read once the dependency is installed
        # (pypdf needs its crypto extra, "pypdf[crypto]", for AES-encrypted files).
        raise MissingDependency(f"missing dependency: {err}") from None
    except Exception as err:  # noqa: BLE001
        # The bytes are untrusted and pypdf raises many kinds on a damaged or hostile file
        # (PdfReadError, KeyError, RecursionError...): all mean "no text from this PDF".
        raise Unreadable(f"damaged PDF ({type(err).__name__})") from None
    note = _read_note(len(pages), total, stop, max_chars, max_seconds, skipped)
    # A page drawn twice (pages sharing one content stream) says nothing new, and would
    # otherwise be taken whole for a running header.
    unique = list(dict.fromkeys(pages))
    lines = _without_page_furniture([p.splitlines() for p in unique])
    try:
        check_readable("\n".join(lines))
    except Unreadable as err:
        raise Unreadable(f"{err}; {note}" if note else str(err)) from None
    if note:
        log.info("pdf: %s", note)
    return PdfText(_split_headings(lines), len(pages), total, note)


def _read_note(read: int, total: int, stop: str, max_chars: int, max_seconds: float, skipped: int) -> str:
    of = f" of {total}" if total > read else ""
    why = {
        "pages": "",
        "chars": f" (text capped at {max_chars} characters)",
        "time": f" (stopped after {max_seconds:g} s)",
    }
    note = f"read the first {read}{of} pages{why[stop]}" if stop else ""
    if skipped:
        note = "; ".join(filter(None, [note, f"skipped {skipped} page(s) of over {MAX_PAGE_CONTENT} content bytes"]))
    return note


def _declared_pages(reader: Any) -> int:
    """The page count the document declares (cheap: no page is parsed); 0 if none."""
    try:
        count = reader.root_object["/Pages"].get_object()["/Count"]
        return max(0, int(count))
    except Exception:  # noqa: BLE001 (a damaged tree: the walk will say so)
        return 0


class _OutOfTime(Exception):
    pass


def _walk_pages(reader: Any, deadline: float) -> Iterator[Any]:
    """The document's pages in order, one at a time; ``_OutOfTime`` past the deadline
    once a page has been given (a tree of many empty nodes is no way around the bound).

    pypdf's ``reader.pages`` parses every page object first (5 s and 300 MB for 60,000
    pages); this walks the page tree lazily, applying inherited attributes as pypdf does.
    """
    from pypdf import PageObject
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    inheritable = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
    seen: set[object] = set()  # nodes already visited: a cycle or a repeated kid is read once
    stack: list[tuple[Iterator[Any], dict[str, Any]]] = [(iter([reader.root_object["/Pages"]]), {})]
    started = False
    while stack:
        if started and time.monotonic() > deadline:
            raise _OutOfTime
        kids, inherit = stack[-1]
        kid = next(kids, None)
        if kid is None:
            stack.pop()
            continue
        node = kid.get_object()
        if not isinstance(node, DictionaryObject) or not node:
            continue  # damaged files have nulls among their kids
        key = (kid.idnum, kid.generation) if isinstance(kid, IndirectObject) else id(node)
        if key in seen:
            continue
        seen.add(key)
        if node.get("/Type") == "/Pages" or ("/Kids" in node and node.get("/Type") != "/Page"):
            if len(stack) > _MAX_TREE_DEPTH:
                raise Unreadable("damaged PDF (page tree too deep)")
            below = node.get("/Kids")
            below = below.get_object() if below is not None else None
            if isinstance(below, ArrayObject):
                stack.append((iter(below), {**inherit, **{a: node[a] for a in inheritable if a in node}}))
            continue
        page = PageObject(reader, kid if isinstance(kid, IndirectObject) else None)
        if not isinstance(kid, IndirectObject):
            page.update(node)
        for attribute, value in inherit.items():
            if attribute not in page:
                page[NameObject(attribute)] = value
        started = True
        yield page


def _content_size(page: Any) -> float:
    """Decoded bytes of a page's content streams; infinite past pypdf's decompression cap."""
    from pypdf.errors import LimitReachedError

    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    streams = [s.get_object() for s in (contents if isinstance(contents, list) else [contents]) if s is not None]
    try:
        return sum(len(s.get_data()) for s in streams if hasattr(s, "get_data"))
    except LimitReachedError:
        return math.inf


def check_readable(text: str) -> None:
    """Refuse text that is too short, or that is not language (wrong glyph mapping)."""
    words = text.split()
    if len(words) < MIN_TEXT_WORDS:
        raise Unreadable(f"only {len(words)} words of text (a scan, or an empty text layer)")
    letters = sum(ch.isalpha() for ch in text)
    visible = sum(not ch.isspace() for ch in text)
    if letters < 0.6 * visible or text.count("(cid:") > len(words) // 20:
        raise Unreadable("the text layer is not letters (a font without a Unicode map)")
    latin = [w.lower().strip(".,;:()") for w in words if w.isascii()]
    # Real prose in a Latin script is ~20% function words; shifted or scrambled glyphs ~0%.
    if len(latin) > len(words) / 2 and sum(w in _FUNCTION_WORDS for w in latin) < 0.03 * len(latin):
        raise Unreadable("the text does not read as language (garbled font encoding)")


def _without_page_furniture(pages: list[list[str]]) -> list[str]:
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
    if len(words) > 10 or line.endswith((".", ",", ";", "-", _SHY)) or words[-1].lower() in _FUNCTION_WORDS:
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


def _split_headings(lines: Sequence[str]) -> list[Section]:
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
        if prev.endswith(_SHY):
            parts[-1] = prev[:-1]
        elif prev.endswith("-") and line[:1].islower() and prev[-2:-1].isalpha():
            if not _keeps_hyphen(prev[:-1], line, compounds):
                parts[-1] = prev[:-1]  # "meth-" + "od"
        elif parts:
            parts.append(" ")
        parts.append(line)
    text = "".join(parts)
    text = text.replace(_SHY, "")
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


# --- passages -------------------------------------------------------------------------------


def to_passages(sections: Sequence[Section], start: int = 0) -> tuple[Passage, ...]:
    """Passages of about MIN_WORDS..MAX_WORDS words that never straddle two sections."""
    out: list[Passage] = []
    for section in sections:
        name = section.name or "Front matter"
        pieces: list[str] = []
        for paragraph in section.paragraphs:
            pieces += _pieces(paragraph)
        chunk: list[str] = []
        size = 0
        for piece in pieces:
            n = len(piece.split())
            if chunk and size + n > MAX_WORDS and size >= MIN_WORDS // 2:
                out.append(Passage(start + len(out), name, " ".join(chunk)))
                chunk, size = [], 0
            chunk.append(piece)
            size += n
        if chunk:
            out.append(Passage(start + len(out), name, " ".join(chunk)))
    return tuple(out)


def _pieces(paragraph: str) -> list[str]:
    """A paragraph as units no longer than MAX_WORDS: itself, its sentences, or word runs."""
    if len(paragraph.split()) <= MAX_WORDS:
        return [paragraph]
    out = []
    for sentence in split_sentences(paragraph):
        words = sentence.split()
        out += [" ".join(words[i : i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS)]
    return out


def abstract_passages(paper: Paper) -> tuple[Passage, ...]:
    return to_passages([Section("Abstract", [paper.abstract])])


def cite_label(section: str) -> str:
    """How an answer cites a section: "§4.2", "§A.1", or the unnumbered title itself."""
    if match := re.match(r"^(?:Appendix\s+)?(\d+(?:\.\d+)*|[A-H](?:\.\d+)*)\.?(?:\s|$)", section):
        return f"§{match.group(1)}"
    return section[:60] or "Front matter"
