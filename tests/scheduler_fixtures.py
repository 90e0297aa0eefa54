"""Builders shared by the scheduler, crash, process and scale tests: papers on a timeline,
and one bot process over a shared store (``World``).

Subscriptions record their creation time from the wall clock, so a test clock must
start after it: ``first_due`` picks a weekly instant a little in the future, and the
fake arXiv serves papers dated around it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from bot.gate import PostGate
from bot.schedule import WeeklySchedule
from bot.scheduler import DigestScheduler
from config.settings import SchedulerSettings
from digest.delivery.deliverer import Deliverer
from digest.models import ChannelRef, Subscription, Window
from digest.store import Store
from tests.engine_fixtures import make_engine
from tests.fakes.arxiv import atom_entries

TOPIC = "synthetic data"
SCHEDULE = WeeklySchedule(0, time(9), "UTC")  # Mondays 09:00 UTC


def first_due(schedule: WeeklySchedule = SCHEDULE, *, after: timedelta = timedelta(hours=2)) -> datetime:
    """The schedule's first due instant at least ``after`` from now (the wall clock)."""
    return schedule.next_after(datetime.now(timezone.utc) + after)


def paper_id(n: int) -> str:
    return f"2611.{10000 + n:05d}"


def papers(start: datetime, days: int, per_day: int = 1, *, offset: int = 0, topic: str = TOPIC) -> list[bytes]:
    """``per_day`` papers at 12:00 UTC on each of ``days`` days from ``start``'s date."""
    first = datetime.combine(start.date(), time(12), timezone.utc)
    entries = []
    for i in range(days * per_day):
        n = offset + i
        day = first + timedelta(days=i // per_day, minutes=i % per_day)
        entries.append(
            {
                "id": paper_id(n),
                "title": f"{topic.capitalize()} study {n}: generating {topic} for task {n}",
                "authors": ["A. Author", "B. Author"],
                "abstract": f"We propose method {n}, which generates {topic}. It improves accuracy by {n % 9 + 1} points. "
                "We evaluate it on three benchmarks. Code is released.",
                "categories": ["cs.CL"],
                "published": f"{day:%Y-%m-%dT%H:%M:%SZ}",
            }
        )
    return atom_entries(entries)


def published_day(n: int, start: datetime, per_day: int = 1) -> datetime:
    first = datetime.combine(start.date(), time(12), timezone.utc)
    return first + timedelta(days=n // per_day, minutes=n % per_day)


def subscribe(
    store: Store,
    channel: ChannelRef,
    *,
    topic: str = TOPIC,
    schedule: WeeklySchedule = SCHEDULE,
    max_papers: int = 50,
    language: str = "en",
) -> Subscription:
    return store.add_subscription(
        channel,
        topic,
        weekday=schedule.weekday,
        at=schedule.time,
        tz=schedule.tz,
        language=language,
        max_papers=max_papers,
        created_by="U1",
    )


# -- the scheduler's tests (tests/test_scheduler.py, tests/test_recovery.py) -------------

WEEK = timedelta(days=7)
C1 = ChannelRef("recording", "T1", "C1")
C2 = ChannelRef("recording", "T1", "C2")
D1 = first_due()  # the first Monday 09:00 UTC the tests' subscriptions are due
START = D1 - timedelta(days=13)  # one paper a day at 12:00 UTC, from here ...
DAYS = 42  # ... for six weeks


def day_of(n: int) -> int:
    """Days from D1's date to paper n's date."""
    return n - 13


class World:
    """One bot "process": its own engine, deliverer and scheduler over the shared store."""

    def __init__(self, store, arxiv, chat, clock, llm_url=None, **settings):
        self.gate = PostGate()
        self.engine = make_engine(arxiv.url, store, llm_url, clock)
        self.deliverer = Deliverer(self.engine, store, self.gate.wrap({"recording": chat}))
        self.scheduler = DigestScheduler(store, self.deliverer, SchedulerSettings(**settings), clock)

    async def boot(self):
        """What taking the lead does: resume, then catch up; then stop firing."""
        await self.scheduler.start()
        await self.scheduler.idle()
        await self.scheduler.stop()
        await self.engine.aclose()


def cards(chat, channel=C1):
    return [p.text for p in chat.posted(channel) if p.kind == "card"]


def headers(chat, channel=C1):
    return [p.key for p in chat.posted(channel) if p.kind == "header"]


def week_before_d1() -> Window:
    """The week before D1, as an /arxiv now digest asks for it."""
    return Window((D1 - timedelta(days=7)).date(), (D1 - timedelta(days=1)).date(), "UTC")


def ids_between(first_day: int, last_day: int) -> set[str]:
    return {paper_id(n) for n in range(DAYS) if first_day <= day_of(n) <= last_day}
