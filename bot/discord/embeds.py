"""Cards as Discord embeds and digest headers as message text (pure: no I/O).

What a card shows comes from ``digest.cards.view`` (the same view Slack's
``bot/slack/blocks.py`` maps): linked title, authors, headline, bullets, the summariser's
comment, arXiv's comment, topic, categories, date and relevance; this module maps it to
an embed. Two rules hold for every field:

- Text from papers and from the LLM is Markdown-escaped where Discord renders
  Markdown (description and field values), so a title cannot become a masked link or
  a heading. Embeds never ping anyone, whatever they contain.
- Discord's limits are met by shortening (``digest.text.textfit``), never by rejecting, and
  the whole embed stays ``REF_ROOM`` characters under the 6,000 total so the port can
  append the message's reference to the footer (``with_ref``).
"""

from __future__ import annotations

import re

import discord
from discord.utils import escape_markdown, escape_mentions

from digest.cards.view import CardView, card_view, header_view, one_line
from digest.models import Card, Digest
from digest.text.textfit import fit

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


def _md(text: str) -> str:
    """Markdown escaped, and ``@everyone``/``@here``/``<@id>`` broken by a zero-width space.

    Embeds never ping and the port sends with no allowed mentions; this keeps a header
    sent any other way from pinging too, and a card from showing a mention.
    """
    return escape_mentions(escape_markdown(text))


def _safe_url(url: str) -> str | None:
    url = url.strip()
    return url if re.match(r"^https?://\S+$", url) and len(url) <= URL_CHARS else None


def _description(view: CardView, limit: int) -> str:
    """Headline, bullets, comment and any extractive note, within ``limit`` characters."""
    scale = min(1.0, (limit - 3 * len(_SEP) - 4) / sum(_PARTS.values()))
    room = {name: int(size * scale) for name, size in _PARTS.items()}
    parts: list[str] = []
    if view.headline:
        parts.append(f"**{fit(view.headline, room['headline'], escape=_md)}**")
    if view.bullets:
        parts.append(fit("\n".join(f"• {b}" for b in view.bullets), room["bullets"], escape=_md))
    if view.comment:
        parts.append(fit(view.comment, room["comment"], escape=_md))
    if view.note:
        parts.append(f"*{fit(view.note, room['note'] - 2, escape=_md)}*")
    return _SEP.join(parts)


def card_embed(card: Card, topic: str, language: str, tz: str, site_url: str | None = None) -> discord.Embed:
    """One paper card as an embed that Discord accepts whatever the paper's size; with
    ``site_url`` (``DIGEST_SITE_URL``), a field linking the paper's page there."""
    view = card_view(card, topic, language, tz, site_url)
    # Titles render no Markdown.
    embed = discord.Embed(title=fit(view.title, TITLE), url=_safe_url(view.url), colour=COLOUR)
    if authors := view.authors_line(AUTHOR_NAME):
        embed.set_author(name=authors)
    if comment := view.arxiv_comment:
        embed.add_field(name=comment.name, value=fit(comment.value, FIELD_VALUE, escape=_md), inline=False)
    for detail in view.details:  # a date or a number is no Markdown, "-0.50" no list item
        value = fit(detail.value, 200, escape=_md) if detail.free_text else detail.value
        embed.add_field(name=fit(detail.name, FIELD_NAME), value=value or "-", inline=True)
    if view.page and (page := _safe_url(view.page.value)):  # a masked link: the id, as the footer writes it
        target = page.replace("(", "%28").replace(")", "%29")  # a ")" would end the link early
        embed.add_field(name=fit(view.page.name, FIELD_NAME), value=f"[{_md(card.paper.arxiv_id)}]({target})", inline=True)
    embed.set_footer(text=f"arXiv:{view.arxiv_id}")
    # The description takes what the other parts leave of the total.
    room = min(DESCRIPTION, TOTAL - REF_ROOM - len(embed))
    embed.description = _description(view, room) or None
    return embed


def header_text(digest: Digest) -> str:
    """The digest's opening message: the week at a glance, topic and window, how many papers, any notes."""
    view = header_view(digest)
    # Only the topic is escaped: the label's own "~" is no Markdown on its own.
    lines = [f"## {view.intro(fit(view.topic, 250, escape=_md))}"]
    if view.overview:  # first: a notification shows the content's start
        lines.insert(0, fit(" ".join(view.overview), 700, escape=_md))
    if view.days:
        lines.append(fit(view.days, 200))
    lines.append(fit(view.count, 200))
    lines += [fit(note, 300, escape=_md) for note in view.notes[:3]]
    if view.no_papers:
        lines.append(fit(view.no_papers, 300, escape=_md))
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
    return fit(one_line(title), THREAD_NAME) or "paper"
