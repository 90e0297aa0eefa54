"""The SQL store: card cache, paper archive and arXiv query cache over SQLAlchemy.

Sync on purpose: every method is one short transaction on a pooled connection, so a
``Store`` can be shared by threads (``asyncio.to_thread``) without extra locking.
Works on SQLite (file or in-memory) and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool
from sqlalchemy.orm import Session, sessionmaker

from digest.models import CardKey, CardText, Paper
from digest.store.announced import AnnouncedMixin
from digest.store.engines import StoreUnavailable, connect_or_explain, create_store_engine
from digest.store.fulltext_store import FullTextStoreMixin
from digest.store.installations import InstallationsMixin
from digest.store.ledger import LedgerMixin
from digest.store.migrations import upgrade_to_head
from digest.store.overview_store import OverviewStoreMixin
from digest.store.owners import OwnersMixin
from digest.store.plan_failures import PlanFailuresMixin
from digest.store.reactions import ReactionsMixin
from digest.store.planning import PlanningMixin
from digest.store.published_qa import PublishedQAMixin
from digest.store.related_store import RelatedStoreMixin
from digest.store.runs import RunsMixin
from digest.store.subscriptions import SubscriptionsMixin
from digest.store.usage_store import UsageStoreMixin
from digest.store.tables import AnnouncedPaperRow, CardRow, PaperRow, QueryRow

def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be tz-aware (UTC), got naive {value!r}")
    return value.astimezone(timezone.utc)


def _query_key(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=None)
def _upsert(dialect: str, model: type[Any]) -> Any:
    """INSERT .. ON CONFLICT (primary key) DO UPDATE every other column, for executemany.

    Built once per table: the rows travel as parameters, so the compiled statement is
    reused (rows inlined as VALUES would be compiled anew on every call).
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"no upsert for dialect {dialect!r}")
    table = model.__table__
    keys = [col.name for col in table.primary_key.columns]
    stmt = insert(model)
    changes = {col.name: stmt.excluded[col.name] for col in table.columns if col.name not in keys}
    return stmt.on_conflict_do_update(index_elements=keys, set_=changes)


def _paper_row(paper: Paper, now: datetime) -> dict[str, Any]:
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "comment": paper.comment,
        "published": _require_aware(paper.published, "Paper.published"),
        "updated": _require_aware(paper.updated, "Paper.updated"),
        "abs_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
        "updated_at": now,
    }


def _paper(row: PaperRow | AnnouncedPaperRow) -> Paper:
    return Paper(
        arxiv_id=row.arxiv_id,
        version=row.version,
        title=row.title,
        authors=tuple(row.authors),
        abstract=row.abstract,
        categories=tuple(row.categories),
        primary_category=row.primary_category,
        comment=row.comment,
        published=row.published,
        updated=row.updated,
        abs_url=row.abs_url,
        pdf_url=row.pdf_url,
    )


