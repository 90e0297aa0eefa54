"""Loopback arXiv full-text server (/html/<id>v<n>, /pdf/<id>v<n>) and the documents it serves.

The documents are built here from ``tests/fixtures/qa/papers.json`` (real papers'
metadata and section structure, paraphrased text): an HTML page laid out as arXiv's
LaTeXML rendering lays it out (navigation, banner, MathML, tables, bibliography,
footer), and a real PDF written in PDF syntax (Helvetica text, a running header, page
numbers, hyphenated line breaks), optionally with its glyphs garbled as a font without
a Unicode map garbles them, or without any text layer as a scan has none.
"""

from __future__ import annotations

import html
import io
import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from bot.demo.loopback import LoopbackServer
from digest.models import Paper
from digest.arxiv.feed import papers_from_feed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DOCS = FIXTURES / "qa" / "papers.json"
WEEK = FIXTURES / "arxiv" / "week.xml"


def load_docs() -> dict[str, dict[str, Any]]:
    """The fixture documents by arXiv id: {"sections": [[name, [paragraph, ...]], ...], ...}."""
    return {d["arxiv_id"]: d for d in json.loads(DOCS.read_text(encoding="utf-8"))["papers"]}


def week_papers() -> dict[str, Paper]:
    return {p.arxiv_id: p for p in papers_from_feed(WEEK.read_bytes())}


# --- HTML as arXiv renders it -------------------------------------------------------------


def _heading(name: str) -> tuple[str, str, str]:
    """(tag, number label, title) of a section name like "3.1 Dataset Retrieval"."""
    first, _, rest = name.partition(" ")
    if name.startswith("Appendix "):
        letter, _, title = rest.partition(" ")
        return "h2", f"Appendix {letter} ", title
    if first[:1].isdigit():
        return ("h3" if "." in first else "h2"), f"{first} ", rest
    return "h2", "", name


def build_html(paper: Paper, doc: dict[str, Any], extra: dict[str, Sequence[str]] | None = None) -> bytes:
    """A LaTeXML-style arXiv HTML page; ``extra`` appends paragraphs (plain text) to named sections."""
    e = html.escape
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(paper.title)}</title><script>window.MathJax={{}};</script>",
        "<style>.ltx_page_main{margin:auto}</style></head><body>",
        "<header class='desktop_header'><a href='https://arxiv.org/'>Back to arXiv</a>",
        "<nav class='ltx_page_navbar'><ul><li>Table of contents</li><li>Report issue</li></ul></nav>",
        "<button>Toggle dark mode</button></header>",
        "<div class='package-alerts ltx_document' role='status'>This is experimental HTML to improve "
        "accessibility. Report conversion errors.</div>",
        "<div class='ltx_page_main'><div class='ltx_page_content'><article class='ltx_document'>",
        f"<h1 class='ltx_title ltx_title_document'>{e(paper.title)}</h1>",
        "<div class='ltx_authors'><span class='ltx_creator ltx_role_author'>"
        f"<span class='ltx_personname'>{e(', '.join(paper.authors))}</span></span></div>",
        "<div class='ltx_abstract'><h6 class='ltx_title ltx_title_abstract'>Abstract</h6>",
        f"<p class='ltx_p'>{e(paper.abstract)}</p></div>",
    ]
    extra = extra or {}
    bibliography_done = False
    for n, (name, paragraphs) in enumerate(doc["sections"], 1):
        tag, number, title = _heading(name)
        if name.startswith("Appendix") and not bibliography_done:
            out.append(_bibliography())
            bibliography_done = True
        kind = "appendix" if number.startswith("Appendix") else ("subsection" if tag == "h3" else "section")
        out.append(
            f"<section class='ltx_{kind}' id='S{n}'><{tag} class='ltx_title ltx_title_{kind}'>"
            f"<span class='ltx_tag ltx_tag_{kind}'>{e(number)}</span>{e(title)}</{tag}>"
        )
        for i, paragraph in enumerate(paragraphs):
            text = e(paragraph)
            if i == 0 and name in doc.get("math", {}):
                tex = doc["math"][name]
                text += (
                    f" The execution module samples <math alttext='{e(tex)}' display='inline'><semantics>"
                    f"<mrow><mi>p</mi><mo>(</mo><mi>y</mi><mo>)</mo></mrow>"
                    f"<annotation encoding='application/x-tex'>{e(tex)}</annotation></semantics></math> once."
                )
            out.append(f"<div class='ltx_para' id='S{n}.p{i + 1}'><p class='ltx_p'>{text}"
                       f"<sup class='ltx_note_mark'>{i + 1}</sup></p></div>")
        out += [f"<div class='ltx_para'><p class='ltx_p'>{e(p)}</p></div>" for p in extra.get(name, ())]
        if table := doc.get("tables", {}).get(name):
            rows = "".join(
                "<tr class='ltx_tr'>" + "".join(f"<td class='ltx_td'>{e(c)}</td>" for c in row) + "</tr>"
                for row in table["rows"]
            )
            out.append(
                f"<figure class='ltx_table'><figcaption class='ltx_caption'>{e(table['caption'])}</figcaption>"
                f"<table class='ltx_tabular'>{rows}</table></figure>"
            )
        out.append(
            "<table class='ltx_equation ltx_eqn_table'><tr><td><math alttext='\\mathcal{L}=-\\sum_i \\log p(y_i)'>"
            "<mi>ℒ</mi></math></td></tr></table></section>"
        )
    if not bibliography_done:
        out.append(_bibliography())
    out.append(
        "</article></div><footer class='ltx_page_footer'><div class='ltx_page_logo'>Generated by LaTeXML</div>"
        "</footer></div><footer id='footer'>About arXiv · Help · Privacy policy</footer></body></html>"
    )
    return "\n".join(out).encode("utf-8")


