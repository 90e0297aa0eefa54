"""Domain types of the engine: frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Paper:
    """One arXiv paper as the API describes it (one version of it)."""

    arxiv_id: str  # without version: "2404.14361" or "math/0211159"
    version: int
    title: str
    authors: tuple[str, ...]
    abstract: str
    categories: tuple[str, ...]
    primary_category: str
    comment: str | None
    published: datetime  # tz-aware, UTC: first version's submission
    updated: datetime  # tz-aware, UTC: this version's submission
    abs_url: str
    pdf_url: str | None = None

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}"


@dataclass(frozen=True)
class Announced:
    """One paper version as an arXiv announcement listed it (``digest/arxiv/harvest.py``)."""

    paper: Paper
    announced_at: datetime  # tz-aware, UTC: the announcement's instant (20:00 US Eastern)
    announce_type: str  # "new" | "cross" | "replace" | "replace-cross", as arXiv's listing says
    withdrawn: bool = False  # a replacement that withdraws the paper (its comment says so)


@dataclass(frozen=True)
class Announcement:
    """One scheduled arXiv announcement as the store holds it; ``papers == 0``: none came."""

    announced_at: datetime  # tz-aware, UTC: the scheduled instant (digest/arxiv/calendar.py)
    listed_on: date  # the date arXiv's listing of it carries (the next day in US Eastern)
    papers: int  # distinct paper versions it listed; 0 for a holiday (no announcement)
    source: str  # "listing" (the RSS/Atom listing) | "oai" (OAI-PMH catch-up)
    harvested_at: datetime  # tz-aware, UTC
    # The archives it was harvested for (``cs``, ``math``); None: all of them. A topic is
    # served from it only when these hold the topic's archives (digest/arxiv/announced.py).
    archives: frozenset[str] | None = None


@dataclass(frozen=True)
class CardText:
    """What a summariser writes about one paper."""

    headline: str
    bullets: tuple[str, ...]
    comment: str  # short casual first-person reaction ("" for extractive cards)
    language: str
    summarizer: str  # "llm:<model>" or "extractive" or "extractive:<reason>"

    @property
    def extractive(self) -> bool:
        return self.summarizer.startswith("extractive")


@dataclass(frozen=True)
class CardKey:
    """Identity of a cached card: the same key never needs the LLM twice."""

    arxiv_id: str
    version: int
    language: str
    model: str
    prompt_version: str
    bullets: int


@dataclass(frozen=True)
class Card:
    paper: Paper
    text: CardText
    rank: int  # 1-based, by relevance
    score: float  # relevance to the topic, higher is better


@dataclass(frozen=True)
class Window:
    """Inclusive calendar dates, read in the time zone ``tz``."""

    start: date
    end: date
    tz: str = "UTC"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")

    def bounds_utc(self) -> tuple[datetime, datetime]:
        """[start 00:00, end+1 00:00) in ``tz``, as UTC datetimes."""
        zone = ZoneInfo(self.tz)
        first = datetime.combine(self.start, time(), zone)
        after = datetime.combine(self.end + timedelta(days=1), time(), zone)
        utc = ZoneInfo("UTC")
        return first.astimezone(utc), after.astimezone(utc)


@dataclass(frozen=True)
class Fetched:
    """What arXiv answered for one query: its papers, and ``missing``, the results it
    reported (``totalResults``, within what was asked for) but never delivered, since a
    later page stayed empty however often it was asked for (0: the whole answer)."""

    papers: list[Paper]
    missing: int = 0


@dataclass(frozen=True)
class Digest:
    topic: str
    window: Window
    language: str
    cards: tuple[Card, ...]
    candidates: int = 0  # papers arXiv returned before ranking
    notes: tuple[str, ...] = field(default=())  # e.g. "3 cards are extractive: LLM failed"
    planned: int | None = None  # cards it will have, while they are still being written
    skipped: int = 0  # papers left out because the channel already has them
    # The listing dates of the arXiv announcements its candidates came from (holidays left
    # out); None: from the per-topic search, by submission date (digest/arxiv/announced.py).
    announced: tuple[date, ...] | None = None
    overview: tuple[str, ...] = ()  # the week at a glance (``Overview.sentences``); () when none

    @property
    def size(self) -> int:
        """How many cards the digest has, or will have once all are written."""
        return len(self.cards) if self.planned is None else self.planned


@dataclass(frozen=True)
class Overview:
    """A digest's week at a glance (``digest/cards/overview.py``), stored with its run."""

    sentences: tuple[str, ...]  # 2 or 3, the reader's language; the first stands alone
    source: str  # "llm:<model>", or "themes" / "themes:llm-failed": frequent terms, labelled


