"""Ledger marks of concurrent deliveries, committed together: one transaction per loop turn.

A digest to a thousand channels makes two marks per post (``sending`` before, ``sent``
after), thousands a second; a transaction each was most of the process's CPU. Marks
asked for during one turn of the event loop are written by one ``Store.mark_many``
at the start of the next. ``mark`` returns only once its row is committed, so the
ledger's promise is unchanged: nothing is posted before ``sending`` is on disk.
"""

from __future__ import annotations

import asyncio
import logging

from digest.models import CardText
from digest.store import Store
from digest.store.ledger import Mark

log = logging.getLogger(__name__)


class MarkQueue:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: list[tuple[Mark, asyncio.Future[None]]] = []

    async def mark(
        self,
        run_key: str,
        position: int,
        state: str,
        *,
        message_id: str | None = None,
        error: str | None = None,
        card: CardText | None = None,
    ) -> None:
        loop = asyncio.get_running_loop()
        if not self._waiting:
            loop.call_soon(self._commit)  # a plain callback: cancelling a delivery cannot stop it
        future: asyncio.Future[None] = loop.create_future()
        self._waiting.append((Mark(run_key, position, state, message_id, error, card), future))
        await future

    def _commit(self) -> None:
        batch, self._waiting = self._waiting, []
        try:
            self._store.mark_many([mark for mark, _ in batch])
            outcomes: list[BaseException | None] = [None] * len(batch)
        except Exception:  # one bad mark must not fail the others' deliveries: each alone
            outcomes = [self._alone(mark) for mark, _ in batch]
        for (_, future), error in zip(batch, outcomes):
            if future.done():  # its delivery was cancelled; the mark is written all the same
                continue
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

    def _alone(self, mark: Mark) -> BaseException | None:
        try:
            self._store.mark_many([mark])
        except Exception as err:
            return err
        return None
