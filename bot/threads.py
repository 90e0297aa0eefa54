"""Questions in a card's thread, platform-free: from a thread's parent message to a ``ThreadQuestion``.

Both adapters go the same way. ``card_of`` (blocking: run it off the event loop) tells
a card's thread from any other and looks the card up, once: its ledger row and paper.
``ask`` puts the question, with the thread's earlier turns the adapter read, to
``digest.qa.QAService``; a written answer also sees the other cards of the card's
digest, for questions comparing papers ("how does this differ from the Phi-3 one?").
Each answer is kept for the site (``digest.qa.kept``: never who asked), shown on the
paper's page when the channel publishes (``/arxiv publish``).
Its LLM tokens are charged to the subscription whose digest posted the card (the
channel's own account for an ``/arxiv paper`` card).
The adapter renders the ``Answer`` in its platform's format and escapes it there:
nothing in it is trusted to be safe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from digest.delivery.ports import ChatError, ThreadPort
from digest.llm.usage import Account, charged_to
from digest.models import Card, ChannelRef, Delivery, MessageRef, ThreadRef
from digest.qa import Answer, QAService, ThreadQuestion, Turn
from digest.qa.kept import keep
from digest.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardThread:
    """The card a thread is under: its ledger row (run, language) and the card as posted."""

    delivery: Delivery
    card: Card
    channel: ChannelRef | None = None  # where the card was posted; None: its answers are not kept


def card_of(store: Store, channel: ChannelRef, message_id: str) -> CardThread | None:
    """The card posted as ``message_id`` in ``channel``, if it is one of ours (with its paper)."""
    delivery = store.delivery_of_message(channel, message_id)
    if delivery is None or delivery.text is None:
        return None  # not a card of ours (a header has no text)
    paper = store.get_paper(delivery.arxiv_id, delivery.version)
    if paper is None:
        log.warning("card %s in %s has no paper in the store", message_id, channel.channel_id)
        return None
    return CardThread(delivery, Card(paper, delivery.text, delivery.position, delivery.score), channel)


def _other_cards(store: Store, delivery: Delivery) -> tuple[Card, ...]:
    """The other cards the run that posted ``delivery`` sent: what the reader sees beside it."""
    rows = [
        d for d in store.deliveries(delivery.run_key)
        if d.text is not None and d.state == "sent" and d.arxiv_id != delivery.arxiv_id
    ]  # the header has no text; a card that never went out is not one the reader can mean
    papers = store.get_papers([(d.arxiv_id, d.version) for d in rows])
    return tuple(
        Card(papers[(d.arxiv_id, d.version)], d.text, d.position, d.score)
        for d in rows
        if (d.arxiv_id, d.version) in papers and d.text is not None
    )


def _account(store: Store, delivery: Delivery) -> Account | None:
    """Who pays for an answer under ``delivery``'s card: its run's subscription (or channel)."""
    run = store.get_runs([delivery.run_key]).get(delivery.run_key)
    return Account(run.channel, run.subscription_id) if run is not None else None


async def ask(
    qa: QAService, store: Store, found: CardThread, text: str, history: Sequence[Turn], *, user: str, thread: str
) -> Answer:
    """``qa``'s answer to ``text`` asked under ``found``; ``history`` oldest first, without it.

    ``user`` and ``thread`` are the rate-limit keys, qualified by platform and workspace
    (never kept). The answer is kept for the site before it is returned to be posted.
    """
    # Only a written answer uses other cards; quotes (no LLM) are of this paper alone.
    others = await asyncio.to_thread(_other_cards, store, found.delivery) if qa.writes else ()
    account = await asyncio.to_thread(_account, store, found.delivery) if qa.writes else None
    question = ThreadQuestion(found.card, text, tuple(history), user=user, thread=thread, context_cards=others)
    with charged_to(account):
        answer = await qa.answer(question)
    if found.channel is not None:
        await asyncio.to_thread(keep, store, found.channel, found.card.paper, text, answer)
    return answer


async def post_reply(port: ThreadPort, thread: ThreadRef, text: str) -> MessageRef | None:
    """Post ``text`` in ``thread``; None when it could not be (logged: a lost reply is not
    retried, it may exist)."""
    try:
        return await port.reply(thread, text)
    except ChatError as err:  # logged by the port too
        log.warning("no reply posted in %s/%s: %s", thread.channel.channel_id, thread.thread_id, err)
        return None
