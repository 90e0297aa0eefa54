"""Cards and digest headers as Slack Block Kit messages (pure: no I/O, no SDK).

What a card shows comes from ``digest.cards.view``; this module maps it to blocks. Each
function returns ``(blocks, text)``: the blocks Slack shows and the plain ``text``
fallback that notifications and screen readers use, carrying the same content.

Two rules hold for every field:
- Text from papers and from the LLM is escaped for mrkdwn (``&``, ``<``, ``>``) and
  sent with ``verbatim: true``, so nothing in it can become ``<!channel>``, a user
  mention or a link, and Slack does not auto-parse ``@here`` either.
- Block Kit's limits are met by shortening (``digest.text.textfit``), never by rejecting.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote

from digest.cards.view import Detail, card_view, header_view
from digest.models import Card, Digest
from digest.text.textfit import ELLIPSIS, fit

logger = logging.getLogger(__name__)

Block = dict[str, Any]

# Block Kit's documented limits, in characters.
SECTION_TEXT = 3000
HEADER_TEXT = 150
CONTEXT_TEXT = 2000
CONTEXT_ELEMENTS = 10
MAX_BLOCKS = 50
FALLBACK_TEXT = 40000
# Readability caps, well inside the limits: a card is not an author list.
AUTHORS_CHARS = 300
URL_CHARS = 500


def escape(text: str) -> str:
    """Slack's three control characters as entities: the text can no longer ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(*texts: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(t) for t in texts[:CONTEXT_ELEMENTS]]}


def _bold(text: str, limit: int) -> str:
    """``*text*``, escaped and shortened so that the whole fits in ``limit``.

    ``text`` is one line (the view's): bold and links break across newlines, and stray
    spaces inside ``*...*`` undo the bold.
    """
    return f"*{fit(text, limit - 2, escape=escape)}*"


def _safe_url(url: str) -> str | None:
    """The URL for ``<url|title>``, or None when it cannot be a safe link."""
    url = url.strip()
    if not re.match(r"^https?://", url) or len(url) > URL_CHARS:
        return None
    # "|" ends the URL part of a link and ">" the link itself; percent-encode them
    # (and spaces) rather than let a URL reshape the message.
    return escape(quote(url, safe=":/?#@!$&'()*+,;=%~-._"))


def _title(url: str, title: str, limit: int) -> str:
    safe = _safe_url(url)
    if safe is None:
        return _bold(title, limit)
    room = limit - len(safe) - 4  # "*<" + "|" ... ">*"
    return f"*<{safe}|{fit(title, room, escape=escape)}>*"


def _labelled(detail: Detail, limit: int) -> str:
    name = escape(detail.name)
    return f"*{name}:* {fit(detail.value, limit - len(name) - 4, escape=escape)}"


def _cut_mrkdwn(text: str, limit: int) -> str:
    """Shorten already-escaped mrkdwn without splitting an entity or a ``<...>`` link."""
    if len(text) <= limit:
        return text
    cut = limit - len(ELLIPSIS)
    head = text[:cut]
    amp, lt = head.rfind("&"), head.rfind("<")
    if amp > head.rfind(";"):
        cut = amp
    if lt > head.rfind(">"):
        cut = min(cut, lt)
    return text[:cut].rstrip() + ELLIPSIS


def _finish(parts: list[Block], lines: list[str]) -> tuple[list[Block], str]:
    if len(parts) > MAX_BLOCKS:
        logger.warning("message has %d blocks; keeping the first %d", len(parts), MAX_BLOCKS)
    return parts[:MAX_BLOCKS], _cut_mrkdwn("\n".join(line for line in lines if line), FALLBACK_TEXT)


def card_blocks(card: Card, topic: str, language: str, tz: str, site_url: str | None = None) -> tuple[list[Block], str]:
    """One paper card: linked title, headline, authors, bullets, comments and details; with
    ``site_url`` (``DIGEST_SITE_URL``), a link to the paper's page there after them."""
    view = card_view(card, topic, language, tz, site_url)
    blocks: list[Block] = []
    lines: list[str] = []

    def section(mrkdwn: str) -> None:
        blocks.append(_section(mrkdwn))
        lines.append(mrkdwn)

    def context(*mrkdwn: str) -> None:
        blocks.append(_context(*mrkdwn))
        lines.append(" · ".join(mrkdwn))

    section(_title(view.url, view.title, SECTION_TEXT))
    if view.headline:
        section(_bold(view.headline, SECTION_TEXT))
    if authors := view.authors_line(AUTHORS_CHARS, escape):
        context(authors)
    if view.bullets:
        section(fit("\n".join(f"• {b}" for b in view.bullets), SECTION_TEXT, escape=escape))
    if view.comment:
        section(fit(view.comment, SECTION_TEXT, escape=escape))
    if view.note:
        context(f"_{fit(view.note, CONTEXT_TEXT - 2, escape=escape)}_")
    if view.arxiv_comment:
        context(_labelled(view.arxiv_comment, CONTEXT_TEXT))
    page = _safe_url(view.page.value) if view.page else None
    linked = [f"*{escape(view.page.name)}:* <{page}|{escape(card.paper.arxiv_id)}>"] if view.page and page else []
    context(*(_labelled(detail, CONTEXT_TEXT) for detail in view.details), *linked)
    return _finish(blocks, lines)


def header_blocks(digest: Digest) -> tuple[list[Block], str]:
    """The digest's opening message: topic and window, the week at a glance, how many papers, any notes."""
    view = header_view(digest)
    intro = view.intro()
    # A header is plain_text: Slack parses no mentions or links in it, so it is not escaped.
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": fit(intro, HEADER_TEXT), "emoji": True}},
    ]
    lines = [fit(intro, SECTION_TEXT, escape=escape)]
    if view.overview:  # first in ``text``: a notification shows its first sentence
        glance = fit(" ".join(view.overview), SECTION_TEXT, escape=escape)
        blocks.append(_section(glance))
        lines.insert(0, glance)
    status = [fit(text, CONTEXT_TEXT, escape=escape) for text in (view.days, view.count) if text]
    status += [fit(note, CONTEXT_TEXT, escape=escape) for note in view.notes]
    blocks.append(_context(*status))
    lines.append(" · ".join(status[:CONTEXT_ELEMENTS]))
    if view.no_papers:
        empty = fit(view.no_papers, SECTION_TEXT, escape=escape)
        blocks.append(_section(empty))
        lines.append(empty)
    return _finish(blocks, lines)
