"""``build_site``: the static site from the store, rewriting only the pages that changed.

Every page is rendered (a few milliseconds each) and compared, as bytes, with the file
already there: an equal file is left alone (its modification time too, so an rsync or
a CDN upload sends only what changed), a different or missing one is written through a
temporary file and a rename (a reader never sees half a page). The builder lists what it
wrote in ``.site-files``; a page it wrote before and no longer makes is removed, and no
other file in the folder is ever touched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from digest.site.pages import Questions, Related, collect, no_questions, no_related
from digest.site.render import all_pages
from digest.store import Store
from digest.store.site_reads import posted_runs, stored_papers

MANIFEST = ".site-files"


@dataclass(frozen=True)
class BuildReport:
    """What a build did: files of the site, and how many it wrote, left alone or removed."""

    files: int
    written: int  # new or changed
    unchanged: int
    removed: int  # made by an earlier build, no longer part of the site
    topics: int
    digests: int
    papers: int


def build_site(
    store: Store,
    out: Path,
    *,
    language: str = "ja",
    tz: str = "UTC",
    related: Related = no_related,
    questions: Questions = no_questions,
) -> BuildReport:
    """Build (or bring up to date) the site in ``out`` from every finished digest in the store.

    ``language``: the site's own words and which card a paper page shows when it has
    several; ``tz``: the zone of paper pages' dates (a digest page uses its digest's);
    ``related(arxiv_id)``: the papers shown under a paper, best first (default none);
    ``questions(arxiv_id)``: its published questions and answers (default none).
    Raises OSError when ``out`` cannot be written."""
    runs = posted_runs(store)
    papers = stored_papers(store, ((c.arxiv_id, c.version) for run in runs for c in run.cards))
    editions, entries = collect(runs, papers, language)
    counts = write_files(out, all_pages(editions, entries, related, questions, language, tz))
    return BuildReport(**counts, topics=len({e.topic for e in editions}), digests=len(editions), papers=len(entries))


def write_files(out: Path, files: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Write each (relative path, text) under ``out`` unless the file holds those bytes already;
    remove the files the last build listed and this one does not make."""
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    written = unchanged = 0
    made: list[str] = []
    for relative, text in files:
        target = (root / relative).resolve()
        if root not in target.parents:  # paths come from checked ids and slugs: a bug, not input
            raise ValueError(f"{relative!r} would be written outside {root}")
        data = text.encode("utf-8")
        made.append(relative)
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                unchanged += 1
                continue
        except FileNotFoundError:
            pass
        _write(target, data)
        written += 1
    removed = 0
    listed = root / MANIFEST
    if listed.exists():
        keep = set(made)
        for old in listed.read_text(encoding="utf-8").splitlines():
            target = (root / old).resolve()
            if old and old not in keep and root in target.parents and target.is_file():
                target.unlink()
                removed += 1
    manifest = ("\n".join(sorted(made)) + "\n").encode("utf-8")
    if not listed.exists() or listed.read_bytes() != manifest:
        _write(listed, manifest)
    return {"files": len(made), "written": written, "unchanged": unchanged, "removed": removed}


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)  # readable by the web server, as a plain file would be
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
