"""The one Retry-After parser of the arXiv and LLM clients (RFC 9110 §10.2.3)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from digest.retry import retry_after_seconds


@pytest.mark.parametrize(
    "value, seconds",
    [("5", 5.0), ("0.5", 0.5), ("-3", 0.0), (None, None), ("", None), ("soon", None), ("nan", None), ("NaN", None)],
)
def test_delta_seconds_and_junk(value, seconds):
    assert retry_after_seconds(value) == seconds


def test_an_http_date_is_seconds_from_now():
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=120), usegmt=True)
    assert 100 < retry_after_seconds(later) <= 120
    earlier = format_datetime(datetime.now(timezone.utc) - timedelta(seconds=120), usegmt=True)
    assert retry_after_seconds(earlier) == 0.0
