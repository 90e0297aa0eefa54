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

    @classmethod
    def last_days(cls, today: date, days: int, tz: str) -> Window:
        return cls(today - timedelta(days=days - 1), today, tz)


@dataclass(frozen=True)
class Digest:
    topic: str
    window: Window
    language: str
    cards: tuple[Card, ...]
    candidates: int = 0  # papers arXiv returned before ranking
    notes: tuple[str, ...] = field(default=())  # e.g. "3 cards are extractive: LLM failed"
