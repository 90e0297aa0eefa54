"""Weekly schedule arithmetic: when a subscription's digest is due, in UTC instants.

Pure (no I/O, no scheduler import): the scheduler wiring, the catch-up after downtime
and `digest-bot status` all read due times from here, so they cannot disagree.

Local times that a DST change skips fire at the first instant that exists after them
(02:30 on New York's spring-forward day fires at 03:00 EDT); local times that happen
twice fire once, at the first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.models import Subscription, Window

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEK = timedelta(days=7)
_SECOND = timedelta(seconds=1)


def _require_aware(moment: datetime, name: str = "moment") -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be tz-aware, got naive {moment!r}")
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class WeeklySchedule:
    """Every week on ``weekday`` (0 = Monday) at local ``time`` in the IANA zone ``tz``."""

    weekday: int
    time: time
    tz: str

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if self.time.tzinfo is not None:
            raise ValueError("time must be a local wall-clock time without tzinfo; the zone is tz")
        if self.time.microsecond:
            # Cron triggers have whole seconds; keep both views of the schedule identical.
            raise ValueError("time must be whole seconds")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"tz must be an IANA time zone such as Asia/Tokyo, got {self.tz!r}") from None

    @classmethod
    def of(cls, subscription: Subscription) -> WeeklySchedule:
        return cls(subscription.weekday, subscription.time, subscription.tz)

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday].title()} {self.time.isoformat('minutes')} {self.tz}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)  # cached by zoneinfo; not a field so the dataclass stays hashable

    def instant_on(self, day: date) -> datetime:
        """The UTC instant this schedule's local time names on local date ``day``.

        ``day`` need not be the schedule's weekday (callers pick the weekdays).
        """
        zone = self.zone
        wall = datetime.combine(day, self.time)
        first = wall.replace(tzinfo=zone)  # fold=0: the earlier of two occurrences
        if _wall_time(first.astimezone(timezone.utc), zone) == wall:
            return first.astimezone(timezone.utc)
        # The wall time falls in a gap. The two folds bracket the transition: one maps to
        # an instant before it, the other after. Bisect (tzdata transitions fall on whole
        # seconds) for the first instant whose wall time is past ``wall``: the gap's end.
        lo, hi = sorted(wall.replace(tzinfo=zone, fold=f).astimezone(timezone.utc) for f in (0, 1))
        while hi - lo > _SECOND:
            mid = lo + _SECOND * ((hi - lo) // _SECOND // 2)
            if _wall_time(mid, zone) > wall:
                hi = mid
            else:
                lo = mid
        return hi

    def _first_day(self, moment: datetime, back: int) -> date:
        """A schedule weekday at least ``back`` days before ``moment``'s local date."""
        local = moment.astimezone(self.zone).date() - timedelta(days=back)
        return local - timedelta(days=(local.weekday() - self.weekday) % 7)

    def next_after(self, moment: datetime) -> datetime:
        """The first due instant strictly after ``moment`` (tz-aware), in UTC."""
        moment = _require_aware(moment)
        # Start a week early (never past the answer, even when a gap pushes an instant
        # past local midnight) and walk forward.
        day = self._first_day(moment, back=7)
        while (due := self.instant_on(day)) <= moment:
            day += _WEEK
        return due

    def last_at_or_before(self, moment: datetime) -> datetime:
        """The latest due instant at or before ``moment`` (tz-aware), in UTC."""
        moment = _require_aware(moment)
        day = self._first_day(moment, back=-8)  # a week late, then walk back
        while (due := self.instant_on(day)) > moment:
            day -= _WEEK
        return due


def _wall_time(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def due_since(
    schedule: WeeklySchedule,
    last_fired: datetime | None,
    now: datetime,
    grace: timedelta,
) -> datetime | None:
    """The one due instant to fire now, or None.

    That is the latest due instant in (``last_fired``, ``now``] if it is at most
    ``grace`` before ``now``. Several weeks missed during downtime collapse into that
    one instant (the digest covers the whole gap anyway); one older than the grace is
    skipped so a bot back after a long outage does not post a stale digest at an odd
    hour. A subscription that never fired should pass its creation time as
    ``last_fired``, or subscribing just after the weekly time would fire at once.
    """
    now = _require_aware(now, "now")
    if grace < timedelta(0):
        raise ValueError(f"grace must not be negative, got {grace}")
    latest = schedule.last_at_or_before(now)
    if last_fired is not None and latest <= _require_aware(last_fired, "last_fired"):
        return None
    if now - latest > grace:
        return None
    return latest


def cron_fields(schedule: WeeklySchedule) -> dict[str, Any]:
    """Keyword arguments for APScheduler 3's ``CronTrigger`` firing on this schedule.

    APScheduler 3.11 differs from ``next_after`` on DST days only: it fires a skipped
    local time one gap late (02:30 EST, i.e. 03:30 EDT, where ``next_after`` says 03:00
    EDT) and a repeated local time twice. Its fire time is never earlier than the due
    instant here, so a job that asks ``due_since`` what is owed fires each week once.
    """
    return {
        "day_of_week": WEEKDAYS[schedule.weekday],
        "hour": schedule.time.hour,
        "minute": schedule.time.minute,
        "second": schedule.time.second,
        "timezone": schedule.tz,
    }


FIRST_DIGEST_DAYS = 7
# arXiv lists a paper a day or more after its submission date: each window reaches back
# over the end of the last one, and the ledger drops what the channel already got.
OVERLAP_DAYS = 3


def digest_window(last: Window | None, due: date, tz: str, owed_since: date | None = None) -> Window:
    """The window a digest due on local date ``due`` covers: everything since the last one.

    Without a last one, the first digest's days, from ``owed_since`` when an earlier due
    date's digest was never delivered (given up: arXiv down all that day).
    """
    if last is None:
        return Window(min(due, owed_since or due) - timedelta(days=FIRST_DIGEST_DAYS - 1), due, tz)
    start = min(last.end - timedelta(days=OVERLAP_DAYS), due)
    return Window(start, due, tz)


def owed_window(subscription: Subscription, due: datetime, last: Window | None, failing_since: datetime | None) -> Window:
    """The window of the digest ``subscription`` owes for the due instant ``due``.

    Everything since ``last`` (its last digest delivered), however many weeks were missed;
    before the first, since ``failing_since``, the first due instant whose digest could
    not be built, if any (``digest_window``, in the subscription's local dates).
    """
    zone = ZoneInfo(subscription.tz)
    since = failing_since.astimezone(zone).date() if failing_since is not None else None
    return digest_window(last, due.astimezone(zone).date(), subscription.tz, since)
