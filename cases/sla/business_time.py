"""Business-time arithmetic for SLA deadlines (pure: no database, no Django).

A :class:`Calendar` describes when a team is open: an IANA timezone, weekly opening hours
(several intervals a day) and holidays (local dates that are closed all day). Every function
here takes and returns *aware* datetimes; results are expressed in UTC.

Semantics (relied upon by the sweep, the case services and the benchmark):

* **A business minute is a real elapsed minute** during open time. Each local open interval of
  each local date is converted to a UTC interval and real seconds are summed. Hence on a DST
  "spring forward" day the skipped wall-clock hour contributes nothing, and on a "fall back"
  day the repeated hour is counted twice when it lies inside open hours.
* A local interval ``[s, e)`` opens at the first instant the wall clock reads ``s`` or later
  and closes at the first instant it reads ``e`` or later. So a repeated (fall-back) wall time
  means its first occurrence (``fold=0``): an interval 01:00-03:00 on the New York fall-back
  night lasts three real hours, and one ending at 01:30 closes at the first 01:30. A skipped
  (spring-forward) wall time means the transition instant: 01:00-03:00 on the New York
  spring-forward night lasts one real hour, and an interval wholly inside the gap is empty.
  This mapping is monotonic, so intervals never overlap in real time.
* An interval crossing midnight (``end < start``, e.g. 22:00-06:00) is normalised into
  ``start-24:00`` on its day and ``00:00-end`` on the next day; each part belongs to its own
  local date, so a holiday on the next date closes the morning part.
* Holidays close their whole local date: one-off dates, and recurring ``(month, day)`` pairs
  closed every year. A holiday on a day that is closed anyway changes nothing (no double
  counting).
* ``add_business_minutes(cal, start, 0)`` returns ``start`` itself (as UTC), even when closed.
  For ``minutes > 0`` counting starts at ``start`` if open, else at the next opening; the
  result is an open instant or exactly the end of an open interval (never later than needed,
  so a deadline never lands on a holiday or in closed hours, except at a closing time).
* ``business_minutes_between`` counts only open time in ``[start, end)`` and is the exact
  inverse: ``business_minutes_between(c, s, add_business_minutes(c, s, m)) == m``.

Long spans are fast: runs of days that contain no holiday and are at least two days away from
any UTC-offset change are skipped arithmetically (whole weeks hold exactly the calendar's
nominal weekly open time, leftover days their weekday's), so only days near holidays and DST
transitions are walked one by one. UTC-offset changes are found by sampling the offset at local
noon of every day (cached per timezone and year); the one assumption is that a zone does not
change its UTC offset twice within 24 hours, which no current tz rule does.
"""

from __future__ import annotations

import bisect
import math
from calendar import isleap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Calendar",
    "CalendarError",
    "OpenTimeIndex",
    "add_business_minutes",
    "business_minutes_between",
    "deadline_day",
    "deadline_from_consumed",
    "elapsed_fraction",
    "is_open",
    "next_open_instant",
]

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_US = timedelta(microseconds=1)
_SECOND = timedelta(seconds=1)
_ONE_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1)  # naive UTC, as the day spans are
_DAY_US = 86_400_000_000
_MINUTE_US = 60_000_000

# An interval as microseconds from local midnight: (start, end), 0 <= start < end <= _DAY_US.
_Span = tuple[int, int]


class CalendarError(ValueError):
    """A business calendar that cannot be used (no open hours, overlap, bad timezone, ...)."""


def _fmt(us: int) -> str:
    """Microseconds from midnight as HH:MM (HH:MM:SS when needed); the day's end is 24:00."""
    seconds, micro = divmod(us, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}"
    if secs or micro:
        text += f":{secs:02d}" + (f".{micro:06d}" if micro else "")
    return text


def _time_us(value: object, what: str) -> int:
    if not isinstance(value, time):
        raise CalendarError(f"{what} must be a datetime.time, got {value!r}")
    if value.tzinfo is not None:
        raise CalendarError(f"{what} must be a local (naive) time, got {value!r}")
    return (value.hour * 3600 + value.minute * 60 + value.second) * 1_000_000 + value.microsecond


def _month_day(item: object) -> tuple[int, int]:
    try:
        month, day = item  # type: ignore[misc]
        date(2000, month, day)  # a leap year, so 29 February is accepted
    except (TypeError, ValueError):
        raise CalendarError(
            f"a recurring holiday must be a valid (month, day) pair, got {item!r}"
        ) from None
    return int(month), int(day)


