"""arXiv's announcement calendar: when new papers become public.

arXiv announces Sunday to Thursday at 20:00 US Eastern (America/New_York, so 00:00 UTC
in summer and 01:00 UTC in winter), none on Friday or Saturday: a paper submitted on
Friday is announced on Sunday evening. The announcement of Thursday evening is listed
under Friday's date (the RSS/Atom listing's ``published``, the OAI-PMH datestamp): a
listing date is always the next Eastern day, which is also the instant's UTC date.

Holidays (arXiv skips a few announcements a year, posted on its schedule page) are not
a table here: the harvest learns them, recording a scheduled announcement whose
listing or OAI-PMH answer stays empty as "none" (``Announcement.papers == 0``). A
deployment that knows them ahead may pass ``skip`` dates (listing dates) to leave out.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
ANNOUNCE_AT = time(20, 0)  # US Eastern, DST-aware
DEADLINE = time(14, 0)  # US Eastern, Monday to Friday: a submission's cutoff for that evening
# Python weekdays (Monday = 0) of the evenings arXiv announces on: Sunday to Thursday.
ANNOUNCE_WEEKDAYS = frozenset({6, 0, 1, 2, 3})


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be tz-aware, got naive {value!r}")
    return value.astimezone(timezone.utc)


def _instant(evening: date) -> datetime:
    """The UTC instant of 20:00 US Eastern on ``evening``."""
    return datetime.combine(evening, ANNOUNCE_AT, EASTERN).astimezone(timezone.utc)


def listing_date(instant: datetime) -> date:
    """The date arXiv's listing of the announcement at ``instant`` carries (next Eastern day).

    20:00 Eastern is 00:00 or 01:00 UTC of the next day, so this is the instant's UTC date.
    """
    return _require_aware(instant, "instant").date()


def instant_of_listing(day: date) -> datetime | None:
    """The scheduled announcement listed under ``day``; None for a Saturday or Sunday
    (no announcement is listed under those dates)."""
    evening = day - timedelta(days=1)
    return _instant(evening) if evening.weekday() in ANNOUNCE_WEEKDAYS else None


def announcement_of_submission(submitted: datetime) -> datetime:
    """The scheduled announcement (UTC instant) of a version submitted at ``submitted``:
    that of the next weekday 14:00 US Eastern deadline, the same evening, or Sunday's for
    Friday's (holidays, which shift deadlines, aside). Raises ValueError when naive."""
    when = _require_aware(submitted, "submitted").astimezone(EASTERN)
    day = when.date()
    while day.weekday() >= 5 or when >= datetime.combine(day, DEADLINE, EASTERN):
        day += timedelta(days=1)
    return _instant(day + timedelta(days=2) if day.weekday() == 4 else day)


def announcement_instants(start: datetime, end: datetime, skip: Collection[date] = ()) -> list[datetime]:
    """The UTC instants of the scheduled announcements in (start, end], oldest first.

    ``skip``: listing dates known to have none (holidays), left out. Raises ValueError
    for naive datetimes.
    """
    start, end = _require_aware(start, "start"), _require_aware(end, "end")
    found: list[datetime] = []
    evening = start.astimezone(EASTERN).date() - timedelta(days=1)
    while (instant := _instant(evening)) <= end:
        if start < instant and evening.weekday() in ANNOUNCE_WEEKDAYS and listing_date(instant) not in skip:
            found.append(instant)
        evening += timedelta(days=1)
    return found


def last_announcement(now: datetime, skip: Collection[date] = ()) -> datetime:
    """The latest scheduled announcement at or before ``now`` (UTC)."""
    now = _require_aware(now, "now")
    # Five announcing evenings a week: one lies within any eight days (holidays aside).
    back = timedelta(days=8)
    while not (found := announcement_instants(now - back, now, skip)):
        back *= 2
    return found[-1]
