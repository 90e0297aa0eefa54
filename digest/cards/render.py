"""Cards and digests as Markdown (a ready static-site post) and as JSON (pure).

Markdown maps the views of ``digest.cards.view`` (what a card shows) to Markdown
(how); JSON gives the card's data as is, for other programs.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from digest.cards.view import Detail, card_view, header_view
from digest.models import Card, Digest

SEPARATOR = "- - -"


# Markdown: every text from the paper or the LLM goes through ``markdown_text``.
# HTML-significant characters become entities, so a static-site generator shows
# "<mask>" as text and never copies an "<img onerror=...>" into its page; the characters
# of inline Markdown syntax get CommonMark's backslash escapes.
_MD_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;",
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
    "~": "\\~", "|": "\\|", "#": "\\#",
})
# Block syntax that only counts at the start of a line: "- x", "+ x", "=== ", "1. x", "1) x".
_MD_LINE_START = re.compile(r"^(?:[-+=]|\d{1,9}[.)])")
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"  # the rest is percent-encoded: spaces, ( ) < > [ ] and backslash


def markdown_text(text: str, *, line_start: bool = False) -> str:
    """``text`` as one line of Markdown that renders exactly as ``text`` reads.

    Whitespace (newlines included) collapses to single spaces, so no field can start a
    block of its own. ``line_start`` also escapes what would open a list or a heading
    where the text begins a line.
    """
    escaped = " ".join(text.split()).translate(_MD_ESCAPES)
    if line_start:
        escaped = _MD_LINE_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], escaped)
    return escaped


def _link_url(url: str) -> str | None:
    """The URL for ``[text](url)``, or None when it cannot be a safe link."""
    url = url.strip()
    if not re.match(r"^https?://[^\s/]", url, re.IGNORECASE):
        return None  # javascript:, data: or garbage: show the title unlinked
    # Spaces and ")" would end the destination early, "<" and ">" reopen HTML.
    return quote(url, safe=_URL_SAFE)


def _labelled(detail: Detail, url: str | None = None) -> str:
    value = markdown_text(detail.value) if detail.free_text else detail.value
    return f"**{detail.name}:** [{value}]({url})" if url else f"**{detail.name}:** {value}"


def card_markdown(
    card: Card, topic: str, language: str, tz: str, topic_url: str | None = None, site_url: str | None = None
) -> str:
    """One card (``digest.cards.view``); parts the paper lacks are left out, not shown empty.
    ``topic_url``: the topic's page, linked from the topic as the reference digests do ("../");
    ``site_url``: the site's public base URL, the card then links its paper page there."""
    view = card_view(card, topic, language, tz, site_url)
    title, url = markdown_text(view.title), _link_url(view.url)
    blocks = [f"### [{title}]({url})" if url else f"### {title}"]
    if view.headline:
        blocks.append(f"**{markdown_text(view.headline)}**")
    if view.authors:  # a page has room for every author
        blocks.append(markdown_text(", ".join(view.authors), line_start=True))
    if view.bullets:
        blocks.append("\n".join(f"- {markdown_text(b, line_start=True)}" for b in view.bullets))
    if view.comment:
        blocks.append(markdown_text(view.comment, line_start=True))
    if view.note:
        blocks.append(f"*{view.note}*")
    if view.arxiv_comment:
        blocks.append(_labelled(view.arxiv_comment))
    link = quote(topic_url, safe=_URL_SAFE) if topic_url else None
    blocks.append(", ".join(_labelled(d, link if d.key == "topic" else None) for d in view.details))
    if view.page and (page := _link_url(view.page.value)):
        blocks.append(f"**{view.page.name}:** [{markdown_text(card.paper.arxiv_id)}]({page})")
    return "\n\n".join(blocks)


def digest_markdown(digest: Digest, topic_url: str | None = None, site_url: str | None = None) -> str:
    """The whole digest as a static-site post: YAML front matter, intro, cards; each
    card's topic linked to ``topic_url`` when given (the site's ``index.md``: "../"), and
    its paper page under ``site_url`` when given (``DIGEST_SITE_URL``)."""
    view = header_view(digest)
    title = f"{view.topic} ({view.start} ~ {view.end})"
    front = ["---", f"title: {_yaml_string(title)}", f"date: {view.start}", "---", ""]
    body = [view.intro(markdown_text(view.topic)), ""]
    if view.overview:
        body += [markdown_text(" ".join(view.overview), line_start=True), ""]
    if view.days:
        body += [markdown_text(view.days), ""]
    if view.no_papers:
        body += ["", view.no_papers]
    for card in digest.cards:
        body += ["", SEPARATOR, "", card_markdown(card, digest.topic, digest.language, digest.window.tz, topic_url, site_url), ""]
    return "\n".join(front + body).rstrip() + "\n"


def _yaml_string(text: str) -> str:
    """Double-quoted YAML scalar: topics may hold ':' or quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def card_json(card: Card) -> dict[str, Any]:
    paper, text = card.paper, card.text
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "url": paper.abs_url,
        "title": paper.title,
        "headline": text.headline,
        "authors": list(paper.authors),
        "bullets": list(text.bullets),
        "comment": text.comment,
        "arxiv_comment": paper.comment,
        "categories": list(paper.categories),
        "published": paper.published.isoformat(),
        "relevance": card.score,
        "summarizer": text.summarizer,
    }


def digest_json(digest: Digest) -> dict[str, Any]:
    return {
        "topic": digest.topic,
        "from": digest.window.start.isoformat(),
        "to": digest.window.end.isoformat(),
        "overview": list(digest.overview),  # the week at a glance, its sentences
        "cards": [card_json(card) for card in digest.cards],
    }
