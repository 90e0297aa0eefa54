"""Cards as Discord embeds and digest headers as message text (pure: no I/O).

The same content as Slack's cards (``bot/slack/blocks.py``): linked title, authors,
headline, bullets, the summariser's comment, arXiv's comment, topic, categories, date
and relevance. Two rules hold for every field:

- Text from papers and from the LLM is Markdown-escaped where Discord renders
  Markdown (description and field values), so a title cannot become a masked link or
  a heading. Embeds never ping anyone, whatever they contain.
- Discord's limits are met by shortening (``digest.text.textfit``), never by rejecting, and
  the whole embed stays ``REF_ROOM`` characters under the 6,000 total so the port can
  append the message's reference to the footer (``with_ref``).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import discord
from discord.utils import escape_markdown, escape_mentions

from digest.i18n import count_text, label
from digest.models import Card, Digest
from digest.text.textfit import fit, shorten_authors

# Discord's documented embed limits, in characters.
TITLE = 256
DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR_NAME = 256
TOTAL = 6000
CONTENT = 2000  # a message's plain content
THREAD_NAME = 100
URL_CHARS = 512
REF_ROOM = 64  # kept free in every embed and header for " · ref <nonce>"
COLOUR = discord.Colour(0xB31B1B)  # arXiv's red
# Shares of the description; scaled down when the other parts leave less room.
_PARTS = {"headline": 300, "bullets": 2700, "comment": 800, "note": 200}
_SEP = "\n\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _md(text: str) -> str:
    """Markdown escaped, and ``@everyone``/``@here``/``<@id>`` broken by a zero-width space.

    Embeds never ping and the port sends with no allowed mentions; this keeps a header
    sent any other way from pinging too, and a card from showing a mention.
    """
    return escape_mentions(escape_markdown(text))


def _safe_url(url: str) -> str | None:
    url = url.strip()
    return url if re.match(r"^https?://\S+$", url) and len(url) <= URL_CHARS else None


def _posted(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def _description(card: Card, language: str, limit: int) -> str:
    """Headline, bullets, comment and any extractive note, within ``limit`` characters."""
    text = card.text
    scale = min(1.0, (limit - 3 * len(_SEP) - 4) / sum(_PARTS.values()))
    room = {name: int(size * scale) for name, size in _PARTS.items()}
    parts: list[str] = []
    if text.headline.strip():
        parts.append(f"**{fit(_one_line(text.headline), room['headline'], escape=_md)}**")
    bullets = [_one_line(b) for b in text.bullets if b.strip()]
    if bullets:
        parts.append(fit("\n".join(f"• {b}" for b in bullets), room["bullets"], escape=_md))
    if text.comment.strip():
        parts.append(fit(text.comment.strip(), room["comment"], escape=_md))
    if text.extractive:
        parts.append(f"*{fit(label(language, text.summarizer), room['note'] - 2, escape=_md)}*")
    return _SEP.join(parts)


def card_embed(card: Card, topic: str, language: str, tz: str) -> discord.Embed:
    """One paper card as an embed that Discord accepts whatever the paper's size."""
    paper = card.paper
    # Titles render no Markdown; arXiv has entries without one (withdrawn): the id names them.
    title = fit(_one_line(paper.title) or paper.versioned_id, TITLE)
    embed = discord.Embed(title=title, url=_safe_url(paper.abs_url), colour=COLOUR)
    if authors := shorten_authors(paper.authors, AUTHOR_NAME, et_al=label(language, "et_al")):
        embed.set_author(name=authors)
    if paper.comment and paper.comment.strip():
        embed.add_field(
            name=label(language, "comment"), value=fit(_one_line(paper.comment), FIELD_VALUE, escape=_md), inline=False
        )
    details = {
        "topic": fit(_one_line(topic), 200, escape=_md),
        "categories": fit(", ".join(c for c in paper.categories if c.strip()), 200, escape=_md),
        "posted": _posted(paper.published, tz),
        "relevance": f"{card.score:.2f}",
    }
    if not details["categories"]:
        del details["categories"]  # no empty field
    if not topic.strip():  # a single-paper card (``/arxiv paper``): no topic, no relevance to one
        del details["topic"], details["relevance"]
    for key, value in details.items():
        embed.add_field(name=fit(label(language, key), FIELD_NAME), value=value or "-", inline=True)
    embed.set_footer(text=f"arXiv:{paper.versioned_id}")
    # The description takes what the other parts leave of the total.
    room = min(DESCRIPTION, TOTAL - REF_ROOM - len(embed))
    embed.description = _description(card, language, room) or None
    return embed


def header_text(digest: Digest) -> str:
    """The digest's opening message: topic and window, how many papers, any notes."""
    language, window = digest.language, digest.window
    # Only the topic is escaped: the label's own "~" is no Markdown on its own.
    topic = fit(_one_line(digest.topic), 250, escape=_md)
    intro = label(language, "intro", topic=topic, start=window.start.isoformat(), end=window.end.isoformat())
    shown = digest.size
    lines = [f"## {intro}"]
    lines.append(fit(count_text(language, shown, digest.candidates, digest.skipped), 200))
    lines += [fit(_one_line(note), 300, escape=_md) for note in digest.notes[:3] if note.strip()]
    if not digest.size:
        lines.append(fit(label(language, "no_papers"), 300, escape=_md))
    return fit("\n".join(lines), CONTENT - REF_ROOM)


def ref_line(ref: str) -> str:
    """The reference as Discord's small grey subtext under a header."""
    return f"\n-# ref {ref}"


def with_ref(embed: discord.Embed, ref: str) -> discord.Embed:
    """``embed`` with `` · ref <ref>`` at the end of its footer (found again by ``has_ref``)."""
    suffix = f" · ref {ref}"
    base = embed.footer.text or ""
    embed.set_footer(text=fit(base, FOOTER - len(suffix)) + suffix)
    return embed


def has_ref(message: discord.Message, ref: str) -> bool:
    """True when a posted header or card carries ``ref`` (its content or embed footer)."""
    if message.content.endswith(ref_line(ref)):
        return True
    return any((embed.footer.text or "").endswith(f" · ref {ref}") for embed in message.embeds)


def thread_name(title: str) -> str:
    return fit(_one_line(title), THREAD_NAME) or "paper"
