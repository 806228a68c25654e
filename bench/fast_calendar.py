"""The benchmark's calendars: their hours and holidays, and a fast business-time counter for
generating a million cases (checked against cases.sla.business_time by tests/bench)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

MIDNIGHT = dtime(0)
DAY = 86400.0

HOURS = {
    "office": {d: [(dtime(8), dtime(12)), (dtime(13), dtime(17))] for d in range(5)},
    "extended": {**{d: [(dtime(7), dtime(19))] for d in range(5)}, 5: [(dtime(9), dtime(13))]},
    "always": {d: [(MIDNIGHT, MIDNIGHT)] for d in range(7)},
}
RECURRING_HOLIDAYS = [(1, 1, "New Year's Day"), (7, 4, "Independence Day"),
                      (11, 11, "Veterans Day"), (12, 25, "Christmas Day")]  # fmt: skip


class FastCalendar:
    """A business calendar unrolled into UTC intervals over a date range, for bulk SLA math.

    Same semantics as `cases.sla` for calendars whose intervals do not cross midnight (an end
    of 00:00 is the end of the day): `add` is the first instant at which `minutes` business
    minutes have run since `start`; `between` the business minutes in [start, end].
    """

    def __init__(
        self,
        timezone: str,
        weekly: dict[int, list[tuple[dtime, dtime]]],
        recurring: Iterable[tuple[int, int]],
        first: date,
        last: date,
    ) -> None:
        zone = ZoneInfo(timezone)
        closed = set(recurring)
        starts: list[float] = []
        ends: list[float] = []
        day = first
        while day <= last:
            if (day.month, day.day) not in closed:
                for begin, finish in weekly.get(day.weekday(), []):
                    a = datetime.combine(day, begin, tzinfo=zone).timestamp()
                    end_day = day + timedelta(days=1) if finish == MIDNIGHT else day
                    b = datetime.combine(end_day, finish, tzinfo=zone).timestamp()
                    if ends and a <= ends[-1]:  # touching intervals merge
                        ends[-1] = max(ends[-1], b)
                    else:
                        starts.append(a)
                        ends.append(b)
            day += timedelta(days=1)
        self._starts, self._ends = starts, ends
        self._cum: list[float] = []  # business seconds before each interval
        self._cum_end: list[float] = []
        total = 0.0
        for a, b in zip(starts, ends, strict=True):
            self._cum.append(total)
            total += b - a
            self._cum_end.append(total)

    def _run(self, ts: float) -> float:
        i = bisect_right(self._starts, ts) - 1
        if i < 0:
            return 0.0
        return self._cum[i] + min(ts, self._ends[i]) - self._starts[i]

    def _at(self, run: float) -> float:
        i = bisect_left(self._cum_end, run)
        if i >= len(self._starts):
            raise ValueError("beyond the calendar's range")
        return self._starts[i] + max(run - self._cum[i], 0.0)

    def add_ts(self, start: float, minutes: float) -> float:
        return self._at(self._run(start) + minutes * 60)

    def sub_ts(self, end: float, minutes: float) -> float:
        """The latest start from which `minutes` business minutes have run at `end`."""
        run = self._run(end) - minutes * 60
        i = bisect_right(self._cum, run) - 1
        i = max(i, 0)
        return self._starts[i] + max(run - self._cum[i], 0.0)

    def between_ts(self, start: float, end: float) -> float:
        return max(self._run(end) - self._run(start), 0.0) / 60

    def add(self, start: datetime, minutes: float) -> datetime:
        return datetime.fromtimestamp(self.add_ts(start.timestamp(), minutes), UTC)

    def between(self, start: datetime, end: datetime) -> float:
        return self.between_ts(start.timestamp(), end.timestamp())
