"""The loopback arXiv OAI-PMH interface: ``GET /oai?verb=ListRecords`` in ``arXivRaw``.

As oaipmh.arxiv.org at the scripted clock ``now``: each paper once, as its latest
version announced by then, stamped with that day's listing date (a metadata edit
restamps a record without a new version); a day's records appear once its nightly
update ran (22:30 US Eastern on the announcement evening). ``set`` selects by any of
a record's categories (``cs``, ``physics:hep-th``), ``from``/``until`` by datestamp;
``page_size`` records a page, then a ``resumptionToken``; none matching is the error
``noRecordsMatch``, a bad argument or token ``badArgument`` / ``badResumptionToken``.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from digest.arxiv.calendar import instant_of_listing
from digest.arxiv.oai import oai_set
from tests.fakes.arxiv_days import Day, FakePaper, ScriptedServer

UPDATE_AFTER = timedelta(hours=2, minutes=30)  # the nightly OAI-PMH update after 20:00 Eastern


def raw_record(paper: FakePaper, stamp: date) -> str:
    first = paper.first_submitted or paper.submitted
    dates = [first + (paper.submitted - first) * k / max(paper.version - 1, 1) for k in range(paper.version)]
    versions = "".join(
        f'<version version="v{k + 1}"><date>{format_datetime(d, usegmt=True)}</date><size>512kb</size>'
        f"<source_type>D</source_type></version>"
        for k, d in enumerate(dates)
    )
    comment = f"<comments>{escape(paper.comment)}</comments>" if paper.comment else ""
    sets = "".join(f"<setSpec>{oai_set(a)}</setSpec>" for a in sorted(paper.archives()))
    return (
        f"<record><header><identifier>oai:arXiv.org:{paper.arxiv_id}</identifier>"
        f"<datestamp>{stamp.isoformat()}</datestamp>{sets}</header><metadata>"
        '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd">'
        f"<id>{paper.arxiv_id}</id><submitter>{escape(paper.authors[0])}</submitter>{versions}"
        f"<title>{escape(paper.title)}</title><authors>{escape(', '.join(paper.authors))}</authors>"
        f"<categories>{' '.join(paper.categories)}</categories>{comment}"
        "<license>http://creativecommons.org/licenses/by/4.0/</license>"
        f"<abstract>  {escape(paper.abstract)}\n</abstract></arXivRaw></metadata></record>"
    )


def envelope(now: datetime, request: str, body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
        f"<responseDate>{now.strftime('%Y-%m-%dT%H:%M:%SZ')}</responseDate>{request}{body}</OAI-PMH>\n"
    ).encode()


def error(code: str, text: str) -> str:
    return f'<error code="{code}">{escape(text)}</error>'


class OaiServer(ScriptedServer):
    name = "arxiv-oai"
    page_size = 1000

    @property
    def url(self) -> str:
        return f"{self.base}/oai"

    def records(self) -> list[tuple[FakePaper, date]]:
        """Each paper's latest state at ``now`` and its datestamp, by datestamp."""
        latest: dict[str, tuple[FakePaper, date]] = {}
        for listed_on in sorted(self.days):
            instant = instant_of_listing(listed_on)
            if instant is None or instant + UPDATE_AFTER > self.now:
                continue
            day: Day = self.days[listed_on]
            for paper in (*day.papers, *day.edited):
                latest[paper.arxiv_id] = (paper, listed_on)
        return sorted(latest.values(), key=lambda found: (found[1], found[0].arxiv_id))

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, bytes, str]:
        kind = "text/xml; charset=utf-8"
        if path != "/oai":
            return 404, b"not found", "text/plain"
        request = f'<request verb="ListRecords">{self.url}</request>'
        if params.get("verb") != "ListRecords":
            return 200, envelope(self.now, request, error("badVerb", "Illegal verb")), kind
        if "resumptionToken" in params:
            try:
                query = json.loads(base64.urlsafe_b64decode(params["resumptionToken"]))
            except ValueError:
                return 200, envelope(self.now, request, error("badResumptionToken", "Invalid token")), kind
        else:
            query = {k: params.get(k) for k in ("set", "from", "until")} | {"offset": 0}
            if params.get("metadataPrefix") != "arXivRaw":
                return 200, envelope(self.now, request, error("cannotDisseminateFormat", "arXivRaw only here")), kind
        try:
            first = date.fromisoformat(query["from"]) if query["from"] else date.min
            last = date.fromisoformat(query["until"]) if query["until"] else date.max
        except ValueError:
            return 200, envelope(self.now, request, error("badArgument", "Bad date")), kind
        matching = [
            raw_record(paper, stamp)
            for paper, stamp in self.records()
            if first <= stamp <= last and (not query["set"] or query["set"] in {oai_set(a) for a in paper.archives()})
        ]
        if not matching:
            return 200, envelope(self.now, request, error("noRecordsMatch", "No records match")), kind
        offset = query["offset"]
        page = matching[offset : offset + self.page_size]
        rest = offset + self.page_size < len(matching)
        token = base64.urlsafe_b64encode(json.dumps(query | {"offset": offset + self.page_size}).encode()).decode()
        resumption = (
            f'<resumptionToken cursor="{offset}" completeListSize="{len(matching)}">{token if rest else ""}</resumptionToken>'
        )
        return 200, envelope(self.now, request, f"<ListRecords>{''.join(page)}{resumption}</ListRecords>"), kind
