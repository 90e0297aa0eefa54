"""A paper's text out of arXiv's HTML or its PDF, as sections, then as passages (pure).

HTML is arXiv's LaTeXML rendering: headings carry the section numbers ("4.2 Results"),
formulas are MathML (kept as their short TeX ``alttext``), and the page around the paper
(navigation, banners, footer, bibliography) is dropped. PDF text comes from pypdf
(BSD; PyMuPDF is AGPL); its headings are found by their shape ("4.2 Results" alone on
a line), running headers and page numbers by their repetition. Text that does not read
as language (a broken font encoding, a scan without text) is refused as ``Unreadable``
so the caller can fall back to the abstract instead of answering from noise.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from digest.models import Paper, Passage
from digest.summarize import split_sentences

log = logging.getLogger(__name__)
logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about odd PDFs are noise here

MIN_WORDS, MAX_WORDS = 150, 300  # passage size: enough context to answer, small enough to rank
MIN_TEXT_WORDS = 80  # less than this is not a paper's full text (a scan, an error page)
MATH_CHARS = 40  # a longer formula becomes "[formula]": its TeX only adds noise to retrieval


class Unreadable(Exception):
    """The document has no usable text (garbled encoding, no text layer, not a PDF)."""


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
    return " ".join(el.text_content().split())


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
    for math in list(doc.iter("math")):
        # MathML's text is one glyph per token ("𝑥 x 2"): its TeX alttext reads better.
        alt = " ".join((math.get("alttext") or "").split())
        span = etree.Element("span")
        span.text = alt if len(alt) <= MATH_CHARS else "[formula]"
        span.tail = math.tail
        math.getparent().replace(math, span)
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

_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<title>[A-Z][^\n]{1,80})$")
_LETTERED = re.compile(r"^(?:Appendix\s+)?(?P<num>[A-H](?:\.\d{1,2}){0,2})[.:]?\s+(?P<title>[A-Z][^\n]{1,80})$")
_NAMED = {
    "abstract", "introduction", "references", "bibliography", "acknowledgements",
    "acknowledgments", "appendix", "limitations", "conclusion", "conclusions",
    "related work", "ethics statement", "broader impact",
}
_REFERENCES = {"references", "bibliography"}
_FUNCTION_WORDS = frozenset(
    "the of and to in a is that for we on with as by are this be from an our it at or "
    "de la le et les des der die und das el en los que".split()
)


def pdf_sections(content: bytes) -> list[Section]:
    """Sections of a PDF's text layer; ``Unreadable`` when it has none worth reading."""
    from pypdf import PdfReader  # imported here: only papers without HTML pay for it

    if not content.lstrip().startswith(b"%PDF"):
        raise Unreadable("not a PDF")
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("encrypted PDF")
        pages = [(page.extract_text() or "") for page in reader.pages]
    except Unreadable:
        raise
    except Exception as err:  # noqa: BLE001
        # The bytes are untrusted and pypdf raises many kinds on a damaged or hostile file
        # (PdfReadError, KeyError, RecursionError...): all mean "no text from this PDF".
        raise Unreadable(f"damaged PDF ({type(err).__name__})") from None
    lines = _without_page_furniture([p.splitlines() for p in pages])
    text = "\n".join(lines)
    check_readable(text)
    return _split_headings(lines)


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


def _heading(line: str, top: int, in_references: bool) -> tuple[str, int] | None:
    """(section name, its top-level number) when ``line`` is a heading, else None."""
    words = line.split()
    # A wrapped line of prose ("2 We then fine-tune the") is long or ends mid-phrase.
    if len(words) > 10 or line.endswith((".", ",", ";", "-")) or words[-1].lower() in _FUNCTION_WORDS:
        return None
    if line.lower() in _NAMED:
        return line, top
    match = _NUMBERED.match(line)
    if match:
        number = int(match.group("num").split(".")[0])
        title = match.group("title")
        digits = sum(ch.isdigit() for ch in title)
        # Section numbers only go forward, by little: "2019 Results" or a table row is no heading.
        if top <= number <= top + 2 and digits <= len(title) // 4 and title[0].isupper():
            return f"{match.group('num')} {title}", number
        return None
    lettered = _LETTERED.match(line)
    if lettered and (in_references or line.startswith("Appendix")):
        return f"Appendix {lettered.group('num')} {lettered.group('title')}", top
    return None


def _split_headings(lines: Sequence[str]) -> list[Section]:
    sections = [Section("")]
    top, in_references, body = 0, False, []

    def close() -> None:
        if body and not in_references:
            sections[-1].paragraphs.append(_join_lines(body))
        body.clear()

    for line in lines:
        found = _heading(line, max(top, 1), in_references)
        if found is None:
            body.append(line)
            continue
        close()
        name, top = found
        in_references = name.lower() in _REFERENCES
        if not in_references:
            sections.append(Section(name))
    close()
    return [s for s in sections if s.paragraphs]


def _join_lines(lines: Iterable[str]) -> str:
    """Lines of one section as running text, with hyphenated line breaks rejoined."""
    text = ""
    for line in lines:
        if text.endswith("-") and line[:1].islower() and text[-2:-1].isalpha():
            text = text[:-1] + line  # "meth-" + "od"
        else:
            text = f"{text} {line}" if text else line
    return text


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
