"""The site's pages as HTML (Jinja2, autoescaped) and each digest as its Markdown post (pure).

Every text from arXiv, the LLM or a reader reaches the page through Jinja2's
autoescape: "<mask>" in a title shows as "<mask>", and an "<img onerror=...>" is
text, never markup. Links are relative (``digest.site.paths.link``); a URL from the
store is linked only when it is http(s) (``safe_url``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from digest.cards.render import digest_markdown
from digest.cards.view import card_view, posted
from digest.i18n import label
from digest.models import Digest
from digest.site.pages import Edition, PaperEntry, PublishedAnswer, RelatedPaper
from digest.site.paths import link, paper_path, safe_url, valid_id
from digest.site.text import LABELS, say

PDF_BASE = "https://arxiv.org/pdf/"
ABS_BASE = "https://arxiv.org/abs/"

_ENV = Environment(
    loader=PackageLoader("digest.site", "templates"),
    autoescape=True,  # every template: the pages are HTML, their text untrusted
    undefined=StrictUndefined,  # a misspelt name fails the build, never renders blank
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _base(path: str, language: str, page_title: str) -> dict[str, Any]:
    return {
        "lang": language,
        "root": link(path, "index.html").removesuffix("index.html"),
        "page_title": page_title,
        "site_title": say(language, "site_title"),
        "footer": say(language, "footer"),
    }


def window_text(edition: Edition) -> str:
    return f"{edition.window.start.isoformat()} ~ {edition.window.end.isoformat()}"


def edition_title(edition: Edition) -> str:
    return f"{edition.topic} ({window_text(edition)})"


def index_page(editions: Sequence[Edition], language: str) -> str:
    """``index.html``: every topic, the one with the newest digest first."""
    topics: dict[str, list[Edition]] = {}
    for edition in editions:  # newest first already
        topics.setdefault(edition.topic, []).append(edition)
    rows = [
        {"name": topic, "href": link("index.html", held[0].topic_path),
         "count": say(language, "digest_count", n=len(held)), "latest": say(language, "latest", window=window_text(held[0]))}
        for topic, held in topics.items()
    ]  # fmt: skip
    title = say(language, "topics")
    context = _base("index.html", language, f"{title} · {say(language, 'site_title')}")
    return _ENV.get_template("index.html").render(**context, heading=title, topics=rows)


def topic_page(topic: str, editions: Sequence[Edition], language: str) -> tuple[str, str]:
    """A topic's page (path, HTML): its digests, newest first."""
    path = editions[0].topic_path
    rows = [
        {"href": link(path, e.path), "title": edition_title(e), "language": e.language,
         "count": say(language, "paper_count", n=len(e.cards))}
        for e in editions
    ]  # fmt: skip
    context = _base(path, language, f"{topic} · {say(language, 'site_title')}")
    html = _ENV.get_template("topic.html").render(
        **context, topic=topic, all_topics=say(language, "all_topics"), digests_heading=say(language, "digests"), digests=rows
    )
    return path, html


def _as_digest(edition: Edition) -> Digest:
    return Digest(edition.topic, edition.window, edition.language, edition.cards, candidates=edition.candidates)


def digest_page(edition: Edition, entries: Mapping[str, PaperEntry]) -> str:
    """One digest, shaped like the weekly reference digests, in the digest's language."""
    path, language = edition.path, edition.language
    topic_href = link(path, edition.topic_path)
    cards = []
    for card in edition.cards:
        arxiv_id = card.paper.arxiv_id
        cards.append({
            "view": card_view(card, edition.topic, language, edition.window.tz),
            "url": safe_url(card.paper.abs_url),
            "anchor": arxiv_id.replace("/", "-"),
            "topic_href": topic_href,
            "paper_href": link(path, paper_path(arxiv_id)) if arxiv_id in entries else None,
            "paper_label": say(language, "paper_page"),
        })  # fmt: skip
    context = _base(path, language, f"{edition_title(edition)} · {say(language, 'site_title')}")
    return _ENV.get_template("digest.html").render(
        **context, heading=edition_title(edition), topic=edition.topic, topic_href=topic_href,
        all_topics=say(language, "all_topics"), intro=label(language, "intro", topic=edition.topic,
        start=edition.window.start.isoformat(), end=edition.window.end.isoformat()),
        count=say(language, "paper_count", n=len(cards)), markdown=say(language, "markdown"), cards=cards,
    )  # fmt: skip


def digest_post(edition: Edition) -> str:
    """The digest's Markdown post (``index.md`` beside its page), its topic linked like the references'."""
    return digest_markdown(_as_digest(edition), topic_url="../")


@functools.lru_cache(maxsize=16)
def _labels(language: str) -> SimpleNamespace:
    """The site's words in ``language`` as ``l.title``, ``l.related``, ... for the paper template."""
    return SimpleNamespace(**{key: say(language, key) for key in LABELS.english})


def paper_page(
    entry: PaperEntry,
    related: Sequence[RelatedPaper],
    questions: Sequence[PublishedAnswer],
    entries: Mapping[str, PaperEntry],
    language: str,
    tz: str,
) -> tuple[str, str]:
    """A paper's page (path, HTML), shaped like the single-paper references."""
    paper, card = entry.paper, entry.card
    path = paper_path(paper.arxiv_id)
    view = card_view(card, entry.topic, language, tz)
    relevance = next((d for d in view.details if d.key == "relevance"), None)
    if relevance is not None:
        relevance = {"name": say(language, "relevance_to", topic=entry.topic), "value": relevance.value}
    rows = []
    for item in related:
        if not valid_id(item.arxiv_id) or item.arxiv_id == paper.arxiv_id:
            continue  # an id that is no arXiv id has no safe page nor link
        href = link(path, paper_path(item.arxiv_id)) if item.arxiv_id in entries else f"{ABS_BASE}{item.arxiv_id}"
        rows.append({"href": href, "title": " ".join(item.title.split()) or item.arxiv_id,
                     "headline": " ".join((item.headline or "").split()), "score": say(language, "similarity", score=f"{item.score:.2f}")})  # fmt: skip
    context = _base(path, language, f"{view.title} · {say(language, 'site_title')}")
    html = _ENV.get_template("paper.html").render(
        **context,
        l=_labels(language),
        heading=say(language, "paper_title", title=view.title),
        view=view,
        versioned_id=paper.versioned_id,
        abs_url=safe_url(paper.abs_url),
        pdf_url=safe_url(paper.pdf_url or f"{PDF_BASE}{paper.versioned_id}"),
        announced=posted(entry.announced_at, tz) if entry.announced_at else None,  # "posted" is among the details
        relevance=relevance,
        licence=None,  # arXiv's licence is not harvested yet (digest/arxiv/oai.py reads no <license>)
        licence_url=None,
        details=[d for d in view.details if d.key in ("categories", "posted")],
        abstract=" ".join(paper.abstract.split()),
        abstract_translated=None,  # no translation is cached: see README "Paper pages"
        digests=[{"href": link(path, e.path), "title": edition_title(e)} for e in entry.editions],
        related=rows,
        questions=list(questions),
    )
    return path, html


def stylesheet() -> str:
    return _ENV.loader.get_source(_ENV, "style.css")[0]  # type: ignore[union-attr]
