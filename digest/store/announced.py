"""arXiv's announcements as harvested (digest/arxiv/harvest.py): each paper version once.

A mixin of ``Store`` (it uses the store's ``_reading``/``_writing`` transactions). One
row per paper version in ``announced_papers``, whichever listing brought it first: the
same version cross-listed into another archive, or harvested again, adds nothing. One
row per scheduled announcement in ``announcements``, ``papers == 0`` when none came (a
holiday), so a catch-up never asks arXiv about it again, with the archives it was
harvested for (``archives``: "cs,math", NULL all, "" none known), widened when a later
harvest fetches it for more.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, select, tuple_, update

from digest.models import Announced, Announcement, Paper
from digest.store.ledger_rows import dialect_insert, now
from digest.store.tables import AnnouncedPaperRow, AnnouncementRow

SOURCES = ("listing", "oai")
ANNOUNCE_TYPES = ("new", "replace", "cross", "replace-cross")  # a paper's own archive first
_PAPER_FIELDS = (
    "arxiv_id", "version", "title", "authors", "abstract", "categories", "primary_category",
    "comment", "published", "updated", "abs_url", "pdf_url",
)


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be tz-aware (UTC), got naive {value!r}")
    return value.astimezone(timezone.utc)


def _row(item: Announced, at: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {field: getattr(item.paper, field) for field in _PAPER_FIELDS}
    row["authors"], row["categories"] = list(item.paper.authors), list(item.paper.categories)
    row["published"] = _utc(item.paper.published, "Paper.published")
    row["updated"] = _utc(item.paper.updated, "Paper.updated")
    return {**row, "announced_at": at, "announce_type": item.announce_type, "withdrawn": item.withdrawn}


def _announced(row: AnnouncedPaperRow) -> Announced:
    fields = {field: getattr(row, field) for field in _PAPER_FIELDS}
    fields["authors"], fields["categories"] = tuple(row.authors), tuple(row.categories)
    return Announced(Paper(**fields), row.announced_at, row.announce_type, row.withdrawn)


def archives_text(archives: Collection[str] | None) -> str | None:
    """A set of archives as the column holds it: sorted, comma-separated; None (all) as NULL."""
    return None if archives is None else ",".join(sorted(set(archives)))


def archives_of(text: str | None) -> frozenset[str] | None:
    """The column's archives back as a set; NULL: None (all)."""
    return None if text is None else frozenset(a for a in text.split(",") if a)


def _announcement(row: AnnouncementRow) -> Announcement:
    return Announcement(
        row.announced_at, row.listed_on, row.papers, row.source, row.harvested_at, archives_of(row.archives)
    )


