"""Builders shared by the scheduler, crash, process and scale tests: papers on a timeline.

Subscriptions record their creation time from the wall clock, so a test clock must
start after it: ``first_due`` picks a weekly instant a little in the future, and the
fake arXiv serves papers dated around it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from bot.schedule import WeeklySchedule
from digest.models import ChannelRef, Subscription
from digest.store import Store
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
