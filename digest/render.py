"""Cards and digests as Markdown (a ready static-site post) and as JSON (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from digest.i18n import label
from digest.models import Card, Digest

SEPARATOR = "- - -"


def _posted(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def _escape_link_text(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def card_markdown(card: Card, topic: str, language: str, tz: str) -> str:
    paper, text = card.paper, card.text
    lines = [
        f"### [{_escape_link_text(paper.title)}]({paper.abs_url})",
        "",
        f"**{text.headline}**",
        "",
        ", ".join(paper.authors),
        "",
        *(f"- {bullet}" for bullet in text.bullets),
        "",
    ]
    if text.comment:
        lines += [text.comment, ""]
    if text.extractive:
        lines += [f"*{label(language, text.summarizer)}*", ""]
    if paper.comment:
        lines += [f"**{label(language, 'comment')}:** {paper.comment}", ""]
    meta = [
        f"**{label(language, 'topic')}:** {topic}",
        f"**{label(language, 'categories')}:** {', '.join(paper.categories)}",
        f"**{label(language, 'posted')}:** {_posted(paper.published, tz)}",
        f"**{label(language, 'relevance')}:** {card.score:.2f}",
    ]
    lines.append(", ".join(meta))
    return "\n".join(lines)


def digest_markdown(digest: Digest) -> str:
    window, language = digest.window, digest.language
    start, end = window.start.isoformat(), window.end.isoformat()
    title = f"{digest.topic} ({start} ~ {end})"
    front = ["---", f"title: {_yaml_string(title)}", f"date: {start}", "---", ""]
    intro = label(language, "intro", topic=digest.topic, start=start, end=end)
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