@dataclass(frozen=True)
class ChannelRef:
    """A channel on a chat platform: what a subscription posts to."""

    platform: str  # "slack" | "discord" | "recording"
    workspace_id: str  # Slack team id, Discord guild id
    channel_id: str


@dataclass(frozen=True)
class MessageRef:
    channel: ChannelRef
    message_id: str  # Slack ts, Discord message id


@dataclass(frozen=True)
class ThreadRef:
    channel: ChannelRef
    thread_id: str  # Slack: the parent's ts; Discord: the thread channel's id


@dataclass(frozen=True)
class Subscription:
    """A channel's weekly digest of one topic."""

    id: int
    channel: ChannelRef
    topic: str
    weekday: int  # 0 = Monday
    time: time  # local time of delivery
    tz: str
    language: str
    max_papers: int
    created_by: str
    paused: str | None = None  # why deliveries are paused (e.g. a missing permission)
    paused_by: str | None = None  # the user who paused it (``/arxiv pause``); None: the bot, for ``paused``
    # English terms searched and ranked by instead of ``topic`` (a topic in another
    # language, translated at subscribe time, or terms= given); None: the topic itself.
    search_terms: str | None = None
    learn: bool = True  # the channel's reactions shift its ranking (``digest.delivery.feedback``)
    budget: int | None = None  # monthly LLM tokens (0: unlimited); None: the workspace's setting


@dataclass(frozen=True)
class Owed:
    """A digest to plan: whose, of which window, under which run key (``digest.delivery.keys``),
    and for which weekly due instant (None: asked for on demand)."""

    subscription: Subscription
    window: Window
    key: str
    due_at: datetime | None = None


@dataclass(frozen=True)
class DigestRun:
    """One digest owed to one subscription, as its ``digest_runs`` row holds it; ``key``
    makes every step of it idempotent."""

    key: str
    subscription_id: int
    channel: ChannelRef
    topic: str
    language: str
    window: Window
    candidates: int  # papers arXiv returned for the window
    state: str  # "delivering" | "done" | "failed"
    error: str | None = None
    attempts: int = 0  # failed delivery attempts so far
    skipped: int = 0  # ranked in, left out: the channel holds them already (Store.plan_runs)
    owner: str | None = None  # the process delivering it (an instance id); None: free to take
    fence: int = 0  # bumped at each take-over: the owner's marks carry it (Store.take_over)
    due_at: datetime | None = None  # the weekly instant a scheduled run was fired for; None: on demand
    retry_at: datetime | None = None  # when a failed scheduled run is tried again; None: not waiting
    updated_at: datetime | None = None  # its row's last change (None: not stored yet)
    missing: int = 0  # results arXiv reported for the window but never delivered (``Fetched.missing``)


HEADER = 0  # ledger position of a digest's header message; cards are 1..N

# An on-demand single-paper run (``/arxiv paper``, ``Deliverer.post_paper``) belongs to no
# subscription and has no topic: its ``subscription_id`` is ``NO_SUBSCRIPTION`` and its
# ``topic`` is ``PAPER_TOPIC``. Its card shows no topic and no relevance, and it has no
# header message (its header row is recorded as sent when it is planned).
NO_SUBSCRIPTION = 0  # subscription ids start at 1
PAPER_TOPIC = ""  # a subscription's topic is never empty (bot.commands refuses one)


@dataclass(frozen=True)
class Delivery:
    """The ledger row of one message of a run, written before anything is sent."""

    run_key: str
    position: int  # HEADER, then the cards' 1-based order
    arxiv_id: str  # "" for the header
    version: int
    score: float
    text: CardText | None  # the card as planned (None for the header)
    state: str  # "pending" | "sending" | "sent" | "failed" | "unknown"
    message_id: str | None = None
    error: str | None = None


# --- thread Q&A (digest/qa/service.py) ------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """A ~150-300-word piece of a paper's text, within one section."""

    position: int  # 0-based, in reading order
    section: str  # the heading it sits under: "4.2 Results", "Abstract", "Appendix A Proofs"
    text: str


@dataclass(frozen=True)
class FullText:
    """A paper's text as passages, or why there is none."""

    arxiv_id: str
    version: int
    source: str  # "html" | "pdf" | "abstract" (no full text could be had)
    passages: tuple[Passage, ...]
    reason: str = ""  # why not HTML / why no full text, for logs and the reader
    final: bool = True  # False: a transient failure (timeout, 5xx): worth trying again later


@dataclass(frozen=True)
class Held:
    """Where a channel holds a paper already: the run that claimed it, and its card's state."""

    run_key: str
    topic: str  # the claiming digest's topic; PAPER_TOPIC when /arxiv paper posted it
    state: str  # the card's ledger state: "sent", or not yet ("pending", "sending", "failed", "unknown")
    at: datetime  # when it was posted ("sent"), else when it was claimed
    message_id: str | None = None  # the card's message, once sent
