"""This process as the store sees it: a heartbeat, and who among run owners is gone.

Every ``digest-bot run`` process beats into the store every ``interval`` seconds under an
id ``<host>:<pid>:<random>`` (``Deliverer.owner``). A run's owner is gone when:

- it stopped cleanly (its row is deleted at once), or never beat (a ``digest`` CLI run);
- it is on this host and its pid no longer runs, or is this process's own pid (a
  restarted container reuses pid 1): known at once, so a restart finishes the runs its
  previous incarnation left within seconds;
- its last beat is older than ``STALE_BEATS`` intervals (a process on another host that
  died, or lost the database): known within that time.

A gone owner's runs are taken over (``Deliverer.deliver_many``); the fence makes sure a
process that was only slow, not dead, can no longer write a mark, so it stops posting.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from digest.store import Store

log = logging.getLogger(__name__)

STALE_BEATS = 3  # missed heartbeats after which an owner on another host counts as gone
HOST = socket.gethostname()[:40]


def new_instance_id() -> str:
    """``<host>:<pid>:<random>``, at most 64 characters (the store's id column)."""
    return f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}"


def _pid_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


class Instances:
    """The heartbeat of the process whose runs are owned as ``id``, and liveness of others."""

    def __init__(self, store: Store, id: str | None = None, *, interval: float = 5.0) -> None:
        self.store, self.id, self.interval = store, id or new_instance_id(), interval
        self._beating: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Beat now (so that this process counts as alive from the start), then every ``interval``."""
        await asyncio.to_thread(self.store.beat, self.id, HOST, os.getpid())
        self._beating = asyncio.ensure_future(self._beat())

    async def stop(self) -> None:
        """Stop beating and leave: this process's runs are free to take at once."""
        if self._beating is not None:
            self._beating.cancel()
            await asyncio.gather(self._beating, return_exceptions=True)
        await asyncio.to_thread(self.store.forget_instance, self.id)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await asyncio.to_thread(self.store.beat, self.id, HOST, os.getpid())
            except Exception as err:  # the database away for a moment: the next beat tries again
                log.warning("heartbeat of %s failed: %s", self.id, err)

    def gone(self, owners: Iterable[str | None], now: datetime | None = None) -> set[str | None]:
        """Those of ``owners`` whose process is gone (None, an unowned run, always is)."""
        wanted = set(owners) - {self.id}
        if not wanted:
            return set()
        rows = self.store.instances()
        stale = (now or datetime.now(timezone.utc)) - timedelta(seconds=STALE_BEATS * self.interval)
        out: set[str | None] = set()
        for owner in wanted:
            row = rows.get(owner) if owner else None
            if row is None or row.seen_at < stale:
                out.add(owner)
            elif row.host == HOST and (row.pid == os.getpid() or not _pid_runs(row.pid)):
                out.add(owner)
        return out