class Store(
    SubscriptionsMixin, PlanningMixin, RunsMixin, LedgerMixin, OwnersMixin, PlanFailuresMixin, FullTextStoreMixin,
    AnnouncedMixin, RelatedStoreMixin, PublishedQAMixin, ReactionsMixin, UsageStoreMixin, OverviewStoreMixin,
    InstallationsMixin,
):
    """Persistent caches of the engine. Thread-safe; each call is its own transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name
        self._stored_texts: set[str] = set()
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write = sessionmaker(self._write_engine, expire_on_commit=False)
        # An in-memory SQLite DB is one shared connection: calls must take turns.
        shared = isinstance(engine.pool, StaticPool)
        self._turn: contextlib.AbstractContextManager[Any] = threading.RLock() if shared else contextlib.nullcontext()

    @property
    def engine(self) -> Engine:
        return self._engine

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._turn, self._read.begin() as session:
            yield session

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Session]:
        with self._turn, self._write.begin() as session:
            yield session

    @contextlib.contextmanager
    def _writing_core(self) -> Iterator[Connection]:
        """A write transaction without the ORM session, for the hottest statements."""
        with self._turn, self._write_engine.begin() as connection:
            yield connection

    # -- cards -----------------------------------------------------------------

    def get_card(self, key: CardKey) -> CardText | None:
        with self._reading() as session:
            row = session.get(
                CardRow,
                (key.arxiv_id, key.version, key.language, key.model, key.prompt_version, key.bullets),
            )
            if row is None:
                return None
            return CardText(
                headline=row.headline,
                bullets=tuple(row.bullets),
                comment=row.comment,
                language=row.language,
                summarizer=row.summarizer,
            )

    def put_card(self, key: CardKey, text: CardText) -> None:
        # The language is stored once, as part of the key: refuse a card that disagrees.
        if text.language != key.language:
            raise ValueError(f"card language {text.language!r} != key language {key.language!r}")
        row = {
            "arxiv_id": key.arxiv_id,
            "version": key.version,
            "language": key.language,
            "model": key.model,
            "prompt_version": key.prompt_version,
            "bullet_count": key.bullets,
            "headline": text.headline,
            "bullets": list(text.bullets),
            "comment": text.comment,
            "summarizer": text.summarizer,
            "created_at": _utc_now(),
        }
        with self._writing() as session:
            session.execute(_upsert(self._dialect, CardRow), [row])

    # -- papers ----------------------------------------------------------------

    def _upsert_papers(self, session: Session, papers: Iterable[Paper]) -> None:
        now = _utc_now()
        # One row per key: PostgreSQL refuses to update the same row twice in one INSERT.
        rows = list({(p.arxiv_id, p.version): _paper_row(p, now) for p in papers}.values())
        if rows:
            session.execute(_upsert(self._dialect, PaperRow), rows)

    def put_papers(self, papers: Iterable[Paper]) -> None:
        with self._writing() as session:
            self._upsert_papers(session, papers)

    def get_papers(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Paper]:
        """The stored papers among ``(arxiv_id, version)`` keys, in one query per table:
        ``papers`` (searched or fetched), else ``announced_papers`` (harvested; a digest
        served from the harvest has its papers only there)."""
        wanted = set(keys)
        ids = {arxiv_id for arxiv_id, _ in wanted}
        found: dict[tuple[str, int], Paper] = {}
        with self._reading() as session:
            for table in (PaperRow, AnnouncedPaperRow) if ids else ():
                for row in session.scalars(select(table).where(table.arxiv_id.in_(ids))):
                    if (key := (row.arxiv_id, row.version)) in wanted:
                        found.setdefault(key, _paper(row))
        return found

    def get_paper(self, arxiv_id: str, version: int | None = None) -> Paper | None:
        """That version of the paper, or its highest stored version when ``version`` is None
        (from ``papers`` or ``announced_papers``, as ``get_papers``)."""
        found = []
        with self._reading() as session:
            for table in (PaperRow, AnnouncedPaperRow):
                query = select(table).where(table.arxiv_id == arxiv_id)
                if version is not None:
                    query = query.where(table.version == version)
                if (row := session.scalars(query.order_by(table.version.desc()).limit(1)).first()) is not None:
                    found.append(row)
        return _paper(max(found, key=lambda row: row.version)) if found else None

    # -- arXiv query cache ------------------------------------------------------

    def get_query(self, query: str, max_age: timedelta, now: datetime) -> list[Paper] | None:
        """The papers last stored for ``query`` in their stored order; None if absent or stale."""
        now = _require_aware(now, "now")
        with self._reading() as session:
            cached = session.get(QueryRow, _query_key(query))
            if cached is None or now - cached.fetched_at > max_age:
                return None
            ids = [(str(arxiv_id), int(version)) for arxiv_id, version in cached.paper_ids]
            if not ids:
                return []
            rows = session.scalars(
                select(PaperRow).where(PaperRow.arxiv_id.in_({arxiv_id for arxiv_id, _ in ids}))
            ).all()
            by_key = {(row.arxiv_id, row.version): row for row in rows}
            if any(key not in by_key for key in ids):
                return None  # a paper went missing: treat as a miss and refetch
            return [_paper(by_key[key]) for key in ids]

    def put_query(self, query: str, papers: Sequence[Paper], fetched_at: datetime) -> None:
        """Cache a query result; its papers are upserted in the same transaction."""
        row = {
            "query_sha256": _query_key(query),
            "query": query,
            "fetched_at": _require_aware(fetched_at, "fetched_at"),
            "paper_ids": [[p.arxiv_id, p.version] for p in papers],
        }
        with self._writing() as session:
            self._upsert_papers(session, papers)
            session.execute(_upsert(self._dialect, QueryRow), [row])

    def close(self) -> None:
        self._engine.dispose()


def open_store(url: str) -> Store:
    """Create the engine for ``url``, bring its schema to head, and wrap it in a Store.

    Raises ``StoreUnavailable`` (one line, no password) when the database cannot be
    reached or refuses the login.
    """
    engine = create_store_engine(url)
    try:
        connect_or_explain(engine, url)
        upgrade_to_head(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)


__all__ = ["Store", "StoreUnavailable", "create_store_engine", "open_store"]