def _bibliography() -> str:
    return (
        "<section class='ltx_bibliography' id='bib'><h2 class='ltx_title ltx_title_bibliography'>References</h2>"
        "<ul class='ltx_biblist'><li class='ltx_bibitem'>Viswanathan et al. 2023. Prompt2Model: Generating "
        "deployable models from natural language instructions.</li></ul></section>"
    )


# --- PDF ---------------------------------------------------------------------------------

LINE_CHARS, LINES_PER_PAGE = 92, 52


def _wrap(text: str) -> list[str]:
    """Lines of at most LINE_CHARS, breaking long words with a hyphen as LaTeX does."""
    lines, line = [], ""
    for word in text.split():
        room = LINE_CHARS - len(line) - (1 if line else 0)
        if len(word) <= room:
            line = f"{line} {word}" if line else word
        elif room >= 6 and len(word) >= 10 and word.isalpha():
            cut = room - 1
            lines.append(f"{line} {word[:cut]}-" if line else f"{word[:cut]}-")
            line = word[cut:]
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def pdf_lines(paper: Paper, doc: dict[str, Any]) -> list[tuple[str, bool]]:
    """(line, bold) in reading order: title, authors, then each heading and its text."""
    lines = [(line, True) for line in _wrap(paper.title)]
    lines += [(line, False) for line in _wrap(", ".join(paper.authors))] + [("", False)]
    for name, paragraphs in doc["sections"]:
        lines += [("", False), (name, True)]
        for paragraph in paragraphs:
            lines += [(line, False) for line in _wrap(paragraph)]
    return lines


def _shift(text: str) -> str:
    """Letters moved three places: what a font without a Unicode map yields for text."""
    def move(ch: str) -> str:
        if "a" <= ch <= "z":
            return chr((ord(ch) - 97 + 3) % 26 + 97)
        if "A" <= ch <= "Z":
            return chr((ord(ch) - 65 + 3) % 26 + 65)
        return ch

    return "".join(map(move, text))


