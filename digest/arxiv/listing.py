"""arXiv's daily RSS/Atom listing: the latest announcement of some archives, in one request.

``<listing_url>/atom/<archive>[+<archive>...]`` (https://info.arxiv.org/help/rss.html)
answers the latest announcement of the union of the archives named, up to 2,000 items
(``LISTING_LIMIT``), regenerated daily at midnight US Eastern and empty on Saturday,
Sunday and arXiv's holidays. The harvest uses it for the latest announcement because
one request serves every topic. Each ``<entry>`` (https://info.arxiv.org/help/atom_specifications.html):

- ``<id>oai:arXiv.org:2203.01250v3</id>``: the id with its version;
- ``<summary>arXiv:2203.01250v3 Announce Type: replace-cross \\nAbstract: ...</summary>``;
- ``<arxiv:announce_type>``: new, cross, replace or replace-cross;
- ``<category term=...>``: the paper's categories, its primary first;
- ``<published>2024-08-23T00:00:00-04:00</published>``: the listing (announcement) date;
- ``<dc:creator>A. One, B. Two</dc:creator>``: the authors, comma separated.

It carries no comment and no submission times: a listed ``Paper`` has ``comment`` None
and ``published``/``updated`` at the listing's date (00:00 US Eastern, as UTC).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone

from lxml import etree

from digest.arxiv.categories import arxiv_categories
from digest.models import Paper

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
DC = "http://purl.org/dc/elements/1.1/"
LISTING_LIMIT = 2000  # items arXiv lists at most for a multi-archive feed: a full one may be cut
ANNOUNCE_TYPES = frozenset({"new", "cross", "replace", "replace-cross"})
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
_ENTRY_ID = re.compile(r"^oai:arXiv\.org:(?P<id>.+?)v(?P<version>\d+)$")
_SUMMARY = re.compile(r"^arXiv:\S+\s+Announce Type:\s*(?P<type>\S+)\s*(?:Abstract:\s*)?(?P<abstract>.*)$", re.S)
_AUTHORS = re.compile(r",\s*|\s+and\s+")


class MalformedListing(Exception):
    """The answer is no whole Atom listing (truncated, not XML, another root)."""


@dataclass(frozen=True)
class Listed:
    """One item of a listing: a paper version and how this announcement lists it."""

    paper: Paper
    announce_type: str  # "new" | "cross" | "replace" | "replace-cross"


@dataclass(frozen=True)
class Listing:
    """One listing document: the date its items carry (None: no items) and the items."""

    listed_on: date | None
    items: tuple[Listed, ...]
    generated: datetime | None = None  # the feed's <updated>: when arXiv built it

    @property
    def full(self) -> bool:
        """True when it holds as many items as arXiv lists at most: maybe not all of them."""
        return len(self.items) >= LISTING_LIMIT


def listing_url(base: str, archives: Iterable[str]) -> str:
    """The Atom listing of the union of ``archives`` (sorted, so the same set is one URL)."""
    names = sorted(set(archives))
    if not names:
        raise ValueError("a listing needs at least one archive")
    return f"{base.rstrip('/')}/atom/{'+'.join(names)}"


def _text(element: etree._Element, tag: str) -> str:
    return " ".join((element.findtext(tag) or "").split())


def _aware(stamp: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(stamp.strip())
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _entry(entry: etree._Element) -> tuple[Listed, date] | None:
    """An entry as a listed paper and its listing date; None when it names no paper version."""
    match = _ENTRY_ID.match((entry.findtext(f"{{{ATOM}}}id") or "").strip())
    published = _aware(entry.findtext(f"{{{ATOM}}}published") or "")
    if match is None or published is None:
        return None
    summary = _SUMMARY.match((entry.findtext(f"{{{ATOM}}}summary") or "").strip())
    kind = _text(entry, f"{{{ARXIV}}}announce_type") or (summary.group("type") if summary else "")
    if kind not in ANNOUNCE_TYPES:
        return None
    abstract = summary.group("abstract") if summary else entry.findtext(f"{{{ATOM}}}summary") or ""
    categories = arxiv_categories(c.get("term", "") for c in entry.iterfind(f"{{{ATOM}}}category"))
    link = next((a.get("href", "") for a in entry.iterfind(f"{{{ATOM}}}link") if a.get("rel") == "alternate"), "")
    arxiv_id, version = match.group("id"), int(match.group("version"))
    abs_url = link or f"https://arxiv.org/abs/{arxiv_id}"
    at = published.astimezone(timezone.utc)
    paper = Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=_text(entry, f"{{{ATOM}}}title"),
        authors=tuple(a for a in _AUTHORS.split(_text(entry, f"{{{DC}}}creator")) if a),
        abstract=" ".join(abstract.split()),
        categories=categories,
        primary_category=categories[0] if categories else "",
        comment=None,
        published=at,
        updated=at,
        abs_url=abs_url,
        pdf_url=abs_url.replace("/abs/", "/pdf/", 1) + f"v{version}",
    )
    return Listed(paper, kind), published.date()


def parse_listing(content: bytes) -> Listing:
    """The listing in an Atom document. Raises ``MalformedListing``.

    Entries without a versioned id, a date or a known announce type are left out.
    """
    try:
        root = etree.fromstring(content, _STRICT)
    except etree.XMLSyntaxError as exc:
        raise MalformedListing(f"malformed listing ({exc})") from None
    if root.tag != f"{{{ATOM}}}feed":
        raise MalformedListing(f"malformed listing (root <{etree.QName(root).localname}>)")
    parsed = [p for e in root.iterfind(f"{{{ATOM}}}entry") if (p := _entry(e)) is not None]
    listed_on = max((day for _, day in parsed), default=None)
    generated = _aware(root.findtext(f"{{{ATOM}}}updated") or "")
    return Listing(listed_on, tuple(item for item, _ in parsed), generated)