def _freeze_weekly(weekly: object) -> dict[int, tuple]:
    if not isinstance(weekly, Mapping):
        raise CalendarError("weekly hours must be a mapping of weekday (0=Monday) to intervals")
    frozen = {}
    for weekday, intervals in weekly.items():
        if isinstance(intervals, (str, bytes)) or not isinstance(intervals, Iterable):
            raise CalendarError(f"weekday {weekday!r}: intervals must be a list of (start, end)")
        frozen[weekday] = tuple(intervals)
    return frozen


def _normalise_weekly(weekly: Mapping[int, Sequence[tuple[time, time]]]) -> tuple:
    days: list[list[_Span]] = [[] for _ in range(7)]
    for weekday, intervals in weekly.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise CalendarError(
                f"weekday must be an integer 0 (Monday) to 6 (Sunday), got {weekday!r}"
            )
        name = WEEKDAY_NAMES[weekday]
        for interval in intervals:
            try:
                raw_start, raw_end = interval
            except (TypeError, ValueError):
                raise CalendarError(
                    f"{name}: an interval must be a (start, end) pair of times, got {interval!r}"
                ) from None
            start = _time_us(raw_start, f"{name}: interval start")
            end = _time_us(raw_end, f"{name}: interval end")
            if end == start and end != 0:
                raise CalendarError(
                    f"{name}: interval {_fmt(start)}-{_fmt(end)} is zero-length (start equals end)"
                )
            if end == 0:  # 00:00 as an end means midnight at the end of the day
                end = _DAY_US
            if end > start:
                days[weekday].append((start, end))
            else:  # crosses midnight: split into this day's evening and next day's morning
                days[weekday].append((start, _DAY_US))
                days[(weekday + 1) % 7].append((0, end))
    normalised = []
    for weekday, spans in enumerate(days):
        spans.sort()
        merged: list[_Span] = []
        for start, end in spans:
            if merged and start < merged[-1][1]:
                prev = merged[-1]
                raise CalendarError(
                    f"{WEEKDAY_NAMES[weekday]}: interval {_fmt(start)}-{_fmt(end)} overlaps "
                    f"{_fmt(prev[0])}-{_fmt(prev[1])}"
                )
            if merged and start == merged[-1][1]:  # touching: one continuous interval
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        normalised.append(tuple(merged))
    if not any(normalised):
        raise CalendarError("calendar has no open hours: give at least one weekly interval")
    return tuple(normalised)