def build_pdf(lines: Sequence[tuple[str, bool]], *, header: str = "", mode: str = "text") -> bytes:
    """A PDF of ``lines``; ``mode`` "garbled" shifts every letter, "scan" draws no text at all."""
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    streams = []
    for number, page in enumerate(pages, 1):
        ops = ["0.9 g 60 60 480 680 re f 0 g"] if mode == "scan" else []
        if mode != "scan":
            ops.append(f"BT /F1 8 Tf 72 770 Td ({_pdf_string(header)}) Tj ET")
            ops.append("BT 12 TL 72 740 Td")
            for text, bold in page:
                text = _shift(text) if mode == "garbled" else text
                ops.append(f"/{'F2' if bold else 'F1'} 10 Tf ({_pdf_string(text)}) Tj T*")
            ops.append("ET")
            ops.append(f"BT /F1 9 Tf 300 40 Td ({number}) Tj ET")
        streams.append("\n".join(ops).encode("latin-1", "replace"))
    return _pdf_file(streams)


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf_file(streams: Sequence[bytes]) -> bytes:
    n = len(streams)
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    for i, stream in enumerate(streams):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {6 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>".encode()
        )
        objects.append(_stream(stream))
    return _write(objects)


# --- the server ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    path: str
    user_agent: str
    at: float  # time.monotonic()


class FullTextServer(LoopbackServer):
    """``with FullTextServer() as arxiv:`` serves what ``put`` gave it; anything else is 404."""

    def __init__(self) -> None:
        self._docs: dict[str, tuple[bytes, str]] = {}
        self._faults: dict[str, deque[tuple[Any, ...]]] = {}
        self._lock = threading.Lock()
        self.hits: list[Hit] = []
        super().__init__(self._handler(), "fake-arxiv-fulltext")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def html_url(self) -> str:
        return f"{self.base}/html/"

    @property
    def pdf_url(self) -> str:
        return f"{self.base}/pdf/"

    def put(self, path: str, body: bytes, content_type: str) -> None:
        with self._lock:
            self._docs[path] = (body, content_type)

    def script(self, path: str, faults: Iterable[tuple[Any, ...]]) -> None:
        """Faults for ``path``, one per request: ("status", 503) or ("hang", seconds)."""
        with self._lock:
            self._faults.setdefault(path, deque()).extend(faults)

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                with server._lock:
                    server.hits.append(Hit(self.path, self.headers.get("User-Agent", ""), time.monotonic()))
                    queue = server._faults.get(self.path)
                    fault = queue.popleft() if queue else None
                    doc = server._docs.get(self.path)
                if fault and fault[0] == "hang":
                    server._closing.wait(fault[1])
                elif fault and fault[0] == "status":
                    return self._send(int(fault[1]), b"<html>busy</html>", "text/html")
                if doc is None:
                    return self._send(404, b"<html><body>No HTML for this paper.</body></html>", "text/html")
                self._send(200, *doc)

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler


# --- PDFs as TeX and PDF generators make them (ligatures, soft hyphens, encryption, size) ---

LIGATURES = {"ffi": "\ufb03", "ffl": "\ufb04", "ff": "\ufb00", "fi": "\ufb01", "fl": "\ufb02"}
_OT1_CODES = {"\ufb00": 0x0B, "\ufb01": 0x0C, "\ufb02": 0x0D, "\ufb03": 0x0E, "\ufb04": 0x0F}


def ligatured(text: str) -> str:
    """``text`` with ff, fi, fl, ffi, ffl as the single ligature glyphs TeX sets."""
    for letters, glyph in LIGATURES.items():
        text = text.replace(letters, glyph)
    return text


