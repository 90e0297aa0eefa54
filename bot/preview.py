"""What a topic would have picked in the last week: the papers a digest of it would hold,
with their scores, without summarising, posting or recording anything.

Shared by ``/arxiv preview`` (``bot/preview_command.py``) and ``digest-bot preview``
(``bot/cli_preview.py``). The papers come from ``Engine.select``, the path every
digest plans from (``Deliverer.plan_many``): the harvested announcements when the store
holds the window, else arXiv's search (its answer cached as a digest's is), the same
matching and ranking; so the preview is what a digest would have had. Nothing is written
to the ledger (no run, no claim of a paper for a channel, no card).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.schedule import digest_window
from digest.engine import Engine
from digest.models import Window
from digest.arxiv.topics import to_query
from digest.text.ranking import Scored


@dataclass(frozen=True)
class Preview:
    topic: str
    search_terms: str | None  # the English terms searched instead of ``topic``; None: the topic itself
    query: str  # the arXiv query the topic (or its terms) became, without the window's dates
    window: Window
    picked: tuple[Scored, ...]  # best first, at most ``max_papers``
    matched: int  # the window's papers that matched: a digest's candidates
    missing: int  # results arXiv reported but never delivered
    max_papers: int


def last_week(now: datetime, tz: str) -> Window:
    """The 7 local days up to today in ``tz``: the window a first digest due now would cover
    (``bot.schedule.digest_window``)."""
    return digest_window(None, now.astimezone(ZoneInfo(tz)).date(), tz)


async def preview(
    engine: Engine, topic: str, window: Window, *, max_papers: int, search_terms: str | None = None
) -> Preview:
    """The ``max_papers`` best papers of ``topic`` in ``window`` as a digest would rank them
    (``search_terms``: searched and ranked by instead of the topic, as a subscription's).
    Raises ``digest.arxiv.source.ArxivUnavailable`` when arXiv cannot be reached, and
    ``TopicError`` for a topic arXiv cannot search (the callers check it first)."""
    searched = search_terms or topic
    query = to_query(searched)
    selection = await engine.select(topic, window, max_papers=None, search_terms=search_terms)
    return Preview(
        topic, search_terms, query, window, tuple(selection.ranked[:max_papers]), selection.candidates,
        selection.missing, max_papers,
    )  # fmt: skip