@dataclass(frozen=True, eq=False)
class Calendar:
    """When a team is open: timezone, weekly hours (0=Monday..6=Sunday) and holidays.

    ``weekly`` maps a weekday to ``(start, end)`` local times. ``end == time(0, 0)`` means
    midnight at the end of that day (so ``(time(0), time(0))`` is the whole day); ``end <
    start`` crosses midnight into the next day. Intervals of a day must not overlap (touching
    is fine and merges). ``holidays`` are local dates closed all day; ``recurring_holidays``
    are ``(month, day)`` pairs closed every year (``(2, 29)`` only in leap years).
    """

    timezone: str
    weekly: Mapping[int, Sequence[tuple[time, time]]]
    holidays: frozenset[date] = frozenset()
    recurring_holidays: frozenset[tuple[int, int]] = frozenset()

    _tz: ZoneInfo = field(init=False, repr=False)
    _days: tuple[tuple[_Span, ...], ...] = field(init=False, repr=False)
    _day_us: tuple[int, ...] = field(init=False, repr=False)
    _week_us: int = field(init=False, repr=False)
    _holiday_list: tuple[date, ...] = field(init=False, repr=False)
    _recurring_list: tuple[tuple[int, int], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.timezone, str) or not self.timezone:
            raise CalendarError(
                f"timezone must be an IANA name such as 'UTC', got {self.timezone!r}"
            )
        try:
            tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise CalendarError(
                f"unknown timezone {self.timezone!r} (expected an IANA name)"
            ) from None
        weekly = _freeze_weekly(self.weekly)
        days = _normalise_weekly(weekly)
        holidays = self.holidays
        if isinstance(holidays, (str, bytes)) or not isinstance(holidays, Iterable):
            raise CalendarError("holidays must be a collection of dates")
        holidays = tuple(holidays)
        for day in holidays:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise CalendarError(f"holidays must be dates (not datetimes), got {day!r}")
        recurring = self.recurring_holidays
        if isinstance(recurring, (str, bytes)) or not isinstance(recurring, Iterable):
            raise CalendarError("recurring holidays must be a collection of (month, day) pairs")
        recurring = frozenset(_month_day(item) for item in recurring)
        set_ = object.__setattr__
        set_(self, "holidays", frozenset(holidays))
        set_(self, "recurring_holidays", recurring)
        set_(self, "_recurring_list", tuple(sorted(recurring)))
        set_(self, "weekly", MappingProxyType(weekly))
        set_(self, "_tz", tz)
        set_(self, "_days", days)
        day_us = tuple(sum(end - start for start, end in spans) for spans in days)
        set_(self, "_day_us", day_us)
        set_(self, "_week_us", sum(day_us))
        set_(self, "_holiday_list", tuple(sorted(self.holidays)))

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> Calendar:
        """A 24/7 calendar without holidays (for policies counted in calendar time)."""
        return cls(timezone, {day: [(time(0), time(0))] for day in range(7)})

    @classmethod
    def from_rows(
        cls,
        timezone: str,
        intervals: Iterable[tuple[int, time, time]],
        holidays: Iterable[date] = (),
        recurring_holidays: Iterable[tuple[int, int]] = (),
    ) -> Calendar:
        """Build from ``(weekday, start, end)`` rows, as stored for a business calendar."""
        weekly: dict[int, list[tuple[time, time]]] = {}
        for row in intervals:
            try:
                weekday, start, end = row
            except (TypeError, ValueError):
                raise CalendarError(
                    f"an interval row must be (weekday, start, end), got {row!r}"
                ) from None
            weekly.setdefault(weekday, []).append((start, end))
        return cls(timezone, weekly, frozenset(holidays), frozenset(recurring_holidays))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Calendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple:
        return (self.timezone, self._days, self.holidays, self.recurring_holidays)

    def is_holiday(self, day: date) -> bool:
        """Whether the local date ``day`` is a holiday (one-off or recurring)."""
        return day in self.holidays or (day.month, day.day) in self.recurring_holidays

    @property
    def tzinfo(self) -> ZoneInfo:
        return self._tz

    @property
    def weekly_open_minutes(self) -> float:
        """Nominal open minutes in a week without holidays or DST changes."""
        return self._week_us / _MINUTE_US

    def open_intervals(self, weekday: int) -> tuple[tuple[time | None, time | None], ...]:
        """The normalised local intervals of a weekday; an end of ``None`` means 24:00."""

        def to_time(us: int) -> time | None:
            if us == _DAY_US:
                return None
            seconds, micro = divmod(us, 1_000_000)
            return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)

        return tuple((to_time(s), to_time(e)) for s, e in self._days[weekday])

    # -- internals (naive datetimes below are UTC wall times) ---------------------------------

    def _local_date(self, utc: datetime) -> date:
        return utc.replace(tzinfo=UTC).astimezone(self._tz).date()

    def _instant(self, local: datetime) -> datetime:
        """The first UTC instant at which the wall clock reads ``local`` or later.

        Ordinary wall times map one-to-one; a repeated (fall-back) wall time maps to its first
        occurrence (``fold=0``); a skipped (spring-forward) wall time maps to the transition.
        The mapping is monotonic, so disjoint local intervals stay disjoint in UTC.
        """
        tz = self._tz
        before = tz.utcoffset(local)
        after = tz.utcoffset(local.replace(fold=1))
        first = local - before
        if before == after or first < local - after:  # ordinary, or repeated
            return first
        return _gap_transition(tz, local - after, first, after)

    def _day_spans(self, day: date) -> list[tuple[datetime, datetime]]:
        """Sorted, disjoint UTC intervals of the local date ``day`` (none on holidays)."""
        spans = self._days[day.weekday()]
        if not spans or self.is_holiday(day):
            return []
        midnight = datetime(day.year, day.month, day.day)
        out = []
        for start, end in spans:
            opens = self._instant(midnight + start * _US)
            closes = self._instant(midnight + end * _US)
            if closes > opens:  # empty when wholly inside a skipped hour
                out.append((opens, closes))
        return out

    def _next_holiday(self, day: date) -> date | None:
        """The first holiday on or after the local date ``day``, if any."""
        return _next_holiday_impl(self._holiday_list, self._recurring_list, day)

    def _nominal_us(self, day: date, days: int) -> int:
        """Open time of local dates [day, day + days) when no holiday or DST change is near."""
        weeks, rest = divmod(days, 7)
        first = day.weekday()
        return weeks * self._week_us + sum(self._day_us[(first + i) % 7] for i in range(rest))

    def _skippable_days(self, day: date, max_days: int) -> int:
        """How many local dates from ``day`` on hold exactly their nominal open time.

        Those are days without holidays and at least two days away from any UTC-offset change,
        so that their intervals map to UTC by one constant offset.
        """
        if max_days <= 0:
            return 0
        days = max_days
        holiday = self._next_holiday(day)
        if holiday is not None:
            days = min(days, (holiday - day).days)
            if days <= 0:
                return 0
        change = _first_offset_change(
            self.timezone, day - 2 * _ONE_DAY, day + timedelta(days=days + 2)
        )
        if change is not None:
            days = min(days, (change - day).days - 3)
        return max(days, 0)


