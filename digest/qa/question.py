"""What thread Q&A takes and gives: a ``ThreadQuestion`` in, an ``Answer`` out (``QAService``).

The chat adapters translate a platform message into a ``ThreadQuestion`` and render the
``Answer`` in their platform's format (citations, quotes, notes each their own way);
nothing between them is a string to parse back.
"""

from __future__ import annotations

from dataclasses import dataclass

from digest.models import Card


@dataclass(frozen=True)
class Turn:
    """One earlier message of a card's thread, oldest first in a history."""

    role: str  # "user" (a reader's question) | "bot" (an earlier answer)
    text: str


@dataclass(frozen=True)
class ThreadQuestion:
    """A reader's question in the thread of one digest card.

    ``user`` and ``thread`` are the rate-limit keys: qualify them by platform and
    workspace ("slack:T1:U1"), so that one person draws on one allowance; "" means that
    limit does not apply.
    """

    card: Card  # the card the thread is under, looked up once: its paper is what is asked about
    text: str  # the question as typed (the bot's mention removed, platform escaping undone)
    history: tuple[Turn, ...] = ()  # the thread's earlier messages, oldest first, without the question
    user: str = ""
    thread: str = ""
    context_cards: tuple[Card, ...] = ()  # the other cards of the card's digest, for comparisons


@dataclass(frozen=True)
class Quote:
    """A passage quoted as it stands (when no written answer can be had)."""

    section: str  # its heading: "4.1 Tasks and Datasets", "Abstract"
    text: str  # the sentences around the best match, "…" where cut


@dataclass(frozen=True)
class Answer:
    """The reply to one question about one paper, cleaned (nothing pings, nothing token-shaped).

    ``source`` says what the text rests on: "fulltext" (the LLM, from full-text passages),
    "abstract" (no full text could be had: from the abstract, and a note says so),
    "passages" (no usable LLM: ``quotes``, which ``text`` introduces as quotes), or
    "limited" (a rate limit was hit: the text says when to ask again; nothing was fetched
    or asked).
    """

    text: str  # the answer, with any citations the model wrote in it; or what introduces the quotes
    citations: tuple[str, ...] = ()  # section labels the answer rests on: "§4.2", "Abstract"
    source: str = "fulltext"
    quotes: tuple[Quote, ...] = ()  # best first
    notes: tuple[str, ...] = ()  # said after the answer: figures no passage states, abstract only

    @property
    def citations_to_show(self) -> tuple[str, ...]:
        """The citations an adapter adds, in its platform's format: all of them when the text
        names none (a reader must see where it says so); none for quotes, headed by their sections."""
        if self.quotes or any(c in self.text for c in self.citations):
            return ()
        return self.citations
