"""The store: everything the bot keeps, in SQLite or PostgreSQL (SQLAlchemy, Alembic).

``open_store(url)`` opens it, migrated to head (``migrations/``). ``Store`` (``sql.py``)
holds the caches (papers, card texts, arXiv queries) and, through one mixin per job in
the sibling modules, the subscriptions, digest runs and their delivery ledger, channel
claims, run owners and heartbeats, schedule state, papers' full texts, and what related
papers read (every stored paper, card headlines, papers' vectors). ``SharedPacer``
(``pacing.py``): rate limits every process sharing PostgreSQL keeps together.
"""

from digest.store.pacing import SharedPacer
from digest.store.sql import Store, StoreUnavailable, open_store

__all__ = ["SharedPacer", "Store", "StoreUnavailable", "open_store"]