def _next_holiday_impl(
    fixed: tuple[date, ...], recurring: tuple[tuple[int, int], ...], day: date
) -> date | None:
    """The first one-off or recurring holiday on or after ``day``."""
    candidates = []
    index = bisect.bisect_left(fixed, day)
    if index < len(fixed):
        candidates.append(fixed[index])
    # Every (month, day) recurs within 8 years (29 February skips some century years).
    for year in range(day.year, min(day.year + 8, MAXYEAR) + 1) if recurring else ():
        lower = (day.month, day.day) if year == day.year else (1, 1)
        found = next(
            (
                date(year, month, dom)
                for month, dom in recurring[bisect.bisect_left(recurring, lower) :]
                if (month, dom) != (2, 29) or isleap(year)
            ),
            None,
        )
        if found is not None:
            candidates.append(found)
            break
    return min(candidates, default=None)


def _gap_transition(tz: ZoneInfo, low: datetime, high: datetime, after: timedelta) -> datetime:
    """The UTC instant in (low, high] where ``tz`` switches to offset ``after`` (to the second)."""
    low = low.replace(microsecond=0)
    if high.microsecond:
        high = high.replace(microsecond=0) + _SECOND
    while high - low > _SECOND:
        mid = low + _SECOND * ((high - low) // _SECOND // 2)
        if mid.replace(tzinfo=UTC).astimezone(tz).utcoffset() == after:
            high = mid
        else:
            low = mid
    return high


@lru_cache(maxsize=4096)
def _offset_changes(timezone: str, year: int) -> tuple[date, ...]:
    """Local dates of ``year`` whose noon UTC offset differs from the previous day's noon."""
    tz = ZoneInfo(timezone)
    noon = datetime(year, 1, 1, 12)
    previous = tz.utcoffset(noon - _ONE_DAY) if year > 1 else tz.utcoffset(noon)
    changes = []
    while noon.year == year:
        offset = tz.utcoffset(noon)
        if offset != previous:
            changes.append(noon.date())
            previous = offset
        noon += _ONE_DAY
    return tuple(changes)


def _first_offset_change(timezone: str, first: date, last: date) -> date | None:
    """The first local date in [first, last] on which the zone's noon offset changes."""
    for year in range(first.year, last.year + 1):
        changes = _offset_changes(timezone, year)
        index = bisect.bisect_left(changes, first)
        if index < len(changes):
            return changes[index] if changes[index] <= last else None
    return None


def _as_utc(value: datetime, name: str) -> datetime:
    """An aware datetime as a naive UTC wall time (the internal representation)."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC).replace(tzinfo=None)


def _minutes_us(minutes: float, name: str) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)):
        raise TypeError(f"{name} must be a number of minutes, got {minutes!r}")
    if isinstance(minutes, float) and not math.isfinite(minutes):
        raise ValueError(f"{name} must be finite, got {minutes!r}")
    if minutes < 0:
        raise ValueError(f"{name} must not be negative, got {minutes!r}")
    if isinstance(minutes, int):
        return minutes * _MINUTE_US
    return round(minutes * _MINUTE_US)


def _aware(utc: datetime) -> datetime:
    return utc.replace(tzinfo=UTC)


def add_business_minutes(calendar: Calendar, start: datetime, minutes: float) -> datetime:
    """The UTC instant at which ``minutes`` business minutes have elapsed since ``start``.

    ``minutes == 0`` returns ``start`` (as UTC) even if the calendar is closed then. For
    ``minutes > 0`` counting begins at ``start`` when open, else at the next opening; the result
    is inside open time or exactly at the end of an open interval. Fractions of a minute are
    honoured to the microsecond. Raises ``ValueError`` for negative/non-finite minutes or a naive
    ``start``, ``OverflowError`` when the deadline would fall after the year 9999.
    """
    position = _as_utc(start, "start")
    remaining = _minutes_us(minutes, "minutes")
    if remaining == 0:
        return _aware(position)
    if remaining > (datetime.max - position) // _US:
        raise OverflowError(f"{minutes!r} business minutes from {start} end after year 9999")
    first_day = calendar._local_date(position)
    day = first_day - _ONE_DAY
    week_us = calendar._week_us
    while True:
        if day > first_day and remaining > calendar._day_us[day.weekday()]:
            weeks_left = (remaining - 1) // week_us
            limit = calendar._skippable_days(day, 7 * weeks_left + 6)
            days = 7 * min(limit // 7, weeks_left)
            while days < limit and calendar._nominal_us(day, days + 1) < remaining:
                days += 1
            if days:
                remaining -= calendar._nominal_us(day, days)
                day += timedelta(days=days)
                continue
        for opens, closes in calendar._day_spans(day):
            if closes <= position:
                continue
            opens = max(opens, position)
            available = (closes - opens) // _US
            if available >= remaining:
                return _aware(opens + remaining * _US)
            remaining -= available
        day += _ONE_DAY


def _between_us(calendar: Calendar, start: datetime, end: datetime) -> int:
    if end <= start:
        return 0
    first_day = calendar._local_date(start)
    end_day = calendar._local_date(end)
    day = first_day - _ONE_DAY
    total = 0
    while day <= end_day + _ONE_DAY:
        if day > first_day:
            days = calendar._skippable_days(day, (end_day - day).days - 1)
            if days:
                total += calendar._nominal_us(day, days)
                day += timedelta(days=days)
                continue
        for opens, closes in calendar._day_spans(day):
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += (hi - lo) // _US
        day += _ONE_DAY
    return total


def business_minutes_between(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Business minutes of open time in ``[start, end)``; 0 when ``end <= start``."""
    return _between_us(calendar, _as_utc(start, "start"), _as_utc(end, "end")) / _MINUTE_US


class OpenTimeIndex:
    """A calendar's open time over a range of local dates, unrolled once into UTC spans with
    their running totals, so that the business minutes between two instants of the range
    take two bisections: for recomputing many cases at once (the reports' full rebuild). The
    same count as ``business_minutes_between``, built from the same day spans."""

    def __init__(self, calendar: Calendar, first: date, last: date) -> None:
        self.first, self.last = first, last
        starts: list[int] = []
        ends: list[int] = []
        day = first
        while day <= last:
            for opens, closes in calendar._day_spans(day):
                a, b = (opens - _EPOCH) // _US, (closes - _EPOCH) // _US
                if ends and a <= ends[-1]:  # touching spans (midnight) are one
                    ends[-1] = max(ends[-1], b)
                else:
                    starts.append(a)
                    ends.append(b)
            day += _ONE_DAY
        self._starts, self._ends = starts, ends
        self._before: list[int] = []  # open microseconds before each span
        total = 0
        for a, b in zip(starts, ends, strict=True):
            self._before.append(total)
            total += b - a
        # Instants the unrolled days answer for: a day's spans may begin the evening before
        # or end the morning after in UTC, so one day of margin is left out at each end.
        self._low = datetime.combine(first + _ONE_DAY, time(0), tzinfo=UTC)
        self._high = datetime.combine(last - _ONE_DAY, time(0), tzinfo=UTC)

    def covers(self, start: datetime, end: datetime) -> bool:
        return self._low <= start and end <= self._high

    def _run(self, at: datetime) -> int:
        us = (at.astimezone(UTC).replace(tzinfo=None) - _EPOCH) // _US
        i = bisect.bisect_right(self._starts, us) - 1
        if i < 0:
            return 0
        return self._before[i] + min(us, self._ends[i]) - self._starts[i]

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Business minutes of open time in ``[start, end)``; 0 when ``end <= start``."""
        return max(self._run(end) - self._run(start), 0) / _MINUTE_US


def is_open(calendar: Calendar, at: datetime) -> bool:
    """Whether ``at`` lies inside open time (interval starts are open, ends are closed)."""
    instant = _as_utc(at, "at")
    local_day = calendar._local_date(instant)
    for offset in (-1, 0, 1):
        for opens, closes in calendar._day_spans(local_day + offset * _ONE_DAY):
            if opens <= instant < closes:
                return True
    return False


def next_open_instant(calendar: Calendar, at: datetime) -> datetime:
    """``at`` (as UTC) if open, else the UTC instant the calendar next opens."""
    instant = _as_utc(at, "at")
    day = calendar._local_date(instant) - _ONE_DAY
    while True:
        for opens, closes in calendar._day_spans(day):
            if closes > instant:
                return _aware(max(opens, instant))
        day += _ONE_DAY


def elapsed_fraction(
    calendar: Calendar,
    start: datetime,
    now: datetime,
    target_minutes: float,
    paused_minutes: float = 0,
) -> float:
    """Share of the target used at ``now``: (business minutes since ``start`` - paused) / target.

    ``paused_minutes`` are business minutes during which the clock was stopped (waiting on the
    citizen). Never negative; above 1.0 once the target is exceeded (0.75 = warning threshold).
    """
    if target_minutes <= 0:
        raise ValueError(f"target_minutes must be positive, got {target_minutes!r}")
    if paused_minutes < 0:
        raise ValueError(f"paused_minutes must not be negative, got {paused_minutes!r}")
    elapsed = business_minutes_between(calendar, start, now) - paused_minutes
    return max(elapsed, 0.0) / target_minutes


def deadline_from_consumed(
    calendar: Calendar, now: datetime, target_minutes: float, consumed_minutes: float
) -> datetime:
    """Deadline after a recomputation: ``now`` plus the business minutes still left.

    ``consumed_minutes`` is the business time already used by the case, each part measured in
    the calendar in force when it was consumed and carried over unchanged; only the remainder
    is counted in ``calendar`` (the one in force from ``now``). Already due (consumed >= target)
    returns ``now`` (as UTC).
    """
    if target_minutes < 0 or consumed_minutes < 0:
        raise ValueError(
            f"minutes must not be negative, got target {target_minutes!r}, "
            f"consumed {consumed_minutes!r}"
        )
    remaining = target_minutes - consumed_minutes
    if remaining <= 0:
        return _as_utc(now, "now").replace(tzinfo=UTC)
    return add_business_minutes(calendar, now, remaining)


def deadline_day(calendar: Calendar, due: datetime) -> date:
    """The business day a deadline is promised for: the "by Friday" of "by Friday 12 December".

    The rule: round the deadline up to the end of a business day. The day is the first local
    date with open time (not a closed weekday, not a holiday) whose last closing time is at or
    after ``due``. So, with Mon-Fri 08:00-12:00 and 13:00-17:00:

    * 10:00 Friday -> Friday (Friday's work ends at 17:00, after the deadline);
    * 17:00 Friday, the closing time itself -> Friday, not the next day;
    * 12:30 Friday, over lunch -> Friday (the afternoon is still to come);
    * 19:00 Friday, after hours (a deadline counted in another calendar, e.g. before the hours
      changed) -> Monday: nobody works between it and Monday, so Friday would be a promise
      already broken;
    * 07:00 Monday, before opening -> Monday; any time on Saturday, Sunday or a holiday -> the
      next business day.

    For a round-the-clock calendar every day closes at 24:00, so the day is the local date of
    ``due``, except that exactly midnight belongs to the day it ends. A calendar with no open
    time in the year after ``due`` (holidays all the way) gives the local date of ``due``.
    """
    instant = _as_utc(due, "due")
    first = calendar._local_date(instant) - _ONE_DAY  # a 24:00 closing is the next date's 00:00
    for offset in range(367):
        day = first + offset * _ONE_DAY
        spans = calendar._day_spans(day)
        if spans and spans[-1][1] >= instant:
            return day
    return calendar._local_date(instant)
