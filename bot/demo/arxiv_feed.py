"""A loopback stand-in for arXiv's query API, serving ``digest-bot demo``'s sample week.

It answers ``GET /api/query`` with Atom 1.0 laid out like the real API's (same
namespaces, opensearch paging elements, entries as given), honours the query's
``submittedDate:[A TO B]`` clause and ``start``/``max_results`` paging, and answers a
bad request with arXiv's error feed (HTTP 400). It never searches the text: every
entry matches. The tests' version, which also records requests and misbehaves on
demand, extends it in ``tests/fakes/arxiv.py``.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from os import PathLike
from urllib.parse import parse_qs, urlencode, urlsplit

from lxml import etree

from bot.demo.loopback import LoopbackServer, get_handler


ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
NSMAP = {None: ATOM, "opensearch": OPENSEARCH, "arxiv": ARXIV}
PATH = "/api/query"

_WINDOW = re.compile(r"submittedDate:\[(\d{4,14}) TO (\d{4,14})\]")


def load_entries(path: str | PathLike[str]) -> list[bytes]:
    """The ``<entry>`` elements of an Atom file, each serialised on its own."""
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    return [etree.tostring(entry) for entry in root.iterfind(f"{{{ATOM}}}entry")]


def build_feed(
    entries: Sequence[bytes | etree._Element],
    *,
    total: int | None = None,
    start: int = 0,
    items_per_page: int | None = None,
    query: str = "",
) -> bytes:
    """An arXiv API response document holding ``entries``."""
    args = {"search_query": query, "id_list": "", "start": start, "max_results": items_per_page or len(entries)}
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap=NSMAP)  # type: ignore[arg-type]
    etree.SubElement(feed, f"{{{ATOM}}}id").text = (
        "https://arxiv.org/api/" + hashlib.sha1(query.encode()).hexdigest()[:27]
    )
    title = "arXiv Query: " + "&".join(f"{k}={v}" for k, v in args.items())
    etree.SubElement(feed, f"{{{ATOM}}}title").text = title
    etree.SubElement(feed, f"{{{ATOM}}}updated").text = f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ}"
    etree.SubElement(
        feed, f"{{{ATOM}}}link", href="https://arxiv.org/api/query?" + urlencode(args), type="application/atom+xml"
    )
    etree.SubElement(feed, f"{{{OPENSEARCH}}}itemsPerPage").text = str(args["max_results"])
    etree.SubElement(feed, f"{{{OPENSEARCH}}}totalResults").text = str(len(entries) if total is None else total)
    etree.SubElement(feed, f"{{{OPENSEARCH}}}startIndex").text = str(start)
    for entry in entries:
        # A copy: appending moves an element into this document, and the server's threads
        # share its parsed entries (moved by two requests at once, lxml crashed the process).
        feed.append(etree.fromstring(entry) if isinstance(entry, bytes) else copy.deepcopy(entry))
    etree.cleanup_namespaces(feed)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def error_feed(message: str) -> bytes:
    """arXiv's answer to a bad request: a feed with one error entry (sent with HTTP 400)."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap=NSMAP)  # type: ignore[arg-type]
    etree.SubElement(feed, f"{{{ATOM}}}title").text = "arXiv Query: error"
    etree.SubElement(feed, f"{{{OPENSEARCH}}}totalResults").text = "1"
    etree.SubElement(feed, f"{{{OPENSEARCH}}}startIndex").text = "0"
    etree.SubElement(feed, f"{{{OPENSEARCH}}}itemsPerPage").text = "1"
    entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
    slug = re.sub(r"\W+", "_", message)
    etree.SubElement(entry, f"{{{ATOM}}}id").text = f"http://arxiv.org/api/errors#{slug}"
    etree.SubElement(entry, f"{{{ATOM}}}title").text = "Error"
    etree.SubElement(entry, f"{{{ATOM}}}summary").text = message
    etree.SubElement(entry, f"{{{ATOM}}}updated").text = f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ}"
    author = etree.SubElement(entry, f"{{{ATOM}}}author")
    etree.SubElement(author, f"{{{ATOM}}}name").text = "arXiv api core"
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class ArxivFeedServer(LoopbackServer):
    """``with ArxivFeedServer(entries) as server:`` then point the client at ``server.url``.

    ``entries`` are serialised ``<entry>`` elements (see ``load_entries``) or the path
    of an Atom file. They are served in the order given, as arXiv serves relevance order.
    """

    def __init__(self, entries: Sequence[bytes] | str | PathLike[str]) -> None:
        raw = load_entries(entries) if isinstance(entries, (str, PathLike)) else list(entries)
        self._entries = [etree.fromstring(e) for e in raw]
        self._published = [_published_key(e) for e in self._entries]
        super().__init__(get_handler(self._respond), "arxiv-feed")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    # -- serving -----------------------------------------------------------------

    def _matching(self, query: str) -> list[etree._Element]:
        """The entries within the query's ``submittedDate`` window (all without one)."""
        window = _WINDOW.search(query)
        if window is None:
            return list(self._entries)
        first, last = window.group(1).ljust(14, "0"), window.group(2).ljust(14, "9")
        return [e for e, key in zip(self._entries, self._published) if first <= key <= last]

    def _answer(self, params: dict[str, str]) -> tuple[int, bytes]:
        """The API's status and body for a query's parameters: a page, or 400 and an error feed."""
        query = params.get("search_query", "")
        try:
            start, size = int(params.get("start", "0")), int(params.get("max_results", "10"))
        except ValueError:
            return 400, error_feed("start and max_results must be integers")
        matching = self._matching(query)
        page = matching[start : start + size]
        return 200, build_feed(page, total=len(matching), start=start, items_per_page=size, query=query)

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one GET (the tests' server extends this to record requests and misbehave)."""
        path, params = parse_target(handler.path)
        if path != PATH:
            return send(handler, 404, b"not found", "text/plain")
        send(handler, *self._answer(params))



def parse_target(target: str) -> tuple[str, dict[str, str]]:
    """A request target's path and query parameters (the last of a repeated one)."""
    parts = urlsplit(target)
    return parts.path, {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}


def send(
    handler: BaseHTTPRequestHandler,
    code: int,
    body: bytes,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(code)
    handler.send_header("Content-Type", content_type or "application/atom+xml; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def _published_key(entry: etree._Element) -> str:
    """The entry's <published> in UTC as YYYYMMDDHHMMSS, comparable with padded query bounds."""
    text = entry.findtext(f"{{{ATOM}}}published") or ""
    stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return f"{stamp.astimezone(timezone.utc):%Y%m%d%H%M%S}"
