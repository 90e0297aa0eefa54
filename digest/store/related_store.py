"""What related papers read from the store: every paper it holds, headlines, vectors.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions). The
papers are those of arXiv's answers (``papers``) and of the harvest
(``announced_papers``): every paper ever fetched, any topic, one per arXiv id however
many versions are stored. Vectors (``paper_vectors``) are written once per paper and
model and never replaced.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select, union_all

from digest.store.ledger_rows import dialect_insert
from digest.store.related_tables import PaperVectorRow
from digest.store.tables import AnnouncedPaperRow, CardRow, PaperRow

_CHUNK = 500  # bounded IN lists: SQLite's variable limit


def _chunks(items: Collection[Any]) -> Iterable[list[Any]]:
    items = list(items)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class RelatedStoreMixin:
    _reading: Any
    _writing: Any
    _dialect: str

    def paper_rows(self) -> int:
        """How many paper versions the store holds, both tables together: rows are only
        ever added, so an unchanged count means no paper is new (a cheap check)."""
        with self._reading() as session:
            return sum(session.scalar(select(func.count()).select_from(t)) or 0 for t in (PaperRow, AnnouncedPaperRow))

    def paper_versions(self) -> dict[str, int]:
        """Every stored paper, arXiv id (no version) -> its highest stored version."""
        both = union_all(
            select(PaperRow.arxiv_id, PaperRow.version), select(AnnouncedPaperRow.arxiv_id, AnnouncedPaperRow.version)
        ).subquery()
        query = select(both.c.arxiv_id, func.max(both.c.version)).group_by(both.c.arxiv_id)
        with self._reading() as session:
            return {arxiv_id: version for arxiv_id, version in session.execute(query)}

    def paper_texts(self, keys: Collection[tuple[str, int]]) -> dict[str, tuple[str, str]]:
        """arXiv id -> (title, abstract) of the given (arxiv_id, version) keys that are stored."""
        wanted, found = set(keys), {}
        with self._reading() as session:
            for table in (AnnouncedPaperRow, PaperRow):  # a query's copy, when both hold it, wins
                for chunk in _chunks({i for i, _ in wanted}):
                    rows = session.execute(
                        select(table.arxiv_id, table.version, table.title, table.abstract).where(table.arxiv_id.in_(chunk))
                    )
                    found.update({i: (t, a) for i, v, t, a in rows if (i, v) in wanted})
        return found

    def headlines(self, arxiv_ids: Collection[str], language: str | None = None) -> dict[str, str]:
        """arXiv id -> the headline of its card in the card cache: in ``language`` when
        one is, else in any; the newest version's, then the latest written."""
        best: dict[str, tuple[bool, int, datetime, str]] = {}
        with self._reading() as session:
            for chunk in _chunks(set(arxiv_ids)):
                rows = session.execute(
                    select(CardRow.arxiv_id, CardRow.version, CardRow.language, CardRow.created_at, CardRow.headline)
                    .where(CardRow.arxiv_id.in_(chunk))
                )
                for arxiv_id, version, lang, created, headline in rows:
                    rank = (lang == language, version, created, headline)
                    if headline and (arxiv_id not in best or rank > best[arxiv_id]):
                        best[arxiv_id] = rank
        return {arxiv_id: rank[3] for arxiv_id, rank in best.items()}

    def paper_vectors(self, model: str, arxiv_ids: Collection[str] | None = None) -> dict[str, bytes]:
        """arXiv id -> its stored vector by ``model`` (all of them, or those of ``arxiv_ids``)."""
        query = select(PaperVectorRow.arxiv_id, PaperVectorRow.vector).where(PaperVectorRow.model == model)
        with self._reading() as session:
            if arxiv_ids is None:
                return {arxiv_id: vector for arxiv_id, vector in session.execute(query)}
            found: dict[str, bytes] = {}
            for chunk in _chunks(set(arxiv_ids)):
                found.update((i, v) for i, v in session.execute(query.where(PaperVectorRow.arxiv_id.in_(chunk))))
            return found

    def put_paper_vectors(self, model: str, vectors: Mapping[tuple[str, int], bytes]) -> None:
        """Store (arxiv_id, version) -> vector by ``model``; a paper already holding one keeps
        it (two processes embedding at once store the same)."""
        now = datetime.now(timezone.utc)
        rows = [
            {"arxiv_id": i, "model": model, "version": v, "vector": vector, "created_at": now}
            for (i, v), vector in vectors.items()
        ]
        if rows:
            with self._writing() as session:
                session.execute(dialect_insert(self._dialect)(PaperVectorRow).on_conflict_do_nothing(), rows)
