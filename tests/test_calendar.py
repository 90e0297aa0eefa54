"""arXiv's announcement calendar (digest/arxiv/calendar.py): weekdays, DST, listing dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from digest.arxiv.calendar import announcement_instants, instant_of_listing, last_announcement, listing_date

UTC = timezone.utc


def test_a_week_has_five_announcements_sunday_to_thursday_at_20_eastern():
    # Friday 2026-12-04 02:00 UTC (after Thursday's 20:00 EST = 01:00 UTC) to the next one.
    found = announcement_instants(datetime(2026, 12, 4, 2, tzinfo=UTC), datetime(2026, 12, 11, 2, tzinfo=UTC))
    assert found == [datetime(2026, 12, d, 1, 0, tzinfo=UTC) for d in (7, 8, 9, 10, 11)]
    # ... listed Monday to Friday: none listed on Saturday or Sunday.
    assert [listing_date(i).strftime("%a") for i in found] == ["Mon", "Tue", "Wed", "Thu", "Fri"]


def test_summer_time_moves_the_instant_an_hour_earlier_in_utc():
    # US DST began Sunday 2026-03-08: Thursday 03-05 20:00 EST, Sunday 03-08 20:00 EDT.
    found = announcement_instants(datetime(2026, 3, 5, 2, tzinfo=UTC), datetime(2026, 3, 9, 12, tzinfo=UTC))
    assert found == [datetime(2026, 3, 6, 1, 0, tzinfo=UTC), datetime(2026, 3, 9, 0, 0, tzinfo=UTC)]
    assert [listing_date(i) for i in found] == [date(2026, 3, 6), date(2026, 3, 9)]
    # And back in November (ends Sunday 2026-11-01).
    back = announcement_instants(datetime(2026, 10, 29, 2, tzinfo=UTC), datetime(2026, 11, 2, 12, tzinfo=UTC))
    assert back == [datetime(2026, 10, 30, 0, 0, tzinfo=UTC), datetime(2026, 11, 2, 1, 0, tzinfo=UTC)]


def test_bounds_are_start_exclusive_end_inclusive():
    monday = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    assert announcement_instants(monday, monday) == []
    assert announcement_instants(monday - timedelta(seconds=1), monday) == [monday]
    assert announcement_instants(monday, monday + timedelta(hours=23)) == []


def test_the_weekend_has_none_and_the_last_one_is_thursdays():
    saturday_noon = datetime(2026, 12, 12, 17, 0, tzinfo=UTC)
    assert last_announcement(saturday_noon) == datetime(2026, 12, 11, 1, 0, tzinfo=UTC)  # Thu 20:00 EST
    assert announcement_instants(datetime(2026, 12, 11, 2, 0, tzinfo=UTC), datetime(2026, 12, 14, 0, 0, tzinfo=UTC)) == []
    # Sunday 20:00 EST itself is an announcement.
    sunday = datetime(2026, 12, 14, 1, 0, tzinfo=UTC)
    assert last_announcement(sunday) == sunday
    assert last_announcement(sunday - timedelta(seconds=1)) == datetime(2026, 12, 11, 1, 0, tzinfo=UTC)


def test_listing_dates_map_back_to_instants():
    for instant in announcement_instants(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)):
        assert instant_of_listing(listing_date(instant)) == instant
    assert instant_of_listing(date(2026, 12, 12)) is None  # a Saturday
    assert instant_of_listing(date(2026, 12, 13)) is None  # a Sunday


def test_known_holidays_can_be_skipped():
    christmas = date(2026, 12, 25)  # a Friday listing: Thursday evening's announcement
    found = announcement_instants(datetime(2026, 12, 20, tzinfo=UTC), datetime(2026, 12, 27, tzinfo=UTC), skip={christmas})
    assert christmas not in [listing_date(i) for i in found] and len(found) == 4
    assert last_announcement(datetime(2026, 12, 26, tzinfo=UTC), skip={christmas}) == datetime(2026, 12, 24, 1, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        announcement_instants(datetime(2026, 12, 1), datetime(2026, 12, 8, tzinfo=UTC))
    with pytest.raises(ValueError, match="naive"):
        last_announcement(datetime(2026, 12, 1))
