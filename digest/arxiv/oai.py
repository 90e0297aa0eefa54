"""arXiv's OAI-PMH interface: the announcements of past days, to catch up after downtime.

``<oai_url>?verb=ListRecords&metadataPrefix=arXivRaw&set=<set>&from=YYYY-MM-DD&until=YYYY-MM-DD``
(https://info.arxiv.org/help/oa/index.html; the protocol: openarchives.org OAI-PMH 2.0)
lists every record whose datestamp lies in [from, until], a page at a time: a page
ending in a non-empty ``<resumptionToken>`` continues at
``?verb=ListRecords&resumptionToken=<token>``; none matching is the error
``noRecordsMatch``. The listing shows only the latest announcement, so the harvest
uses this for the days it missed, one list per archive set whatever the topics.

``arXivRaw`` rather than ``arXiv``: only it names the versions (``<version
version="v2"><date>RFC 822</date>``), so a record says which version it is and when
each was submitted; it also carries ``<comments>``, ``<categories>`` (primary first,
space separated), ``<authors>`` as one string, ``<title>``, ``<abstract>``.

Datestamps are not announcement instants: a record's datestamp is its last change,
which for a paper announced on a given evening is the next day (UTC), after the nightly
update (~22:30 US Eastern); that is the date its listing carries
(``calendar.listing_date``). So a record stamped D belongs to the announcement listed
under D. Limits: a later change (a replacement, a journal reference) moves the stamp,
so a catch-up sees each paper as its latest version only (the harvest files one
first announced within the catch-up on v1's day); a stamp from an
administrative change is told apart by the latest version's date (``Record.submitted``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

from lxml import etree

from digest.arxiv.categories import arxiv_categories
from digest.models import Paper

OAI = "http://www.openarchives.org/OAI/2.0/"
RAW = "http://arxiv.org/OAI/arXivRaw/"
PREFIX = "arXivRaw"
# Archives that OAI-PMH files under the physics group ("physics:hep-th"); the others
# are sets of their own ("cs", "math", "q-bio", ...).
PHYSICS_ARCHIVES = frozenset(
    "astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th math-ph nlin nucl-ex nucl-th physics quant-ph".split()
)
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=True)
_AUTHORS = re.compile(r",\s*|\s+and\s+")


class OaiError(Exception):
    """OAI-PMH answered an error other than ``noRecordsMatch`` (``badArgument``,
    ``badResumptionToken``, ...): the request is wrong, retrying cannot help."""


class MalformedPage(Exception):
    """The answer is no whole OAI-PMH document (truncated, not XML)."""


@dataclass(frozen=True)
class Record:
    """One record of a ListRecords page: the paper as its latest version, and when."""

    paper: Paper
    datestamp: date  # the record's last change: the listing date of its announcement
    submitted: datetime  # UTC: the latest version's submission


@dataclass(frozen=True)
class Page:
    records: tuple[Record, ...]
    token: str | None  # the resumption token of the next page; None: the list is complete


def oai_set(archive: str) -> str:
    """The setSpec of an archive: ``cs`` -> ``cs``, ``hep-th`` -> ``physics:hep-th``."""
    return f"physics:{archive}" if archive in PHYSICS_ARCHIVES else archive


def list_records_url(base: str, *, set_spec: str | None, first: date, last: date) -> str:
    """The first ListRecords request for datestamps in [first, last] (all sets when None)."""
    params = {"verb": "ListRecords", "metadataPrefix": PREFIX}
    if set_spec:
        params["set"] = set_spec
    params |= {"from": first.isoformat(), "until": last.isoformat()}
    return f"{base}?{urlencode(params)}"


def resume_url(base: str, token: str) -> str:
    return f"{base}?{urlencode({'verb': 'ListRecords', 'resumptionToken': token})}"


def _text(element: etree._Element, tag: str) -> str:
    return " ".join((element.findtext(f"{{{RAW}}}{tag}") or "").split())


def _record(record: etree._Element) -> Record | None:
    """A record's paper; None for a deleted record or one naming no version."""
    header = record.find(f"{{{OAI}}}header")
    raw = record.find(f"{{{OAI}}}metadata/{{{RAW}}}arXivRaw")
    if header is None or header.get("status") == "deleted" or raw is None:
        return None
    versions: list[tuple[int, datetime]] = []
    for element in raw.iterfind(f"{{{RAW}}}version"):
        try:
            number = int((element.get("version") or "").lstrip("v"))
            when = parsedate_to_datetime(element.findtext(f"{{{RAW}}}date") or "")
        except (TypeError, ValueError):
            continue
        versions.append((number, when if when.tzinfo else when.replace(tzinfo=timezone.utc)))
    arxiv_id = _text(raw, "id")
    if not versions or not arxiv_id:
        return None
    versions.sort()
    (_, first), (latest, submitted) = versions[0], versions[-1]
    categories = arxiv_categories(_text(raw, "categories").split())
    paper = Paper(
        arxiv_id=arxiv_id,
        version=latest,
        title=_text(raw, "title"),
        authors=tuple(a for a in _AUTHORS.split(_text(raw, "authors")) if a),
        abstract=_text(raw, "abstract"),
        categories=categories,
        primary_category=categories[0] if categories else "",
        comment=_text(raw, "comments") or None,
        published=first.astimezone(timezone.utc),
        updated=submitted.astimezone(timezone.utc),
        abs_url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}v{latest}",
    )
    stamp = date.fromisoformat((header.findtext(f"{{{OAI}}}datestamp") or "")[:10])
    return Record(paper, stamp, submitted.astimezone(timezone.utc))


def parse_page(content: bytes) -> Page:
    """One ListRecords answer. ``noRecordsMatch`` is an empty, complete page.

    Raises ``MalformedPage`` (worth retrying) or ``OaiError`` (not).
    """
    try:
        root = etree.fromstring(content, _STRICT)
    except etree.XMLSyntaxError as exc:
        raise MalformedPage(f"malformed OAI-PMH page ({exc})") from None
    if root.tag != f"{{{OAI}}}OAI-PMH":
        raise MalformedPage(f"malformed OAI-PMH page (root <{etree.QName(root).localname}>)")
    for error in root.iterfind(f"{{{OAI}}}error"):
        if error.get("code") == "noRecordsMatch":
            return Page((), None)
        raise OaiError(f"OAI-PMH error {error.get('code')}: {' '.join((error.text or '').split())}")
    listed = root.find(f"{{{OAI}}}ListRecords")
    if listed is None:
        raise MalformedPage("malformed OAI-PMH page (no ListRecords)")
    records = []
    for element in listed.iterfind(f"{{{OAI}}}record"):
        try:
            record = _record(element)
        except ValueError:  # an unreadable datestamp: not a record we can place
            record = None
        if record is not None:
            records.append(record)
    token = (listed.findtext(f"{{{OAI}}}resumptionToken") or "").strip() or None
    return Page(tuple(records), token)
