"""Checks of single setting values: http(s) URLs, database URLs, arXiv's spacing."""

from __future__ import annotations

import re
from importlib.util import find_spec
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

# arXiv's terms of use: "make no more than one request every three seconds"
# (https://info.arxiv.org/help/api/tou.html). Only a mirror or a test server may go faster.
ARXIV_MIN_INTERVAL = 3.0
# What PostgreSQL needs installed (pyproject.toml's postgres extra: psycopg, procrastinate).
POSTGRES_EXTRA = "the postgres extra: pip install -e '.[postgres]' in the clone (the container image has it)"
# A bound on shard numbers, far above the largest bots' (Discord's shard_count reaches the
# thousands): it keeps "0-99999999" from building a list of that size before it is refused.
MAX_SHARDS = 65536


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError("must be an http:// or https:// URL, e.g. https://example.org/api")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]  # every URL setting: a typo there fails at start, not at the first request


def is_arxiv(url: str) -> bool:
    """Whether ``url`` is on arXiv's own servers (its terms of use apply)."""
    host = (urlsplit(url).hostname or "").lower()
    return host == "arxiv.org" or host.endswith(".arxiv.org")


def database_url(value: str) -> str:
    """``value`` if it is a SQLite or PostgreSQL URL whose driver is installed, else ValueError."""
    allowed = "sqlite:///path/to/digest.db or postgresql+psycopg://user:password@host:5432/db"
    try:
        url = make_url(value)
        dialect = url.get_dialect()
    except NoSuchModuleError:  # before ArgumentError, its base
        raise ValueError(f"names an unknown database or driver; use {allowed}") from None
    except ArgumentError:
        raise ValueError(f"is not a database URL; use {allowed}") from None
    if url.get_backend_name() not in ("sqlite", "postgresql") or getattr(dialect, "is_async", False):
        raise ValueError(f"must be SQLite or PostgreSQL with a synchronous driver; use {allowed}")
    try:
        dialect.import_dbapi()
    except ImportError as err:
        raise ValueError(f"needs the driver {err.name!r}, which is not installed; install {POSTGRES_EXTRA}") from None
    # The job queue's tables come with the store's migrations (0022), on every PostgreSQL
    # store, queue on or off: without procrastinate they could not be made.
    if url.get_backend_name() == "postgresql" and find_spec("procrastinate") is None:
        raise ValueError(f"needs procrastinate (the job queue's tables), which is not installed; install {POSTGRES_EXTRA}")
    return value


def shard_ids(value: object) -> list[int] | None:
    """Discord shard ids as a person writes them: ``"0-3"``, ``"0,2"``, ``"0-1,4"`` or a
    TOML list ``[0, 2]``; ``""`` or None: unset. Returns them sorted, each once; ValueError
    for anything else (a range is inclusive, as the README's examples read)."""
    if value is None or value == "" or value == []:
        return None
    allowed = 'must be shard numbers from 0 up, as a range or a list: "0-3", "0,2" or "0-1,4"'
    if isinstance(value, list):
        if not all(isinstance(item, int) and not isinstance(item, bool) and 0 <= item < MAX_SHARDS for item in value):
            raise ValueError(allowed)
        return sorted(set(value))
    if not isinstance(value, str) or not re.fullmatch(r"\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*", value):
        raise ValueError(allowed)
    ids: set[int] = set()
    for part in value.split(","):
        first, _, last = part.partition("-")
        low, high = int(first), int(last or first)
        if high >= MAX_SHARDS:
            raise ValueError(f"shard {high} is beyond any bot's shard count (at most {MAX_SHARDS})")
        if high < low:
            raise ValueError(f"{part.strip()!r} runs backwards; write the lower shard first, e.g. {high}-{low}")
        ids.update(range(low, high + 1))
    return sorted(ids)
