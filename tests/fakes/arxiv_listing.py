"""The loopback arXiv RSS/Atom listing: ``GET /atom/<archive>[+<archive>...]``.

Serves what rss.arxiv.org serves at the scripted clock ``now``: the listing whose date
is today's US Eastern date (arXiv rebuilds it at midnight Eastern), the union of the
archives asked for, each paper once, typed new / cross / replace / replace-cross as
arXiv's Atom specification lays it out; an empty feed on weekends and holidays, and on
an unknown archive (as arXiv does).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from xml.sax.saxutils import escape

from digest.arxiv.calendar import EASTERN
from tests.fakes.arxiv_days import Day, FakePaper, ScriptedServer

ARCHIVES = frozenset(
    "cs econ eess math q-bio q-fin stat astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th "
    "math-ph nlin nucl-ex nucl-th physics quant-ph".split()
)


def atom_entry(paper: FakePaper, kind: str, published: str) -> str:
    versioned = f"{paper.arxiv_id}v{paper.version}"
    categories = "".join(f'\n    <category term="{c}"/>' for c in paper.categories)
    return f"""  <entry>
    <id>oai:arXiv.org:{versioned}</id>
    <title>{escape(paper.title)}</title>
    <updated>{published}</updated>
    <link href="https://arxiv.org/abs/{paper.arxiv_id}" rel="alternate" type="text/html"/>
    <summary>arXiv:{versioned} Announce Type: {kind} 
Abstract: {escape(paper.abstract)}</summary>{categories}
    <published>{published}</published>
    <arxiv:announce_type>{kind}</arxiv:announce_type>
    <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
    <dc:creator>{escape(", ".join(paper.authors))}</dc:creator>
  </entry>
"""


def atom_listing(name: str, entries: Sequence[str], generated: datetime) -> bytes:
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xml:lang="en-us">
  <id>http://rss.arxiv.org/atom/{name}</id>
  <title>{name} updates on arXiv.org</title>
  <updated>{generated.isoformat()}</updated>
  <link href="http://rss.arxiv.org/atom/{name}" rel="self" type="application/atom+xml"/>
  <subtitle>{name} updates on the arXiv.org e-print archive.</subtitle>
{"".join(entries)}</feed>
""".encode()


class ListingServer(ScriptedServer):
    name = "arxiv-listing"

    def today(self) -> Day | None:
        return self.days.get(self.now.astimezone(EASTERN).date())

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, bytes, str]:
        if not path.startswith("/atom/"):
            return 404, b"not found", "text/plain"
        name = path.removeprefix("/atom/")
        archives = {a.split(".")[0] for a in name.split("+")}
        day = self.today()
        entries: list[str] = []
        if day is not None and archives <= ARCHIVES:
            published = datetime.combine(day.listed_on, time(), EASTERN).isoformat()
            seen: set[str] = set()
            for paper in day.papers:
                kind = paper.announce_type(archives)
                if kind is not None and paper.arxiv_id not in seen:
                    seen.add(paper.arxiv_id)
                    entries.append(atom_entry(paper, kind, published))
        return 200, atom_listing(name, entries, self.now), "application/atom+xml; charset=utf-8"
