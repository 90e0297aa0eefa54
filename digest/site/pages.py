"""The site's content, gathered from what the store kept of posted digests (pure).

A *digest* on the site is an edition: one topic, language and window. Several channels
subscribed to one topic each have a run of it; their cards are gathered into one
edition (a card once, by relevance; a channel that held a paper already got the next
ranked one, so the edition can hold a few more cards than one channel saw). A paper has
one page whatever digests it was in: its card in the site's language when there is one,
else its newest card.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from digest.cards.view import one_line
from digest.models import PAPER_TOPIC, Card, Paper, Window
from digest.related import RelatedPaper  # the one type: digest/related's answer is what a page shows
from digest.site.paths import edition_dir, topic_path, valid_id
from digest.store.site_reads import PostedRun, StoredPaper

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishedAnswer:
    """A question asked in a card's thread and the bot's answer, for a channel that
    publishes them: never who asked."""

    question: str
    answer: str
    citations: tuple[str, ...] = ()  # section labels: "§4.2"


Related = Callable[[str], Sequence[RelatedPaper]]  # arXiv id (no version) -> best first
Questions = Callable[[str], Sequence[PublishedAnswer]]  # arXiv id (no version) -> oldest first


def no_related(arxiv_id: str) -> Sequence[RelatedPaper]:
    return ()


def no_questions(arxiv_id: str) -> Sequence[PublishedAnswer]:
    return ()


@dataclass(frozen=True)
class Edition:
    """One digest page: its cards best first, ranks counted anew."""

    topic: str  # one line
    language: str
    window: Window
    cards: tuple[Card, ...]
    candidates: int  # the most any of its runs had
    finished_at: datetime  # its latest run's ending

    @property
    def folder(self) -> str:
        return edition_dir(self.topic, self.window.start, self.window.end, self.language)

    @property
    def path(self) -> str:
        return f"{self.folder}/index.html"

    @property
    def topic_path(self) -> str:
        return topic_path(self.topic)


@dataclass(frozen=True)
class PaperEntry:
    """One paper page: the card shown, the topic it was posted under, and every digest it was in."""

    paper: Paper  # the version of the card shown
    card: Card
    topic: str  # the shown card's digest topic; PAPER_TOPIC for /arxiv paper
    announced_at: datetime | None  # when arXiv announced that version; None: not harvested
    editions: tuple[Edition, ...]  # newest first


def collect(
    runs: Sequence[PostedRun], papers: Mapping[tuple[str, int], StoredPaper], language: str
) -> tuple[list[Edition], dict[str, PaperEntry]]:
    """Editions (newest window first) and paper entries by arXiv id, from the runs and papers."""
    grouped: dict[tuple[str, str, Window], list[PostedRun]] = {}
    for run in runs:
        if run.topic != PAPER_TOPIC:
            grouped.setdefault((one_line(run.topic), run.language, run.window), []).append(run)
    editions = [_edition(key, members, papers) for key, members in grouped.items()]
    editions = [e for e in editions if e.cards]
    editions.sort(key=lambda e: (e.window.end, e.window.start, e.topic, e.language), reverse=True)
    in_editions: dict[str, list[Edition]] = {}
    for edition in editions:
        for card in edition.cards:
            in_editions.setdefault(card.paper.arxiv_id, []).append(edition)
    # The card shown: the site's language first, then the newest run's.
    shown: dict[str, tuple[tuple[bool, datetime], Card, str, StoredPaper]] = {}
    for run in runs:
        for posted in run.cards:
            stored = papers.get((posted.arxiv_id, posted.version))
            if stored is None or not valid_id(posted.arxiv_id):
                continue
            rank = (posted.text.language == language, run.finished_at)
            held = shown.get(posted.arxiv_id)
            if held is None or rank >= held[0]:
                card = Card(stored.paper, posted.text, posted.position, posted.score)
                shown[posted.arxiv_id] = (rank, card, one_line(run.topic), stored)
    entries = {
        arxiv_id: PaperEntry(stored.paper, card, topic, stored.announced_at, tuple(in_editions.get(arxiv_id, ())))
        for arxiv_id, (_, card, topic, stored) in sorted(shown.items())
    }
    return editions, entries


def _edition(
    key: tuple[str, str, Window], members: list[PostedRun], papers: Mapping[tuple[str, int], StoredPaper]
) -> Edition:
    topic, language, window = key
    best: dict[str, tuple[float, int, Card]] = {}
    for order, run in enumerate(members):
        for posted in run.cards:
            stored = papers.get((posted.arxiv_id, posted.version))
            if stored is None or not valid_id(posted.arxiv_id):
                log.warning("run %s: paper %sv%d is not in the store (or no arXiv id): left off the site",
                            run.key, posted.arxiv_id, posted.version)  # fmt: skip
                continue
            if posted.arxiv_id not in best or posted.score > best[posted.arxiv_id][0]:
                best[posted.arxiv_id] = (posted.score, order * 10_000 + posted.position,
                                         Card(stored.paper, posted.text, posted.position, posted.score))  # fmt: skip
    ordered = sorted(best.values(), key=lambda held: (-held[0], held[1]))
    cards = tuple(Card(c.paper, c.text, rank, c.score) for rank, (_, _, c) in enumerate(ordered, start=1))
    return Edition(topic, language, window, cards, max(r.candidates for r in members),
                   max(r.finished_at for r in members))  # fmt: skip
