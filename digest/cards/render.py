"""Cards and digests as Markdown (a ready static-site post) and as JSON (pure)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from digest.i18n import label
from digest.models import Card, Digest

SEPARATOR = "- - -"


def _posted(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


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


def card_markdown(card: Card, topic: str, language: str, tz: str) -> str:
    """One card; parts the paper lacks (no authors, no bullets) are left out, not shown empty."""
    paper, text = card.paper, card.text
    title = markdown_text(paper.title) or markdown_text(paper.versioned_id)
    url = _link_url(paper.abs_url)
    blocks = [f"### [{title}]({url})" if url else f"### {title}"]
    if headline := markdown_text(text.headline):
        blocks.append(f"**{headline}**")
    if authors := markdown_text(", ".join(a for a in paper.authors if a.strip()), line_start=True):
        blocks.append(authors)
    bullets = [markdown_text(b, line_start=True) for b in text.bullets]
    if bullets := [f"- {b}" for b in bullets if b]:
        blocks.append("\n".join(bullets))
    if comment := markdown_text(text.comment, line_start=True):
        blocks.append(comment)
    if text.extractive:
        blocks.append(f"*{label(language, text.summarizer)}*")
    if arxiv_comment := markdown_text(paper.comment or ""):
        blocks.append(f"**{label(language, 'comment')}:** {arxiv_comment}")
    # A single-paper card (no topic: ``/arxiv paper``) has no topic and no relevance to one.
    meta = [f"**{label(language, 'topic')}:** {markdown_text(topic)}"] if topic.strip() else []
    if categories := markdown_text(", ".join(paper.categories)):
        meta.append(f"**{label(language, 'categories')}:** {categories}")
    meta.append(f"**{label(language, 'posted')}:** {_posted(paper.published, tz)}")
    if topic.strip():
        meta.append(f"**{label(language, 'relevance')}:** {card.score:.2f}")
    blocks.append(", ".join(meta))
    return "\n\n".join(blocks)


def digest_markdown(digest: Digest) -> str:
    window, language = digest.window, digest.language
    start, end = window.start.isoformat(), window.end.isoformat()
    title = f"{' '.join(digest.topic.split())} ({start} ~ {end})"
    front = ["---", f"title: {_yaml_string(title)}", f"date: {start}", "---", ""]
    intro = label(language, "intro", topic=markdown_text(digest.topic), start=start, end=end)
    body = [intro, ""]
    if not digest.cards:
        body += ["", label(language, "no_papers")]
    for card in digest.cards:
        body += ["", SEPARATOR, "", card_markdown(card, digest.topic, language, window.tz), ""]
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
        "cards": [card_json(card) for card in digest.cards],
    }
