"""What a card and a digest header show, computed once for every renderer (pure).

``card_view`` and ``header_view`` decide *what* is shown: which parts a paper has, in
which order, as one-line text, with labels in the reader's language and the date in the
reader's time zone. Each renderer only decides *how*: ``digest/cards/render.py``
(Markdown), ``bot/slack/blocks.py`` (Block Kit), ``bot/discord/embeds.py`` (embeds) map
a view to their format with their own escaping, links and length limits. Everything
here is raw text: unescaped and unshortened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from digest.i18n import LABELS, announced_text, count_text, label
from digest.models import Card, Digest
from digest.text.textfit import Escape, no_escape, shorten_authors


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines too) as one space, trimmed."""
    return " ".join(text.split())


def posted(when: datetime, tz: str) -> str:
    """A paper's date as the reader's clock shows it: ``"2024-04-22 17:15 UTC"``."""
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


@dataclass(frozen=True)
class Detail:
    """A labelled value of a card, e.g. ``Topic: synthetic data``."""

    key: str  # the label's key: "topic", "categories", "posted", "relevance" or "comment"
    name: str  # the label in the reader's language
    value: str
    free_text: bool = True  # from the paper or a reader; False: a date or a number made here


@dataclass(frozen=True)
class CardView:
    """One paper card's parts in the order every renderer shows them; "" or () where absent."""

    title: str  # one line; the versioned id when arXiv gives none (withdrawn entries)
    url: str  # the abstract page as arXiv gives it: each renderer judges if it is a safe link
    arxiv_id: str  # versioned: "2404.14361v1"
    headline: str  # one line
    authors: tuple[str, ...]  # one line each, blanks dropped; all of them (see ``authors_line``)
    et_al: str  # what stands for the authors left out, in the reader's language
    bullets: tuple[str, ...]  # one line each, blanks dropped
    comment: str  # the summariser's reaction, stripped (it may hold newlines)
    note: str  # how an extractive card was made, in the reader's language; "" for LLM cards
    arxiv_comment: Detail | None  # arXiv's own comment field ("12 pages"), one line
    details: tuple[Detail, ...]  # topic, categories, posted, relevance: those the card has
    # The paper's page on the site (label "Paper page", value its URL), when a site URL is set.
    page: Detail | None = None

    def authors_line(self, limit: int, escape: Escape = no_escape) -> str:
        """``"A, B, et al. (+297)"``: as many authors as fit in ``limit`` characters once escaped."""
        return shorten_authors(self.authors, limit, et_al=self.et_al, escape=escape)


@dataclass(frozen=True)
class HeaderView:
    """A digest's opening message: topic and window, how many papers, the week at a glance, any notes."""

    language: str
    topic: str  # one line
    start: str  # the window's first day, ISO date
    end: str  # its last day, ISO date
    count: str  # "8 of 40 papers (3 more already posted in this channel)"
    notes: tuple[str, ...]  # one line each, blanks dropped
    no_papers: str  # the sentence saying the window had no new papers; "" when it had some
    # "Announcements of Mon 23 Nov – Fri 27 Nov": the arXiv announcements it covers; ""
    # for a digest from the per-topic search (its window's dates say it all).
    days: str = ""
    # The week at a glance (``digest/cards/overview.py``), one line each; the first stands
    # alone: renderers put it where a notification shows it. () when the digest has none.
    overview: tuple[str, ...] = ()

    def intro(self, topic: str | None = None) -> str:
        """``"Papers on <topic> (<start> ~ <end>)"`` in the reader's language.

        ``topic``: the topic as the renderer escaped or shortened it (default: as is).
        """
        topic = self.topic if topic is None else topic
        return label(self.language, "intro", topic=topic, start=self.start, end=self.end)


def page_url(site_url: str | None, arxiv_id: str) -> str | None:
    """The paper's page under the site's public base URL (``digest.site.paper_url``);
    None without a site URL or for an id that is no arXiv id (it has no page)."""
    from digest.site.paths import paper_url, valid_id  # here: digest.site imports this module

    return paper_url(site_url, arxiv_id) if site_url and valid_id(arxiv_id) else None


def card_view(card: Card, topic: str, language: str, tz: str, site_url: str | None = None) -> CardView:
    """The view of ``card`` posted under ``topic`` ("" for a single-paper card, which has
    no topic and no relevance to one), labelled in ``language``, dated in zone ``tz``;
    ``site_url``: the site's public base URL, for the link to the paper's page (None: none)."""
    paper, text = card.paper, card.text
    note = ""
    if text.extractive:  # "extractive" or "extractive:<reason>"
        note = label(language, text.summarizer if text.summarizer in LABELS else "extractive")
    arxiv_comment = one_line(paper.comment or "")
    details = [Detail("topic", label(language, "topic"), one_line(topic))] if topic.strip() else []
    if categories := ", ".join(c for c in paper.categories if c.strip()):
        details.append(Detail("categories", label(language, "categories"), categories))
    details.append(Detail("posted", label(language, "posted"), posted(paper.published, tz), free_text=False))
    if topic.strip():
        details.append(Detail("relevance", label(language, "relevance"), f"{card.score:.2f}", free_text=False))
    link = page_url(site_url, paper.arxiv_id)
    return CardView(
        title=one_line(paper.title) or paper.versioned_id,
        url=paper.abs_url,
        arxiv_id=paper.versioned_id,
        headline=one_line(text.headline),
        authors=tuple(one_line(a) for a in paper.authors if a.strip()),
        et_al=label(language, "et_al"),
        bullets=tuple(one_line(b) for b in text.bullets if b.strip()),
        comment=text.comment.strip(),
        note=note,
        arxiv_comment=Detail("comment", label(language, "comment"), arxiv_comment) if arxiv_comment else None,
        details=tuple(details),
        page=Detail("page", label(language, "paper_page"), link, free_text=False) if link else None,
    )


def header_view(digest: Digest) -> HeaderView:
    """The view of ``digest``'s header; ``no_papers`` is set when it has (or will have) no cards."""
    language = digest.language
    return HeaderView(
        language=language,
        topic=one_line(digest.topic),
        start=digest.window.start.isoformat(),
        end=digest.window.end.isoformat(),
        count=count_text(language, digest.size, digest.candidates, digest.skipped),
        notes=tuple(one_line(n) for n in digest.notes if n.strip()),
        no_papers="" if digest.size else label(language, "no_papers"),
        days=announced_text(language, digest.announced) if digest.announced else "",
        overview=tuple(one_line(s) for s in digest.overview if s.strip()),
    )
