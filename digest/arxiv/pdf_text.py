"""A PDF's text layer read with pypdf (BSD; PyMuPDF is AGPL), within bounds on the work.

Reading a PDF is bounded in pages, characters and time; what was left unread is said in
``PdfText.note``. A file this installation cannot read (pypdf or its AES support
missing) is ``MissingDependency``; one without readable text is ``Unreadable``.
"""

from __future__ import annotations

import io
import logging
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from digest.arxiv.document import MissingDependency, Section, Unreadable, check_readable, normalize_text
from digest.arxiv.pdf_layout import split_headings, without_page_furniture

log = logging.getLogger(__name__)
logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about odd PDFs are noise here

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
    lines = without_page_furniture([p.splitlines() for p in unique])
    try:
        check_readable("\n".join(lines))
    except Unreadable as err:
        raise Unreadable(f"{err}; {note}" if note else str(err)) from None
    if note:
        log.info("pdf: %s", note)
    return PdfText(split_headings(lines), len(pages), total, note)


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

