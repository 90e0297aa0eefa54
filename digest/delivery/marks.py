"""Ledger marks of concurrent deliveries, committed together: one transaction per loop turn.

A digest to a thousand channels makes two marks per post (``sending`` before, ``sent``
after), thousands a second; a transaction each was most of the process's CPU. Marks
asked for during one turn of the event loop are written by one ``Store.mark_many``
at the start of the next (and the runs that end in it by one ``Store.finish_runs``).
``mark`` returns only once its row is committed, so the ledger's promise is unchanged:
nothing is posted before ``sending`` is on disk.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from digest.models import CardText, DigestRun, Overview
from digest.store import Store
from digest.store.ledger import Mark
from digest.store.runs import RunEnd

log = logging.getLogger(__name__)


class MarkQueue:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: list[tuple[Mark, asyncio.Future[None]]] = []
        self._ending: list[tuple[RunEnd, asyncio.Future[DigestRun]]] = []
        self._running: set[asyncio.Future[None]] = set()  # commits in their threads

    async def mark(
        self,
        run_key: str,
        position: int,
        state: str,
        *,
        message_id: str | None = None,
        error: str | None = None,
        card: CardText | None = None,
        owner: str | None = None,
        fence: int = 0,
        overview: Overview | None = None,
    ) -> None:
        """Write one mark (with a header's ``overview``, stored once per run); given ``owner``
        and ``fence``, only while the run is still theirs (else ``RunLost``: stop posting)."""
        future: asyncio.Future[None] = self._queued()
        self._waiting.append((Mark(run_key, position, state, message_id, error, card, owner, fence, overview), future))
        await future

    async def finish(
        self,
        run_key: str,
        state: str,
        error: str | None = None,
        *,
        owner: str | None = None,
        fence: int = 0,
        retry_at: datetime | None = None,
    ) -> DigestRun:
        """End the run (``Store.finish_runs``: its state, error, attempts and next try at
        once), committed with the marks and other endings of this turn."""
        future: asyncio.Future[DigestRun] = self._queued()
        self._ending.append((RunEnd(run_key, state, error, owner, fence, retry_at), future))
        return await future

    def _queued(self) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        if not self._waiting and not self._ending:
            loop.call_soon(self._start)  # a plain callback: cancelling a delivery cannot stop it
        return loop.create_future()

    def _start(self) -> None:
        # The batch is taken now; its transaction runs in a thread, so that a slow database
        # (a stalled PostgreSQL, a write lock held elsewhere) never blocks the event loop
        # and the acknowledgements riding on it. Marks queued meanwhile make the next batch.
        marks, self._waiting = self._waiting, []
        ending, self._ending = self._ending, []
        task = asyncio.ensure_future(self._commit(marks, ending))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _commit(
        self, marks: list[tuple[Mark, asyncio.Future[None]]], ending: list[tuple[RunEnd, asyncio.Future[DigestRun]]]
    ) -> None:
        outcomes, ended = await asyncio.to_thread(self._write, [m for m, _ in marks], [e for e, _ in ending])
        for (_, future), error in zip(marks, outcomes):
            if future.done():  # its delivery was cancelled; the mark is written all the same
                continue
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)
        for end, future in ending:
            if future.done():
                continue
            if isinstance(ended, Exception):  # only a run that does not exist: fail them all alike
                future.set_exception(ended)
            else:
                future.set_result(ended[end.key])

    def _write(
        self, marks: list[Mark], ends: list[RunEnd]
    ) -> tuple[list[BaseException | None], dict[str, DigestRun] | Exception]:
        """In a thread: the marks in one transaction (each alone if that fails), then the endings."""
        outcomes: list[BaseException | None] = [None] * len(marks)
        if marks:
            try:
                self._store.mark_many(marks)
            except Exception:  # one bad mark must not fail the others' deliveries: each alone
                outcomes = [self._alone(mark) for mark in marks]
        ended: dict[str, DigestRun] | Exception = {}
        if ends:
            try:
                ended = self._store.finish_runs(ends)
            except Exception as err:
                ended = err
        return outcomes, ended

    def _alone(self, mark: Mark) -> BaseException | None:
        try:
            self._store.mark_many([mark])
        except Exception as err:
            return err
        return None
