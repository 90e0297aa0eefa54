"""Every file of the site, each with a fingerprint of what it is made from.

A page's fingerprint is the sha256 of its inputs (the paper, the card, the digests it
lists, its related papers and questions, the language and zone) and of the code that
renders it (the templates and the rendering modules' sources). ``build.write_files``
renders a page only when its fingerprint differs from the one recorded at the last
build, or its file is gone: a rebuild after one new digest renders its few pages, not
the whole site. Pages that list everything (the index, a topic's page) have none and
are always rendered (they are few), then compared as bytes like every page.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from digest.site.pages import Edition, PaperEntry, Questions, Related
from digest.site.paths import paper_path
from digest.site.render import digest_page, digest_post, edition_title, index_page, paper_page, stylesheet, topic_page

_DIGEST = Path(__file__).resolve().parents[1]
# The code a page's bytes depend on besides its inputs: a change to any rerenders everything.
_CODE = ("site/*.py", "site/templates/*", "cards/view.py", "cards/render.py", "i18n.py", "text/textfit.py")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> bytes:
    digest = hashlib.sha256()
    for pattern in _CODE:
        for path in sorted(_DIGEST.glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _fingerprint(*inputs: object) -> str:
    return hashlib.sha256(code_fingerprint() + repr(inputs).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Page:
    """One file of the site: where, how to make its text, and from what (None: always made)."""

    path: str  # relative to the site's root
    render: Callable[[], str]
    fingerprint: str | None = None


def site_pages(
    editions: Sequence[Edition],
    entries: Mapping[str, PaperEntry],
    related: Related,
    questions: Questions,
    language: str,
    tz: str,
) -> Iterator[Page]:
    """Every file of the site, the index first."""
    yield Page("style.css", stylesheet)
    yield Page("index.html", lambda: index_page(editions, language))
    by_topic: dict[str, list[Edition]] = {}
    for edition in editions:
        by_topic.setdefault(edition.topic, []).append(edition)
    for topic, held in by_topic.items():
        yield Page(held[0].topic_path, functools.partial(lambda t, h: topic_page(t, h, language)[1], topic, held))
    for edition in editions:
        linked = tuple(card.paper.arxiv_id in entries for card in edition.cards)  # which cards link a paper page
        inputs = (edition.topic, edition.language, edition.window, edition.cards, linked)
        yield Page(edition.path, functools.partial(digest_page, edition, entries), _fingerprint("digest", *inputs))
        yield Page(f"{edition.folder}/index.md", functools.partial(digest_post, edition), _fingerprint("post", *inputs))
    for arxiv_id, entry in entries.items():
        near, asked = tuple(related(arxiv_id)), tuple(questions(arxiv_id))
        on_site = tuple(r.arxiv_id in entries for r in near)  # linked here or to arXiv
        listed = tuple((e.path, edition_title(e)) for e in entry.editions)
        inputs = (entry.paper, entry.card, entry.topic, entry.announced_at, listed, near, on_site, asked, language, tz)
        yield Page(paper_path(arxiv_id), functools.partial(_paper, entry, near, asked, entries, language, tz),
                   _fingerprint("paper", *inputs))  # fmt: skip


def _paper(entry: PaperEntry, near: Sequence, asked: Sequence, entries: Mapping[str, PaperEntry], language: str, tz: str) -> str:
    return paper_page(entry, near, asked, entries, language, tz)[1]
