"""Persistence of the engine: the card cache, papers and the arXiv query cache."""

from digest.store.sql import Store, open_store

__all__ = ["Store", "open_store"]
