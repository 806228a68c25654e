"""The reports' bulk counter of business minutes (OpenTimeIndex) gives exactly what
business_minutes_between gives, across DST changes, holidays, night shifts and 24/7."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from cases.sla.business_time import Calendar, OpenTimeIndex, business_minutes_between

OFFICE = {d: [(time(8), time(12)), (time(13), time(17))] for d in range(5)}
CALENDARS = [
    Calendar(
        "America/New_York",
        OFFICE,
        holidays=frozenset({date(2026, 11, 26)}),
        recurring_holidays=frozenset({(12, 25), (1, 1)}),
    ),
    Calendar("Europe/Madrid", {d: [(time(22), time(6))] for d in range(7)}),  # night shift
    Calendar("America/Chicago", {d: [(time(0), time(0))] for d in range(7)}),  # 24/7
    Calendar("Australia/Lord_Howe", {d: [(time(1), time(3))] for d in range(7)}),  # 30-min DST
]


@pytest.mark.parametrize("calendar", CALENDARS, ids=lambda c: c.timezone)
def test_the_index_counts_what_the_engine_counts(calendar):
    first, last = date(2025, 12, 1), date(2027, 4, 30)
    index = OpenTimeIndex(calendar, first, last)
    rnd = random.Random(7)
    low = datetime(2025, 12, 3, tzinfo=UTC)
    for _ in range(400):
        start = low + timedelta(seconds=rnd.randint(0, 400 * 86400))
        end = start + timedelta(seconds=rnd.choice((0, 59, 3600, 86400 * 3, 86400 * 40))
                                + rnd.randint(0, 7200))  # fmt: skip
        assert index.covers(start, end)
        assert index.minutes_between(start, end) == business_minutes_between(calendar, start, end)
    assert index.minutes_between(low + timedelta(days=2), low) == 0  # end before start
    assert not index.covers(datetime(2025, 11, 1, tzinfo=UTC), low)
