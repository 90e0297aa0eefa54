"""Weekly schedule arithmetic: DST both ways, odd offsets, week edges, catch-up after downtime,
the window a digest owes."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import WeeklySchedule, due_since, owed_window
from digest.models import ChannelRef, Subscription, Window

UTC = timezone.utc
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz: str, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz), fold=fold)


# --- next_after / last_at_or_before -------------------------------------------------

TOKYO_MON_9 = WeeklySchedule(MON, time(9), "Asia/Tokyo")  # Monday 00:00 UTC


def test_next_after_is_the_coming_weekday_and_returns_utc():
    due = TOKYO_MON_9.next_after(utc(2024, 4, 20, 12))  # a Saturday
    assert due == utc(2024, 4, 22, 0)
    assert due.tzinfo is UTC


def test_next_after_is_strictly_after():
    at = utc(2024, 4, 22, 0)
    assert TOKYO_MON_9.next_after(at - timedelta(microseconds=1)) == at
    assert TOKYO_MON_9.next_after(at) == at + timedelta(days=7)


def test_last_at_or_before_includes_the_instant_itself():
    at = utc(2024, 4, 22, 0)
    assert TOKYO_MON_9.last_at_or_before(at) == at
    assert TOKYO_MON_9.last_at_or_before(at - timedelta(microseconds=1)) == at - timedelta(days=7)


def test_any_aware_moment_is_accepted():
    moment = local("America/Los_Angeles", 2024, 4, 21, 16, 59)  # 23:59 UTC Sunday
    assert TOKYO_MON_9.next_after(moment) == utc(2024, 4, 22, 0)


@pytest.mark.parametrize(
    ("schedule", "moment", "expected"),
    [
        # Local Monday 08:00 in Tokyo is Sunday 23:00 UTC: the UTC date is the day before.
        (WeeklySchedule(MON, time(8), "Asia/Tokyo"), utc(2024, 4, 21, 22), utc(2024, 4, 21, 23)),
        # Sunday 23:30 in Honolulu (-10) is Monday 09:30 UTC: the UTC date is the day after.
        (WeeklySchedule(SUN, time(23, 30), "Pacific/Honolulu"), utc(2024, 4, 22, 9), utc(2024, 4, 22, 9, 30)),
        # +14 and -11: the same weekday name lands on UTC dates two days apart.
        (WeeklySchedule(MON, time(0), "Pacific/Kiritimati"), utc(2024, 4, 20), utc(2024, 4, 21, 10)),
        (WeeklySchedule(MON, time(23, 59), "Pacific/Pago_Pago"), utc(2024, 4, 20), utc(2024, 4, 23, 10, 59)),
        # Across a year's end, and midnight on the dot.
        (WeeklySchedule(WED, time(0), "UTC"), utc(2024, 12, 31, 23, 59), utc(2025, 1, 1, 0)),
        (WeeklySchedule(TUE, time(0), "UTC"), utc(2024, 12, 31, 0), utc(2025, 1, 7, 0)),
    ],
)
def test_week_and_date_boundaries(schedule, moment, expected):
    assert schedule.next_after(moment) == expected
    assert schedule.last_at_or_before(expected) == expected
    assert schedule.last_at_or_before(moment) == expected - timedelta(days=7)


@pytest.mark.parametrize(
    ("schedule", "day_before", "expected"),
    [
        # Odd offsets without DST.
        (WeeklySchedule(WED, time(9), "Asia/Kolkata"), utc(2024, 1, 2), utc(2024, 1, 3, 3, 30)),
        (WeeklySchedule(WED, time(9), "Asia/Kathmandu"), utc(2024, 1, 2), utc(2024, 1, 3, 3, 15)),
        # New York springs forward 2024-03-10 at 02:00 EST -> 03:00 EDT (07:00 UTC).
        (WeeklySchedule(SUN, time(1, 30), "America/New_York"), utc(2024, 3, 9), utc(2024, 3, 10, 6, 30)),
        (WeeklySchedule(SUN, time(2, 0), "America/New_York"), utc(2024, 3, 9), utc(2024, 3, 10, 7)),
        (WeeklySchedule(SUN, time(2, 30), "America/New_York"), utc(2024, 3, 9), utc(2024, 3, 10, 7)),
        (WeeklySchedule(SUN, time(2, 59, 59), "America/New_York"), utc(2024, 3, 9), utc(2024, 3, 10, 7)),
        (WeeklySchedule(SUN, time(3, 30), "America/New_York"), utc(2024, 3, 9), utc(2024, 3, 10, 7, 30)),
        # A week later 02:30 exists again (EDT).
        (WeeklySchedule(SUN, time(2, 30), "America/New_York"), utc(2024, 3, 11), utc(2024, 3, 17, 6, 30)),
        # New York falls back 2024-11-03: 01:30 happens at 05:30 (EDT) and 06:30 UTC (EST).
        (WeeklySchedule(SUN, time(1, 30), "America/New_York"), utc(2024, 11, 2), utc(2024, 11, 3, 5, 30)),
        # London: 01:30 is skipped on 2024-03-31 (fires 02:00 BST) and doubled on 2024-10-27.
        (WeeklySchedule(SUN, time(1, 30), "Europe/London"), utc(2024, 3, 30), utc(2024, 3, 31, 1)),
        (WeeklySchedule(SUN, time(1, 30), "Europe/London"), utc(2024, 10, 26), utc(2024, 10, 27, 0, 30)),
        # Lord Howe moves by half an hour: +10:30 -> +11 on 2024-10-06 02:00 (skips to 02:30),
        # +11 -> +10:30 on 2024-04-07 02:00 (01:30-02:00 happens twice).
        (WeeklySchedule(SUN, time(2, 15), "Australia/Lord_Howe"), utc(2024, 10, 5), utc(2024, 10, 5, 15, 30)),
        (WeeklySchedule(SUN, time(1, 45), "Australia/Lord_Howe"), utc(2024, 4, 6), utc(2024, 4, 6, 14, 45)),
        # Southern hemisphere: Sydney skips 02:00-03:00 on 2024-10-06.
        (WeeklySchedule(SUN, time(2, 30), "Australia/Sydney"), utc(2024, 10, 5), utc(2024, 10, 5, 16)),
        # Santiago changes at midnight: Sunday 2024-09-08 00:00 -04 -> 01:00 -03.
        (WeeklySchedule(SUN, time(0, 30), "America/Santiago"), utc(2024, 9, 7), utc(2024, 9, 8, 4)),
        # Samoa skipped the whole of Friday 2011-12-30: Friday 10:00 fires at Saturday 00:00.
        (WeeklySchedule(FRI, time(10), "Pacific/Apia"), utc(2011, 12, 27), utc(2011, 12, 30, 10)),
    ],
)
def test_dst_and_odd_offsets(schedule, day_before, expected):
    assert schedule.next_after(day_before) == expected
    assert schedule.last_at_or_before(expected) == expected
    assert schedule.next_after(expected - timedelta(seconds=1)) == expected


def test_skipped_time_fires_at_the_first_instant_that_exists():
    due = WeeklySchedule(SUN, time(2, 30), "America/New_York").next_after(utc(2024, 3, 9))
    assert due.astimezone(ZoneInfo("America/New_York")) == local("America/New_York", 2024, 3, 10, 3)


def test_repeated_time_fires_once_at_the_first_occurrence():
    schedule = WeeklySchedule(SUN, time(1, 30), "America/New_York")
    first = schedule.next_after(utc(2024, 11, 2))
    # (Compared in UTC: Python never equates an ambiguous local time across zones.)
    assert first == local("America/New_York", 2024, 11, 3, 1, 30, fold=0).astimezone(UTC)
    second_occurrence = local("America/New_York", 2024, 11, 3, 1, 30, fold=1).astimezone(UTC)
    assert schedule.next_after(first) == utc(2024, 11, 10, 6, 30)  # not the second 01:30
    assert schedule.last_at_or_before(second_occurrence) == first


ZONES = [
    "Asia/Tokyo",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Pacific/Chatham",
    "America/Santiago",
    "UTC",
]


@pytest.mark.parametrize("tz", ZONES)
def test_a_year_of_days(tz):
    """Every day of 2024 at a random local time: the answers bracket it and name the right slot."""
    rng = random.Random(tz)
    zone = ZoneInfo(tz)
    for offset in range(366):
        schedule = WeeklySchedule(rng.randrange(7), time(rng.randrange(24), rng.choice((0, 15, 30, 45))), tz)
        moment = datetime.combine(date(2024, 1, 1) + timedelta(days=offset), time(rng.randrange(24), rng.randrange(60)), zone)
        due = schedule.next_after(moment)
        last = schedule.last_at_or_before(moment)
        assert last <= moment < due
        assert timedelta(days=6) < due - last < timedelta(days=8)
        assert due - moment <= timedelta(days=7, hours=1)
        assert schedule.next_after(last) == due
        assert schedule.last_at_or_before(due) == due
        for instant in (due, last):
            wall = instant.astimezone(zone)
            assert wall.weekday() == schedule.weekday
            slot = datetime.combine(wall.date(), schedule.time)
            if wall.replace(tzinfo=None) != slot:
                # Only a local time the clocks skipped may move, and only to the gap's end.
                assert slot.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != slot
                assert timedelta(0) < wall.replace(tzinfo=None) - slot <= timedelta(hours=1)
                before = (instant - timedelta(seconds=1)).astimezone(zone)
                assert before.utcoffset() != wall.utcoffset()  # the instant is a transition


# --- due_since -------------------------------------------------------------------------

WEEK = timedelta(days=7)
GRACE = timedelta(hours=6)
W0 = utc(2024, 4, 22, 0)  # TOKYO_MON_9's instants: W0, W0 + 1 week, ...


def test_due_on_time():
    assert due_since(TOKYO_MON_9, W0 - WEEK, W0 + timedelta(seconds=3), GRACE) == W0


def test_nothing_due_before_the_time_or_once_fired():
    assert due_since(TOKYO_MON_9, W0 - WEEK, W0 - timedelta(seconds=1), GRACE) is None
    assert due_since(TOKYO_MON_9, W0, W0 + timedelta(minutes=5), GRACE) is None


def test_downtime_across_one_scheduled_time_fires_it_once():
    now = W0 + WEEK + timedelta(hours=2)
    assert due_since(TOKYO_MON_9, W0, now, GRACE) == W0 + WEEK
    assert due_since(TOKYO_MON_9, W0 + WEEK, now, GRACE) is None


def test_downtime_across_two_scheduled_times_fires_only_the_latest():
    assert due_since(TOKYO_MON_9, W0, W0 + 2 * WEEK + timedelta(hours=1), GRACE) == W0 + 2 * WEEK


def test_outside_the_grace_nothing_fires():
    assert due_since(TOKYO_MON_9, W0, W0 + WEEK + GRACE + timedelta(seconds=1), GRACE) is None
    assert due_since(TOKYO_MON_9, W0, W0 + WEEK + GRACE, GRACE) == W0 + WEEK  # the edge is inside
    assert due_since(TOKYO_MON_9, W0, W0 + 3 * WEEK - timedelta(hours=1), GRACE) is None


def test_never_fired():
    assert due_since(TOKYO_MON_9, None, W0 + timedelta(hours=1), GRACE) == W0
    assert due_since(TOKYO_MON_9, None, W0 + timedelta(days=1), GRACE) is None


def test_zero_grace_fires_only_at_the_instant():
    assert due_since(TOKYO_MON_9, None, W0, timedelta(0)) == W0
    assert due_since(TOKYO_MON_9, None, W0 + timedelta(seconds=1), timedelta(0)) is None


def test_a_process_that_is_down_for_weeks_fires_once_per_live_stretch():
    """Hourly ticks over 8 weeks, down from week 1 to week 3 + 2 h: fires W0, W3, W4..W7."""
    fired: list[datetime] = []
    last = W0 - WEEK
    now = W0 - timedelta(hours=12)
    while now < W0 + 8 * WEEK:
        down = W0 + timedelta(days=1) <= now < W0 + 3 * WEEK + timedelta(hours=2)
        if not down and (due := due_since(TOKYO_MON_9, last, now, GRACE)):
            fired.append(due)
            last = due
        now += timedelta(hours=1)
    assert fired == [W0 + k * WEEK for k in (0, 3, 4, 5, 6, 7)]


def test_invalid_arguments():
    with pytest.raises(ValueError, match="tz-aware"):
        TOKYO_MON_9.next_after(datetime(2024, 4, 22))
    with pytest.raises(ValueError, match="tz-aware"):
        due_since(TOKYO_MON_9, datetime(2024, 4, 22), W0, GRACE)
    with pytest.raises(ValueError, match="negative"):
        due_since(TOKYO_MON_9, None, W0, -GRACE)
    with pytest.raises(ValueError, match="weekday"):
        WeeklySchedule(7, time(9), "UTC")
    with pytest.raises(ValueError, match="IANA"):
        WeeklySchedule(0, time(9), "Mars/Olympus")
    with pytest.raises(ValueError, match="tzinfo"):
        WeeklySchedule(0, time(9, tzinfo=UTC), "UTC")
    with pytest.raises(ValueError, match="whole seconds"):
        WeeklySchedule(0, time(9, 0, 0, 5), "UTC")


def test_of_subscription_and_str():
    sub = Subscription(
        id=1,
        channel=ChannelRef("slack", "T1", "C1"),
        topic="synthetic data",
        weekday=MON,
        time=time(9),
        tz="Asia/Tokyo",
        language="ja",
        max_papers=10,
        created_by="U1",
    )
    assert WeeklySchedule.of(sub) == TOKYO_MON_9
    assert str(TOKYO_MON_9) == "Mon 09:00 Asia/Tokyo"
    assert hash(TOKYO_MON_9) == hash(WeeklySchedule(MON, time(9), "Asia/Tokyo"))


# --- owed_window -----------------------------------------------------------------------


def test_the_window_owed_runs_from_the_last_digest_in_local_dates():
    sub = Subscription(1, ChannelRef("slack", "T", "C"), "t", MON, time(9), "Asia/Tokyo", "en", 5, "U")
    due = local("Asia/Tokyo", 2026, 11, 23, 9)  # Sunday 00:00 UTC: Monday in Tokyo
    first = owed_window(sub, due, None, None)
    assert (first.start, first.end, first.tz) == (date(2026, 11, 17), date(2026, 11, 23), "Asia/Tokyo")
    after_failures = owed_window(sub, due, None, due - timedelta(days=14))  # the first digest never went out
    assert after_failures.start == date(2026, 11, 3)
    last = Window(date(2026, 11, 10), date(2026, 11, 16), "Asia/Tokyo")
    assert owed_window(sub, due, last, None).start == date(2026, 11, 13)  # three days of overlap
