"""arXiv's Atom feed: one API page checked strictly, and its entries as ``Paper``s.

The ``arxiv`` package parses the Atom; this adds what its recovering parser hides: a
truncated or foreign document and arXiv's error entry are told apart from a page of
results, so the client retries or reports them instead of returning fewer papers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import timezone

import arxiv
from arxiv import _feed
from lxml import etree

from digest.arxiv.categories import arxiv_categories, is_arxiv_category
from digest.models import Paper

log = logging.getLogger(__name__)

_ATOM = "{http://www.w3.org/2005/Atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
# Strict, unlike the arxiv package's recovering parser: a truncated page must be
# retried, not turned into a shorter list of papers.
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
_ENTRY_ID = re.compile(r"^(?P<base>https?://[^/]+/abs/(?P<id>.+?))(?:v(?P<version>\d+))?$")


class MalformedFeed(Exception):
    """The document is not a whole Atom feed of API results (truncated, not XML, no
    ``totalResults``): the same request may well answer properly next time."""


class ErrorEntry(Exception):
    """arXiv answered with its error entry (a query it refuses); the message is its text."""


def parse_page(content: bytes) -> _feed.ParsedFeed:
    """One page of API results, parsed by the arxiv package once it passed the strict checks.

    Raises ``MalformedFeed`` or ``ErrorEntry``.
    """
    try:
        root = etree.fromstring(content, _STRICT)
    except etree.XMLSyntaxError as exc:
        raise MalformedFeed(f"malformed feed ({exc})") from None
    if root.tag != f"{_ATOM}feed" or root.find(f"{_OPENSEARCH}totalResults") is None:
        raise MalformedFeed(f"malformed feed (root <{etree.QName(root).localname}>, no totalResults)")
    if text := _error_entry(root):
        raise ErrorEntry(text)
    return _feed.parse(content)


def error_text(content: bytes) -> str | None:
    """The text of arXiv's error entry in a response body (a 400's), if it holds one."""
    try:
        return _error_entry(etree.fromstring(content, _STRICT))
    except etree.XMLSyntaxError:
        return None


def _error_entry(root: etree._Element) -> str | None:
    """The text of arXiv's error entry (id http://arxiv.org/api/errors#...), if any."""
    for entry in root.iterfind(f"{_ATOM}entry"):
        if "/api/errors" in (entry.findtext(f"{_ATOM}id") or ""):
            return " ".join((entry.findtext(f"{_ATOM}summary") or "unspecified error").split())
    return None


def _to_paper(result: arxiv.Result) -> Paper | None:
    """The Paper of one entry; None (logged) when its id is no arXiv abstract URL."""
    match = _ENTRY_ID.match(result.entry_id.strip())
    if match is None:
        log.warning("skipping an entry with an unexpected id: %r", result.entry_id)
        return None
    comment = " ".join((result.comment or "").split()) or None
    # Only arXiv's own categories: every renderer and the LLM prompt show these.
    categories = arxiv_categories(result.categories)
    primary = (result.primary_category or "").strip()
    if not is_arxiv_category(primary):
        primary = categories[0] if categories else ""
    return Paper(
        arxiv_id=match.group("id"),
        version=int(match.group("version") or 1),
        title=" ".join(result.title.split()),
        authors=tuple(a.name for a in result.authors),
        abstract=" ".join(result.summary.split()),
        categories=categories,
        primary_category=primary,
        comment=comment,
        published=result.published.astimezone(timezone.utc),
        updated=result.updated.astimezone(timezone.utc),
        abs_url=match.group("base"),
        pdf_url=result.pdf_url,
    )


def _dedupe(papers: Iterable[Paper]) -> list[Paper]:
    """One paper per id, its highest version, at the rank of its first appearance."""
    best: dict[str, Paper] = {}
    for paper in papers:
        seen = best.get(paper.arxiv_id)
        if seen is None or paper.version > seen.version:
            best[paper.arxiv_id] = paper  # replacing a key keeps its position
    return list(best.values())


def to_papers(results: Iterable[arxiv.Result]) -> list[Paper]:
    """The papers of the arxiv package's results, in order, deduplicated (see ``_dedupe``)."""
    return _dedupe(p for p in map(_to_paper, results) if p is not None)


def papers_from_feed(content: bytes) -> list[Paper]:
    """The papers of one arXiv Atom document (a saved answer, a bundled sample)."""
    return to_papers(_feed.parse(content).results)
