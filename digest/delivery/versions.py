"""A new version of a posted paper, noted once in its card's thread.

A replacement arXiv announces (``HarvestReport.replacements``) of a paper a channel got
as a card is never posted again: a channel's claim on a paper is by arXiv id, whatever
the version (``Store.plan_runs``). The card's thread gets one short reply instead, in
the language of the run that posted the card: "v2, 2026-12-03: accepted at ICML 2026"
(the version, its date in the subscription's time zone, arXiv's new comment shortened),
"withdrawn" for a withdrawal, the version and date alone when no comment is known.

The RSS listing gives no comment, and its date is the listing's, not the version's. For
the replacements due a note and lacking a comment, arXiv's query API is asked once,
batched by id (``id_list``, one request per page of versions: only when some channel got
an older version, so never per topic), for each version's comment and submission date.
When it fails, the notes go out without the comment (logged): a detail, not a reason to
hold them back.

At most once per channel and version: the note's key (``keys.version_key``) is claimed
in the store (``Store.claim_event``, kept for good) before the reply is posted, and a
chat failure or a crash between the two loses that note, logged, rather than risk a
second. Unlike a card, a reply could only be found again by reading each card's thread
(one request per note), and no later harvest reports the same version again, so there
would be nothing to retry from; a missing note costs a detail, a repeated one is noise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.arxiv.harvest import is_withdrawn
from digest.cards.view import one_line
from digest.delivery.keys import version_key
from digest.delivery.ports import ChatError
from digest.i18n import label
from digest.llm.guard import clean
from digest.models import Announced, MessageRef, Paper
from digest.store import Store
from digest.store.ledger import VERSION_NOTES
from digest.store.planning import PostedCard
from digest.text.textfit import fit

log = logging.getLogger(__name__)

COMMENT_CHARS = 200  # arXiv's comment, shortened: a note is one line under the card
CONCURRENCY = 8  # notes in flight at once; each platform's port paces its own posts


class CardThreads(Protocol):
    """What a chat port offers version notes: a reply in a card's thread."""

    async def card_reply(self, card: MessageRef, title: str, text: str) -> MessageRef:
        """Post plain, untrusted ``text`` in the thread of the card message ``card``,
        escaped so it shows as written; ``title`` names the thread where one must be opened
        (Discord). Raises ``ChatError``."""


def note_text(announced: Announced, language: str, tz: str) -> str:
    """The note of ``announced`` in ``language``, its date in the time zone ``tz``:
    "v2, 2026-12-03: accepted at ICML 2026", "v3, 2026-12-04: withdrawn", "v2, 2026-12-03"."""
    paper = announced.paper
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    values = {"version": paper.version, "date": f"{paper.updated.astimezone(zone):%Y-%m-%d}"}
    if announced.withdrawn:
        return label(language, "version_withdrawn", **values)
    # Untrusted text: no pings, no token-shaped strings; the port escapes the markup.
    comment = fit(one_line(clean(paper.comment or "")), COMMENT_CHARS)
    return label(language, "version_note", comment=comment, **values) if comment else label(language, "version_bare", **values)


def newest(replacements: Iterable[Announced]) -> dict[str, Announced]:
    """The newest version of each paper replaced (a catch-up may list v2 and v3), by arXiv id."""
    latest: dict[str, Announced] = {}
    for announced in replacements:
        known = latest.get(announced.paper.arxiv_id)
        if known is None or announced.paper.version > known.paper.version:
            latest[announced.paper.arxiv_id] = announced
    return latest


class VersionLookup(Protocol):
    """What looks paper versions up on arXiv (``digest.arxiv.source.ArxivSource``)."""

    async def aby_ids(self, ids: Iterable[str], *, interactive: bool = False) -> list[Paper]:
        """The papers of ids such as "2404.14361v2" (that version), those arXiv knows."""


def with_metadata(announced: Announced, version: Paper) -> Announced:
    """``announced`` with the comment and submission date arXiv's API gives ``version``
    (withdrawn too when that comment says so)."""
    paper = replace(announced.paper, comment=version.comment, updated=version.updated)
    return replace(announced, paper=paper, withdrawn=announced.withdrawn or is_withdrawn(version.comment))


class VersionNotes:
    """Posts version notes through ``ports`` (by platform name: the platforms' own ports,
    each a ``CardThreads``) for the cards ``store`` holds as sent; ``lookup`` (None: none)
    gives the comment and date of versions announced without them."""

    def __init__(self, store: Store, ports: Mapping[str, CardThreads], lookup: VersionLookup | None = None) -> None:
        self._store, self._ports, self._lookup = store, ports, lookup
        self._slots = asyncio.Semaphore(CONCURRENCY)

    async def note(self, replacements: Iterable[Announced]) -> int:
        """Note each replacement under every card of an earlier version of its paper, once
        per channel and version ever; returns how many notes were posted. A chat failure
        is logged, not raised: that note is lost (see the module's docstring)."""
        latest = newest(replacements)
        if not latest:
            return 0
        cards = await asyncio.to_thread(self._store.posted_cards, latest)
        due = [(card, latest[card.arxiv_id]) for card in cards if latest[card.arxiv_id].paper.version > card.version]
        found = await self._looked_up([announced for _, announced in due])
        due = [(card, found.get(announced.paper.versioned_id, announced)) for card, announced in due]
        posted = await asyncio.gather(*(self._note(card, announced) for card, announced in due))
        if due:
            log.info("version notes: %d posted for %d cards of %d papers replaced", sum(posted), len(due), len(latest))
        return sum(posted)

    async def _looked_up(self, due: list[Announced]) -> dict[str, Announced]:
        """The versions of ``due`` announced without a comment, with arXiv's comment and
        date, by versioned id; {} without a lookup or when arXiv fails (logged)."""
        unknown = {a.paper.versioned_id: a for a in due if a.paper.comment is None}
        if self._lookup is None or not unknown:
            return {}
        try:
            versions = await self._lookup.aby_ids(sorted(unknown))
        except Exception as err:  # noqa: BLE001 (arXiv down or answering oddly: the notes go out bare)
            log.warning("version notes: %d versions' comments not looked up, noted without: %s", len(unknown), err)
            return {}
        return {v.versioned_id: with_metadata(unknown[v.versioned_id], v) for v in versions if v.versioned_id in unknown}

    async def _note(self, card: PostedCard, announced: Announced) -> bool:
        channel, paper = card.card.channel, announced.paper
        port = self._ports.get(channel.platform)
        if port is None:  # a platform not enabled in this process: left for none, unclaimed
            return False
        key = version_key(channel, paper.arxiv_id, paper.version)
        async with self._slots:
            if not await asyncio.to_thread(self._store.claim_event, VERSION_NOTES, key):
                return False  # noted before (an earlier report, another process)
            try:
                await port.card_reply(card.card, paper.title, note_text(announced, card.language, card.tz))
            except ChatError as err:
                log.warning("version note %s not posted and not tried again (at most once): %s", key, err)
                return False
        return True
