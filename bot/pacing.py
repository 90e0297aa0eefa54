"""The process's pacer of the rate limits (``digest.ratelimit.pacing``), built from the store.

On PostgreSQL every process sharing the database (``run`` leaders and followers,
workers) keeps each limit together: ``SharedPacer`` on the store's engine, also made
the process's arXiv gate (``use_process_pacer``). On SQLite (one process) the gates are
this process's own ``Spacing``s, as they always were. ``bot/ports.py`` (``build_ports``,
for ``run`` and ``worker`` alike) hands the pacer to the SlackPort (per channel and per
workspace) and the Discord client (the global limit).
"""

from __future__ import annotations

import threading
import weakref
from digest.ratelimit.pacing import LocalPacer, Pacer, forget_process_pacer, use_process_pacer
from digest.store import SharedPacer, Store

_built: weakref.WeakKeyDictionary[Store, Pacer] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def build_pacer(store: Store) -> Pacer:
    """The one pacer of ``store``'s database in this process (the same on every call)."""
    with _lock:
        known = _built.get(store)
        if known is not None:
            return known
        if store.engine.dialect.name == "postgresql":
            pacer: Pacer = SharedPacer(store.engine)
            use_process_pacer(pacer)  # arXiv's 3 s are counted across processes too
        else:
            pacer = LocalPacer()
        _built[store] = pacer
        return pacer


def release_pacer(store: Store) -> None:
    """``store``'s pacer forgotten as the store closes: its connections closed, and arXiv's
    gate back to the in-process one if it was this pacer's, so a bot built later in the
    same process (the tests build many) never paces through a closed database."""
    with _lock:
        pacer = _built.pop(store, None)
    if pacer is not None:
        forget_process_pacer(pacer)
    if isinstance(pacer, SharedPacer):
        pacer.close()
