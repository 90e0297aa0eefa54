"""A loopback fake served from a child process: its CPU is not the measured process's.

In production arXiv, the LLM and the chat platforms are other machines. A benchmark
that runs their fakes as threads of the bot's own process charges their HTTP parsing
and JSON to the bot (and to its GIL): ``Apart`` forks, serves the fake there, and
brings back only its address and, at the end, the figures asked of it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

S = TypeVar("S", bound=AbstractContextManager[Any])


class Apart(Generic[S]):
    """``with Apart(make, address, figures) as url:`` ... ``apart.figures`` after the block."""

    def __init__(self, make: Callable[[], S], address: Callable[[S], str], figures: Callable[[S], Any]) -> None:
        self._make, self._address, self._figures = make, address, figures
        self.figures: Any = None
        self._pipe: Any = None
        self._child: Any = None

    def __enter__(self) -> str:
        ours, theirs = multiprocessing.get_context("fork").Pipe()
        self._child = multiprocessing.get_context("fork").Process(target=self._serve, args=(theirs,), daemon=True)
        self._child.start()
        self._pipe = ours
        if not ours.poll(30):
            raise RuntimeError("the fake did not start in its child process")
        return ours.recv()

    def __exit__(self, *exc: object) -> None:
        self._pipe.send("stop")
        if self._pipe.poll(30):
            self.figures = self._pipe.recv()
        self._child.join(10)

    def _serve(self, pipe: Any) -> None:
        with self._make() as server:
            pipe.send(self._address(server))
            pipe.recv()  # until the parent is done
            pipe.send(self._figures(server))
