"""``build_site``: the static site from the store, rewriting only the pages that changed.

A page whose inputs are those of the last build (its fingerprint, ``plan.py``) and
whose file is there is not even rendered; any other page is rendered and compared, as
bytes, with the file there: an equal file is left alone (its modification time too, so
an rsync or a CDN upload sends only what changed), a different or missing one is
written through a temporary file and a rename (a reader never sees half a page). The
builder lists what it made, with the fingerprints, in ``.site-files``; a page it made
before and no longer makes is removed, and no other file in the folder is touched.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from digest.site.pages import Questions, Related, collect, no_questions, no_related
from digest.site.paths import safe_relative
from digest.site.plan import Page, site_pages
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
    counts = write_files(out, site_pages(editions, entries, related, questions, language, tz))
    return BuildReport(**counts, topics=len({e.topic for e in editions}), digests=len(editions), papers=len(entries))


def write_files(out: Path, pages: Iterable[Page]) -> dict[str, int]:
    """Write each page under ``out`` unless its file holds those bytes already, or its
    fingerprint is the one recorded for it and its file is there (then it is not even
    rendered); remove the files the last build listed and this one does not make."""
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    listed = root / MANIFEST
    before = _manifest(listed)
    written = unchanged = 0
    made: dict[str, str] = {}
    folders: set[Path] = set()  # made or seen this build: one mkdir per folder, not per file
    for page in pages:
        if not safe_relative(page.path):  # paths come from checked ids and slugs: a bug, not input
            raise ValueError(f"{page.path!r} would be written outside {root}")
        target = root / page.path
        made[page.path] = page.fingerprint or ""
        if page.fingerprint and before.get(page.path) == page.fingerprint and target.is_file():
            unchanged += 1
            continue
        data = page.render().encode("utf-8")
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                unchanged += 1
                continue
        except FileNotFoundError:
            pass
        _write(target, data, folders)
        written += 1
    removed = 0
    for old in before.keys() - made.keys():
        if safe_relative(old) and (root / old).is_file():
            (root / old).unlink()
            removed += 1
    manifest = "".join(f"{path}\t{key}\n" for path, key in sorted(made.items())).encode("utf-8")
    if not listed.exists() or listed.read_bytes() != manifest:
        _write(listed, manifest)
    return {"files": len(made), "written": written, "unchanged": unchanged, "removed": removed}


def _manifest(listed: Path) -> dict[str, str]:
    """The last build's files and fingerprints ("" for none), from ``.site-files``."""
    if not listed.exists():
        return {}
    rows = (line.partition("\t") for line in listed.read_text(encoding="utf-8").splitlines())
    return {path: key for path, _, key in rows if path}


def _write(target: Path, data: bytes, folders: set[Path] | None = None) -> None:
    """``data`` into ``target`` through a temporary file and a rename: a reader of the
    served site never sees half a page, nor does the next build after a crash."""
    if folders is None or target.parent not in folders:
        target.parent.mkdir(parents=True, exist_ok=True)
        if folders is not None:
            folders.add(target.parent)
    temporary = target.with_name(f".tmp-{target.name}")  # one build at a time writes a folder
    try:
        with open(temporary, "wb") as handle:  # the umask's mode, as any file the user makes
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
