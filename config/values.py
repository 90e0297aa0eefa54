"""Checks of single setting values: http(s) URLs, database URLs, arXiv's spacing."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

# arXiv's terms of use: "make no more than one request every three seconds"
# (https://info.arxiv.org/help/api/tou.html). Only a mirror or a test server may go faster.
ARXIV_MIN_INTERVAL = 3.0


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
        raise ValueError(f"needs the driver {err.name!r}, which is not installed (pip install 'arxiv-digest-bot[postgres]')") from None
    return value