class AnnouncedMixin:
    _reading: Any
    _writing: Any
    _dialect: str

    def add_announcements(
        self, announced_at: datetime, papers: Sequence[Announced], source: str,
        archives: Collection[str] | None = None,
    ) -> int:
        """Record the announcement at ``announced_at`` and the paper versions it listed
        from ``archives`` (``{"cs", "math"}``; None: all of them).

        Returns how many paper versions were new to the store. Idempotent: a version
        stored before (by this announcement, another one, or a cross-list) is kept as
        it is, and an announcement recorded before keeps its row, its archives widened
        by ``archives`` and its count by the versions it had not listed. Where one call lists a
        version twice, its own archive's listing ("new", "replace") wins over a
        cross-list. ``papers == []`` records that no announcement came. Raises
        ValueError for a naive instant, an unknown ``source`` or announce type, or a
        paper announced at another instant.
        """
        at = _utc(announced_at, "announced_at")
        if source not in SOURCES:
            raise ValueError(f"source {source!r}: must be one of {', '.join(SOURCES)}")
        best: dict[tuple[str, int], Announced] = {}
        for item in papers:
            if item.announce_type not in ANNOUNCE_TYPES:
                raise ValueError(f"announce type {item.announce_type!r} of {item.paper.versioned_id}")
            if _utc(item.announced_at, "Announced.announced_at") != at:
                raise ValueError(f"{item.paper.versioned_id} was announced at {item.announced_at}, not {at}")
            key = (item.paper.arxiv_id, item.paper.version)
            seen = best.get(key)
            if seen is None or ANNOUNCE_TYPES.index(item.announce_type) < ANNOUNCE_TYPES.index(seen.announce_type):
                best[key] = item
        insert = dialect_insert(self._dialect)
        # Its listing date: the instant's UTC date (``digest.arxiv.calendar.listing_date``),
        # taken here so that the store calls into no stage (a tick reads through fewer units).
        listed_on = at.date()
        with self._writing() as session:
            stored: dict[tuple[str, int], datetime] = {}  # version -> the announcement it is stored under
            keys = list(best)
            for i in range(0, len(keys), 500):  # bounded IN lists: SQLite's variable limit
                chunk = keys[i : i + 500]
                found = select(AnnouncedPaperRow.arxiv_id, AnnouncedPaperRow.version, AnnouncedPaperRow.announced_at).where(
                    tuple_(AnnouncedPaperRow.arxiv_id, AnnouncedPaperRow.version).in_(chunk)
                )
                stored.update(((arxiv_id, version), when) for arxiv_id, version, when in session.execute(found))
            rows = [_row(item, at) for key, item in best.items() if key not in stored]
            if rows:
                session.execute(insert(AnnouncedPaperRow).on_conflict_do_nothing(), rows)
            recorded = session.scalars(select(AnnouncementRow).where(AnnouncementRow.announced_at == at)).first()
            if recorded is None:
                session.execute(
                    insert(AnnouncementRow).on_conflict_do_nothing(),
                    [{"announced_at": at, "listed_on": listed_on, "papers": len(best), "source": source,
                      "harvested_at": now(), "archives": archives_text(archives)}],
                )
            elif (had := archives_of(recorded.archives)) is not None and (archives is None or not had >= set(archives)):
                recorded.archives = archives_text(None if archives is None else had | set(archives))
                recorded.papers += sum(1 for key in best if stored.get(key) != at)  # not listed by it before
        return len(rows)

    def update_announced_papers(self, papers: Sequence[Paper]) -> int:
        """Set the comment and submission dates (``published``: v1's, ``updated``: this
        version's, tz-aware) of the stored rows of these paper versions, matched by
        (arxiv_id, version); versions not stored are left out. Returns the rows updated.
        Raises ValueError for a naive date."""
        table = AnnouncedPaperRow.__table__
        values = [
            {"b_id": p.arxiv_id, "b_version": p.version, "b_comment": p.comment,
             "b_published": _utc(p.published, "Paper.published"), "b_updated": _utc(p.updated, "Paper.updated")}
            for p in papers
        ]
        if not values:
            return 0
        statement = (
            update(table)
            .where(table.c.arxiv_id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(comment=bindparam("b_comment"), published=bindparam("b_published"), updated=bindparam("b_updated"))
        )
        with self._writing() as session:
            return session.connection().execute(statement, values).rowcount

    def announced_between(self, start: datetime, end: datetime) -> list[Announced]:
        """The paper versions announced in (start, end], by announcement, then id and version."""
        start, end = _utc(start, "start"), _utc(end, "end")
        with self._reading() as session:
            rows = session.scalars(
                select(AnnouncedPaperRow)
                .where(AnnouncedPaperRow.announced_at > start, AnnouncedPaperRow.announced_at <= end)
                .order_by(AnnouncedPaperRow.announced_at, AnnouncedPaperRow.arxiv_id, AnnouncedPaperRow.version)
            ).all()
        return [_announced(row) for row in rows]

    def announcements_between(self, start: datetime, end: datetime) -> list[Announcement]:
        """The announcements recorded in (start, end], oldest first (``papers == 0``: none came)."""
        start, end = _utc(start, "start"), _utc(end, "end")
        with self._reading() as session:
            rows = session.scalars(
                select(AnnouncementRow)
                .where(AnnouncementRow.announced_at > start, AnnouncementRow.announced_at <= end)
                .order_by(AnnouncementRow.announced_at)
            ).all()
        return [_announcement(row) for row in rows]

    def last_announcement(self) -> Announcement | None:
        """The latest announcement recorded (it may be one that never came), or None."""
        with self._reading() as session:
            row = session.scalars(select(AnnouncementRow).order_by(AnnouncementRow.announced_at.desc()).limit(1)).first()
        return None if row is None else _announcement(row)
