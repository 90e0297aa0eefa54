"""Stored full texts for thread Q&A: passages and their index terms, per paper version.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions). A
paper version's text never changes, so what one question fetched and indexed serves
every later question about it, from any channel or process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from digest.models import FullText, Passage
from digest.store.fulltext_tables import FullTextRow, PassageRow


class FullTextStoreMixin:
    _reading: Any
    _writing: Any

    def put_fulltext(
        self, full: FullText, terms: Sequence[Sequence[str]], fetched_at: datetime | None = None
    ) -> None:
        """Store (or replace) a paper version's passages and each passage's index terms."""
        if len(terms) != len(full.passages):
            raise ValueError(f"{len(terms)} term lists for {len(full.passages)} passages")
        key = {"arxiv_id": full.arxiv_id, "version": full.version}
        rows = [
            {**key, "position": p.position, "section": p.section, "text": p.text, "terms": list(t)}
            for p, t in zip(full.passages, terms)
        ]
        # Two processes indexing the same paper at once: the loser's insert fails on the
        # primary key, and what the winner stored is the same text.
        with contextlib.suppress(IntegrityError), self._writing() as session:
            session.execute(delete(PassageRow).filter_by(**key))
            session.execute(delete(FullTextRow).filter_by(**key))
            session.add(
                FullTextRow(
                    **key,
                    source=full.source,
                    reason=full.reason,
                    passage_count=len(rows),
                    fetched_at=fetched_at or datetime.now(timezone.utc),
                )
            )
            session.flush()
            if rows:
                session.execute(insert(PassageRow), rows)

    def get_fulltext(self, arxiv_id: str, version: int) -> tuple[FullText, list[list[str]]] | None:
        """The stored passages (reading order) and their terms, or None if never stored."""
        with self._reading() as session:
            head = session.get(FullTextRow, (arxiv_id, version))
            if head is None:
                return None
            rows = session.execute(
                select(PassageRow.position, PassageRow.section, PassageRow.text, PassageRow.terms)
                .filter_by(arxiv_id=arxiv_id, version=version)
                .order_by(PassageRow.position)
            ).all()
        if len(rows) != head.passage_count:
            return None  # a half-written text (should not happen in one transaction): refetch
        passages = tuple(Passage(position, section, text) for position, section, text, _ in rows)
        full = FullText(arxiv_id, version, head.source, passages, head.reason)
        return full, [list(terms) for *_, terms in rows]
