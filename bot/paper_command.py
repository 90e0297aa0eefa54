"""``/arxiv paper <id>``: one paper's card in the channel, delivered like a digest's.

A handler of ``bot.handlers.CommandHandlers`` kept apart by its job: fetching one paper
and posting it through the ledger (``Deliverer.post_paper``), at most once per channel.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.command_text import REPLIES
from bot.invocation import Invocation, Reply, Update
from bot.paper_ids import PaperCmd
from digest.arxiv.source import ArxivUnavailable
from digest.delivery.deliverer import Held
from digest.delivery.keys import paper_key
from digest.models import PAPER_TOPIC

if TYPE_CHECKING:
    from bot.handlers import CommandHandlers


def _say(key: str, language: str, /, **values: object) -> str:
    return REPLIES.text(language, key, **values)


def paper_reply(self: CommandHandlers, invocation: Invocation, command: PaperCmd) -> Reply:
    """One paper's card, delivered like a digest's (``Deliverer.post_paper``): recorded
    in the ledger, at most once per channel, answered in its thread; no header."""
    language = invocation.language or self.defaults.language
    channel, arxiv_id = invocation.channel, command.arxiv_id
    key = paper_key(channel, arxiv_id)

    async def work(update: Update) -> str:
        subs = await asyncio.to_thread(self.store.list_subscriptions, channel)
        # The channel's language and zone, when it has a subscription.
        card_language = subs[0].language if subs else self.defaults.language
        tz = subs[0].tz if subs else self.defaults.timezone
        held = await self.deliverer.paper_held(channel, arxiv_id)
        if held is not None and (held.run_key != key or held.state in ("sent", "pending", "sending")):
            return _held(arxiv_id, held, tz, language)  # known without asking arXiv
        try:
            papers = await self.deliverer.engine.source.afetch(f"id:{arxiv_id}", interactive=True)
        except ArxivUnavailable as err:
            return str(err)
        # Only the paper asked for: never another one a loose search turned up.
        found = next((paper for paper in papers if paper.arxiv_id == arxiv_id), None)
        if found is None:
            return _say("no_such_paper", language, id=arxiv_id)
        post = await self.deliverer.post_paper(channel, found, card_language, key, tz)
        if post.held is not None:
            return _held(arxiv_id, post.held, tz, language)
        if post.run is not None and post.run.state != "done":
            return _say("paper_failed", language, id=arxiv_id, error=post.run.error or post.run.state)
        return ""

    return Reply(_say("fetching_paper", language, id=arxiv_id), work=work)


def _held(arxiv_id: str, held: Held, tz: str, language: str) -> str:
    """What the caller of ``/arxiv paper`` is told when the channel has the paper already."""
    when = f"{held.at.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M %Z}"
    if held.topic == PAPER_TOPIC:
        source = _say("paper_source_paper", language)
    else:
        source = _say("paper_source_digest", language, topic=held.topic)
    return _say("paper_held" if held.state == "sent" else "paper_coming", language, id=arxiv_id, when=when, source=source)
