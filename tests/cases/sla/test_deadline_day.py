"""The promised day of a deadline ("Expected by Friday 11 December 2026"): the deadline rounded
up to the end of a business day (cases.sla.business_time.deadline_day). No database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.sla.business_time import Calendar, add_business_minutes, deadline_day

CHICAGO = ZoneInfo("America/Chicago")
# Mon-Fri 08:00-12:00 and 13:00-17:00, Christmas Day 2026 (a Friday) closed.
OFFICE = Calendar(
    "America/Chicago",
    {day: [(time(8), time(12)), (time(13), time(17))] for day in range(5)},
    holidays=frozenset({date(2026, 12, 25)}),
)
ROUND_THE_CLOCK = Calendar.always_open("America/Chicago")
FRIDAY, SATURDAY, MONDAY = date(2026, 12, 11), date(2026, 12, 12), date(2026, 12, 14)


def chi(d: date, h: int, mi: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, h, mi, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("due", "day"),
    [
        (chi(FRIDAY, 10), FRIDAY),  # in open time: that day
        (chi(FRIDAY, 12, 30), FRIDAY),  # over lunch: the afternoon is still to come
        (chi(FRIDAY, 17), FRIDAY),  # the closing time itself belongs to the day it closes
        (chi(FRIDAY, 17, 1), MONDAY),  # after hours: nobody works until Monday
        (chi(FRIDAY, 23, 59), MONDAY),
        (chi(SATURDAY, 10), MONDAY),  # the weekend
        (chi(MONDAY, 7), MONDAY),  # before opening
        (chi(date(2026, 12, 24), 18), date(2026, 12, 28)),  # Christmas Eve after hours: Monday
        (chi(date(2026, 12, 25), 10), date(2026, 12, 28)),  # on the holiday
    ],
)
def test_a_deadline_is_promised_for_the_end_of_the_business_day_it_falls_in(due, day):
    assert deadline_day(OFFICE, due) == day


def test_a_deadline_given_in_another_zone_is_read_in_the_calendar_zone():
    # 23:30 UTC on Friday is 17:30 in Chicago: after Friday's closing.
    due = datetime(2026, 12, 11, 23, 30, tzinfo=ZoneInfo("UTC"))

    assert deadline_day(OFFICE, due) == MONDAY


def test_round_the_clock_the_day_is_the_local_date_and_midnight_ends_the_day_before():
    assert deadline_day(ROUND_THE_CLOCK, chi(FRIDAY, 23)) == FRIDAY
    assert deadline_day(ROUND_THE_CLOCK, chi(SATURDAY, 0)) == FRIDAY
    assert deadline_day(ROUND_THE_CLOCK, chi(SATURDAY, 0, 1)) == SATURDAY


def test_a_calendar_without_open_time_for_a_year_gives_the_local_date():
    mondays = frozenset(MONDAY + timedelta(weeks=n) for n in range(60))
    closed = Calendar("America/Chicago", {0: [(time(8), time(17))]}, holidays=mondays)

    assert deadline_day(closed, chi(FRIDAY, 10)) == FRIDAY


def test_the_naive_deadline_is_refused():
    with pytest.raises(ValueError):
        deadline_day(OFFICE, datetime(2026, 12, 11, 10))


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(CHICAGO)
    ),
    minutes=st.integers(min_value=1, max_value=60 * 24 * 30),
)
def test_a_deadline_the_engine_computes_is_promised_for_an_open_day_not_before_it(start, minutes):
    due = add_business_minutes(OFFICE, start, minutes)

    day = deadline_day(OFFICE, due)

    local = due.astimezone(CHICAGO)
    assert day.weekday() < 5 and day != date(2026, 12, 25)
    # Inside open time or at a closing time: the deadline's own date (17:00 is Friday's).
    assert day == local.date()