def wrap(text: str, *, hyphen: str = "-", width: int = LINE_CHARS, break_before: str = "") -> list[str]:
    """Lines of at most ``width`` characters, long words broken with ``hyphen`` (a soft
    hyphen "\\u00ad" or "\\u2010" as some generators write it). ``break_before``: a regex; a
    line is also broken before a word matching it once the line is half full, so that a
    wrapped line of prose begins with, say, "2. We then".
    """
    lines, line = [], ""
    words = text.split()
    for i, word in enumerate(words):
        room = width - len(line) - (1 if line else 0)
        following = words[i + 1] if i + 1 < len(words) else ""
        if break_before and line and len(line) > width // 2 and re.fullmatch(break_before, f"{word} {following}"):
            lines.append(line)
            line = word
        elif len(word) <= room:
            line = f"{line} {word}" if line else word
        elif room >= 6 and len(word) >= 8 and word.isalpha():
            cut = room - len(hyphen)
            lines.append(f"{line} {word[:cut]}{hyphen}" if line else f"{word[:cut]}{hyphen}")
            line = word[cut:]
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def build_unicode_pdf(lines: Sequence[tuple[str, bool]], *, header: str = "", fonts: str = "tounicode") -> bytes:
    """A PDF of ``lines`` that may hold any characters (ligatures, soft hyphens, "‐").

    ``fonts`` "tounicode": each character outside ASCII gets a code of its own and the font a
    ToUnicode CMap saying which character it is (what pdfTeX writes); "ot1": the ligatures
    are TeX OT1 codes 11-15 in a font without any Unicode map (older TeX output).
    """
    extra = sorted({ch for text, _ in lines for ch in text + header if not " " <= ch <= "~"})
    if fonts == "ot1":
        extra = [ch for ch in extra if ch not in _OT1_CODES]
    if len(extra) > 127:
        raise ValueError("at most 127 characters outside ASCII")
    codes = {ch: 0x80 + i for i, ch in enumerate(extra)}
    if fonts == "ot1":
        codes.update(_OT1_CODES)

    def encode(text: str) -> str:
        data = bytes(codes.get(ch, ord(ch) if ord(ch) < 128 else ord("?")) for ch in text)
        return "".join(f"\\{b:03o}" if b < 32 or b > 126 or chr(b) in "()\\" else chr(b) for b in data)

    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    streams = []
    for number, page in enumerate(pages, 1):
        ops = [f"BT /F1 8 Tf 72 770 Td ({encode(header)}) Tj ET", "BT 12 TL 72 740 Td"]
        ops += [f"/{'F2' if bold else 'F1'} 10 Tf ({encode(text)}) Tj T*" for text, bold in page]
        ops += ["ET", f"BT /F1 9 Tf 300 40 Td ({number}) Tj ET"]
        streams.append("\n".join(ops).encode("ascii"))
    cmap = ""
    if fonts == "tounicode":
        chars = " ".join(f"<{code:02X}> <{ord(ch):04X}>" for ch, code in codes.items())
        cmap = (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Paper def\n"
            "1 begincodespacerange <00> <FF> endcodespacerange\n1 beginbfrange <20> <7E> <0020> endbfrange\n"
            f"{len(codes)} beginbfchar {chars} endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end"
        )
    n = len(streams)
    unicode_map = " /ToUnicode 5 0 R" if cmap else ""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{6 + 2 * i} 0 R' for i in range(n))}] /Count {n} >>".encode(),
        f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica{unicode_map} >>".encode(),
        f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold{unicode_map} >>".encode(),
        _stream(cmap.encode("ascii")),
    ]
    for i, stream in enumerate(streams):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {7 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>".encode()
        )
        objects.append(_stream(stream))
    return _write(objects)


def build_repeated_pdf(lines: Sequence[tuple[str, bool]], pages: int, *, header: str = "") -> bytes:
    """A PDF of ``pages`` pages that all draw one shared content stream (``lines``, one page's
    worth): 60,000 pages make 9.6 MB, the shape of a degenerate generated PDF."""
    one = build_pdf(lines[:LINES_PER_PAGE], header=header)
    stream = one[one.index(b"stream\n") + 7 : one.index(b"\nendstream")]
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (6 + i) for i in range(pages)) + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        _stream(stream),
    ] + [page] * pages
    return _write(objects)


def encrypt_pdf(content: bytes, algorithm: str = "AES-256") -> bytes:
    """``content`` encrypted as generators do it: an empty user password (anyone may open
    it), an owner password, ``algorithm`` "AES-256", "AES-128" or "RC4-128"."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.encrypt(user_password="", owner_password="owner-only", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _write(objects: Sequence[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_of_streams(streams: Sequence[bytes]) -> bytes:
    """A PDF whose pages draw the given raw content streams (fonts F1, F2 as ``build_pdf``'s)."""
    return _pdf_file(streams)
