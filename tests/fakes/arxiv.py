"""The loopback arXiv API for tests, plus a builder of Atom entries from paper metadata.

``ArxivFeedServer`` here is the demo's server (``bot/demo/arxiv_feed.py``) plus what only
tests need: every request recorded (``requests``), and faults scripted one request at a
time the ways arXiv misbehaves (``script``: 503, 429 + Retry-After, error feeds, empty or
truncated pages, hangs), and arXiv's look-up by id (``id_list``, versioned or not).
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from os import PathLike
from pathlib import Path
from typing import Any

from lxml import etree

from bot.demo import arxiv_feed
from bot.demo.arxiv_feed import ARXIV, ATOM, PATH, build_feed, error_feed, load_entries, parse_target, send

__all__ = [
    "WEEK",
    "ArxivFeedServer",
    "Request",
    "atom_entries",
    "atom_entry",
    "build_feed",
    "error_feed",
    "load_entries",
]

Fault = tuple[Any, ...]
_ENTRY_ID = re.compile(r"/abs/(?P<id>.+?)v(?P<version>\d+)$")  # an entry's <id>, as arXiv writes it
_VERSIONED = re.compile(r"^(?P<id>.+?)v(?P<version>\d+)$")  # an id_list item naming a version


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    path: str
    params: dict[str, str]
    time: float  # time.monotonic() on arrival
    headers: dict[str, str] = field(default_factory=dict)


class ArxivFeedServer(arxiv_feed.ArxivFeedServer):
    """The demo's arXiv API that records requests and misbehaves on cue."""

    def __init__(self, entries: Sequence[bytes] | str | PathLike[str]) -> None:
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        super().__init__(entries)

    def script(self, faults: Sequence[Fault]) -> None:
        """Queue faults, one consumed per request before normal serving resumes.

        ``("status", 503)``, ``("status", 429, {"Retry-After": "1"})``, ``("error", text)``
        (HTTP 400 with arXiv's error entry), ``("empty",)`` (no entries, true total),
        ``("empty_total0",)``, ``("malformed",)`` (truncated XML), ``("hang", seconds)``
        (then serves normally, to a client that has usually given up), ``("ok",)`` (no fault:
        lets a later request be the faulty one).
        """
        with self._lock:
            self._faults.extend(faults)

    def _selected(self, params: Mapping[str, str]) -> list[etree._Element]:
        """The entries a query selects. With ``id_list`` (comma separated), as arXiv: those
        ids in its order, "2404.20001v2" that version, "2404.20001" its latest, an id not
        held left out; with a ``search_query`` as well, only those it matches too."""
        matching = self._matching(params.get("search_query", ""))
        ids = [i.strip() for i in params.get("id_list", "").split(",") if i.strip()]
        if not ids:
            return matching
        held: dict[str, dict[int, etree._Element]] = {}  # arXiv id -> version -> entry
        for entry in matching:
            if found := _ENTRY_ID.search((entry.findtext(f"{{{ATOM}}}id") or "").strip()):
                held.setdefault(found["id"], {})[int(found["version"])] = entry
        selected = []
        for wanted in ids:
            named = _VERSIONED.match(wanted)
            versions = held.get(named["id"] if named else wanted, {})
            version = int(named["version"]) if named else max(versions, default=0)
            if version in versions:
                selected.append(versions[version])
        return selected

    def _answer(self, params: dict[str, str]) -> tuple[int, bytes]:
        if not params.get("id_list"):
            return super()._answer(params)
        try:
            start, size = int(params.get("start", "0")), int(params.get("max_results", "10"))
        except ValueError:
            return 400, error_feed("start and max_results must be integers")
        selected = self._selected(params)
        page = selected[start : start + size]
        query = params.get("search_query", "")
        return 200, build_feed(page, total=len(selected), start=start, items_per_page=size, query=query)

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        path, params = parse_target(handler.path)
        with self._lock:
            self.requests.append(Request(path, params, time.monotonic(), dict(handler.headers.items())))
            fault = self._faults.popleft() if self._faults else None
        kind = fault[0] if fault else None
        if kind not in (None, "ok", "hang", "status", "error", "empty", "empty_total0", "malformed"):
            raise ValueError(f"unknown fault {fault!r}")
        if path != PATH or fault is None or kind == "ok":
            return super()._respond(handler)
        code, body = self._answer(params)
        if code != 200:
            return send(handler, code, body)  # a bad request is refused whatever the fault
        if kind == "hang":
            self._closing.wait(float(fault[1]))
        elif kind == "status":
            code, headers = fault[1], (fault[2] if len(fault) > 2 else {})
            body = error_feed(f"HTTP {code}") if 400 <= code < 500 and code != 429 else b"<html>busy</html>"
            return send(handler, code, body, "text/html" if body.startswith(b"<html") else None, headers)
        elif kind == "error":
            return send(handler, 400, error_feed(str(fault[1])))
        elif kind in ("empty", "empty_total0"):
            query = params.get("search_query", "")
            total = 0 if kind == "empty_total0" else len(self._selected(params))
            start, size = int(params.get("start", "0")), int(params.get("max_results", "10"))
            body = build_feed([], total=total, start=start, items_per_page=size, query=query)
        elif kind == "malformed":
            body = body[: len(body) // 2]
        send(handler, 200, body)


# Eight real papers of 19-25 April 2024 (ids, titles, authors, categories, times and
# comments as arXiv lists them; abstracts are short paraphrases).
WEEK = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv" / "week.xml"


def atom_entry(
    *,
    id: str,  # noqa: A002 (the Atom element's name)
    title: str,
    authors: Sequence[str],
    abstract: str,
    categories: Sequence[str],
    published: str,
    version: int = 1,
    updated: str | None = None,
    comment: str | None = None,
) -> bytes:
    """One ``<entry>`` laid out as arXiv's API lays it out; the first category is primary."""
    A = f"{{{ATOM}}}"
    X = f"{{{ARXIV}}}"
    entry = etree.Element(f"{A}entry", nsmap={None: ATOM, "arxiv": ARXIV})  # type: ignore[dict-item]

    def sub(tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        element = etree.SubElement(entry, tag, **attrs)
        element.text = text
        return element

    sub(f"{A}id", f"http://arxiv.org/abs/{id}v{version}")
    sub(f"{A}title", title)
    sub(f"{A}updated", updated or published)
    sub(f"{A}link", href=f"https://arxiv.org/abs/{id}v{version}", rel="alternate", type="text/html")
    sub(f"{A}link", href=f"https://arxiv.org/pdf/{id}v{version}", rel="related", type="application/pdf", title="pdf")
    sub(f"{A}summary", abstract)
    for term in categories:
        sub(f"{A}category", term=term, scheme="http://arxiv.org/schemas/atom")
    sub(f"{A}published", published)
    if comment is not None:
        sub(f"{X}comment", comment)
    sub(f"{X}primary_category", term=categories[0])
    for name in authors:
        author = sub(f"{A}author")
        etree.SubElement(author, f"{A}name").text = name
    return etree.tostring(entry)


def atom_entries(papers: Iterable[Mapping[str, Any]]) -> list[bytes]:
    return [atom_entry(**paper) for paper in papers]


def synthetic_week(n: int, *, titles: Mapping[int, str] | None = None) -> list[bytes]:
    """``n`` made-up papers of 19-25 April 2024 about synthetic data, ids 2404.20001 on."""
    return atom_entries(
        {
            "id": f"2404.{20001 + i}",
            "title": (titles or {}).get(i, f"Synthetic data for task {i}: a study"),
            "authors": ["A. Author", "B. Author"],
            "abstract": f"We propose method {i} that generates synthetic data for task {i}. "
            f"It improves accuracy by {i + 1} points on three benchmarks. "
            "We train on the public Pile corpus. Code is released.",
            "categories": ["cs.CL"],
            "published": f"2024-04-{19 + i % 7:02d}T12:00:00Z",
        }
        for i in range(n)
    )
