"""Sections of arXiv's HTML rendering of a paper (LaTeXML), in reading order.

Headings carry the section numbers ("4.2 Results"), formulas are MathML (kept as their
short TeX ``alttext``), and the page around the paper (navigation, banners, footer,
bibliography) is dropped.
"""

from __future__ import annotations

import lxml.html
from lxml import etree

from digest.arxiv.document import SHY, Section, Unreadable, normalize_text

MATH_CHARS = 40  # a longer formula becomes "[formula]": its TeX only adds noise to retrieval

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
    return " ".join(normalize_text(el.text_content()).replace(SHY, "").split())


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

