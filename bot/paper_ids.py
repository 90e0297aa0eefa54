"""arXiv paper ids as people paste them: ``2404.14361``, ``2404.14361v2``, ``arXiv:...``,
``math/0211159``, abs/pdf/html links (https://info.arxiv.org/help/arxiv_identifier.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.command_errors import CommandError


@dataclass(frozen=True)
class PaperCmd:
    arxiv_id: str  # without version: "2404.14361" or "math/0211159"
    version: int | None = None


_NEW_ID = re.compile(r"(?P<id>[0-9]{2}(?:0[1-9]|1[0-2])\.[0-9]{4,5})(?:v(?P<v>[1-9][0-9]*))?")
_OLD_ID = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[a-z]{2})?/(?P<num>[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{3})"
    r"(?:v(?P<v>[1-9][0-9]*))?"
)
_URL = re.compile(r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>.+?)(?:\.pdf)?/?(?:[?#].*)?")


def parse_paper(word: str) -> PaperCmd:
    """An arXiv id or abs/pdf/html link -> ``PaperCmd``; raises ``CommandError``."""
    text = word.strip()
    if text.startswith("<") and text.endswith(">"):  # a link as chat apps wrap it: <url|label>
        text = text[1:-1].split("|", 1)[0]
    if match := _URL.fullmatch(text):
        text = match.group("rest")
    text = re.sub(r"(?i)^arxiv:", "", text)
    if match := _NEW_ID.fullmatch(text):
        arxiv_id = match.group("id")
        # Four digits after the dot until 2014, five from 2015 (1501) on.
        if (arxiv_id[:4] >= "1501") == (len(arxiv_id) == 10):
            return PaperCmd(arxiv_id, int(match.group("v")) if match.group("v") else None)
    elif match := _OLD_ID.fullmatch(text.lower()):
        # The subject class (math.GT/...) is not part of the id arXiv's API uses.
        arxiv_id = f"{match.group('archive')}/{match.group('num')}"
        return PaperCmd(arxiv_id, int(match.group("v")) if match.group("v") else None)
    raise CommandError("bad_paper", value=word)
