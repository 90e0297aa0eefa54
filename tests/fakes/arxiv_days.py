"""A scripted calendar of arXiv announcements, shared by the listing and OAI-PMH fakes.

A ``Day`` is what arXiv listed under one listing date (the day after the announcement
evening, ``digest.arxiv.calendar``): the paper versions announced, and records whose
metadata was edited that day without a new version (OAI-PMH shows them, the listing
does not). A weekday with no ``Day`` (or an empty one) is a holiday. The servers'
``now`` is the controlled clock: what they serve is what arXiv served at that instant.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import Any

from bot.demo.arxiv_feed import parse_target, send
from bot.demo.loopback import LoopbackServer, get_handler
from tests.fakes.arxiv import Request


@dataclass(frozen=True)
class FakePaper:
    """One paper version as a day announces it; ``categories``: primary first."""

    arxiv_id: str
    title: str
    categories: tuple[str, ...]
    version: int = 1
    abstract: str = "An abstract."
    authors: tuple[str, ...] = ("A. Author", "B. Author")
    comment: str | None = None
    submitted: datetime = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)  # this version's
    first_submitted: datetime | None = None  # v1's; None: ``submitted``

    def archives(self) -> set[str]:
        return {c.split(".")[0] for c in self.categories}

    def announce_type(self, archives: set[str] | None) -> str | None:
        """How a listing of ``archives`` (None: all) lists it; None: not at all."""
        if archives is not None and not self.archives() & archives:
            return None
        own = archives is None or self.categories[0].split(".")[0] in archives
        kind = "new" if own else "cross"
        return kind if self.version == 1 else ("replace" if own else "replace-cross")


@dataclass(frozen=True)
class Day:
    listed_on: date
    papers: tuple[FakePaper, ...] = ()
    edited: tuple[FakePaper, ...] = ()  # OAI-PMH only: a metadata edit (journal-ref), no new version


Fault = tuple[Any, ...]


class ScriptedServer(LoopbackServer):
    """A loopback server over ``days`` at the clock ``now``, recording requests and
    answering scripted faults first: ``("status", 503, {"Retry-After": "0"})``,
    ``("malformed",)`` (half a body), ``("ok",)``."""

    name = "arxiv-scripted"

    def __init__(self, days: Sequence[Day], now: datetime) -> None:
        self.days = {day.listed_on: day for day in days}
        self.now = now
        self.requests: list[Request] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        super().__init__(get_handler(self._respond), self.name)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, faults: Sequence[Fault]) -> None:
        with self._lock:
            self._faults.extend(faults)

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, bytes, str]:
        raise NotImplementedError

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        path, params = parse_target(handler.path)
        with self._lock:
            self.requests.append(Request(path, params, time.monotonic(), dict(handler.headers.items())))
            fault = self._faults.popleft() if self._faults else None
        if fault and fault[0] == "status":
            return send(handler, fault[1], b"<html>busy</html>", "text/html", fault[2] if len(fault) > 2 else {})
        code, body, kind = self.answer(path, params)
        if fault and fault[0] == "malformed":
            body = body[: len(body) // 2]
        send(handler, code, body, kind)

