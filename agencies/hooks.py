"""Registry that lets higher apps react when business hours change (DESIGN.md: registries).

`agencies` never imports `cases`, yet open cases must get new SLA deadlines when the calendar
they count in changes (its weekly hours, its holidays, or the calendar a team uses). The
agencies services call `run_calendar_changed_hooks` at the end of such a change, inside its
transaction, with a snapshot of the calendar as it was before; `cases` registers its hook in
its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING, Any

from core.registry import Registry

if TYPE_CHECKING:
    from agencies.models import BusinessCalendar


@dataclass(frozen=True)
class CalendarSnapshot:
    """A calendar's hours and holidays at one moment (so hooks can count in the old hours)."""

    calendar_id: int
    timezone: str
    intervals: tuple[tuple[int, time, time], ...]  # (weekday 0=Monday, start, end)
    holidays: tuple[tuple[date, bool], ...]  # (date, recurring)


def calendar_snapshot(calendar: BusinessCalendar) -> CalendarSnapshot:
    """The stored hours and holidays of `calendar` (two queries, never the prefetch cache)."""
    from agencies.models import Holiday, OpeningInterval

    intervals = OpeningInterval.objects.filter(calendar_id=calendar.pk).order_by("weekday", "start")
    holidays = Holiday.objects.filter(calendar_id=calendar.pk).order_by("date")
    return CalendarSnapshot(
        calendar_id=calendar.pk,
        timezone=calendar.timezone,
        intervals=tuple(intervals.values_list("weekday", "start", "end")),
        holidays=tuple(holidays.values_list("date", "recurring")),
    )


# hook(*, calendar, previous, team_ids, actor): `team_ids` None means every team using
# `calendar`; otherwise only these teams moved from the `previous` calendar to `calendar`.
CalendarChangedHook = Callable[..., None]
calendar_changed_hooks: Registry[CalendarChangedHook] = Registry("calendar changed hooks")
register_calendar_changed_hook = calendar_changed_hooks.register
unregister_calendar_changed_hook = calendar_changed_hooks.unregister


def run_calendar_changed_hooks(
    *,
    calendar: BusinessCalendar,
    previous: CalendarSnapshot | None,
    actor: Any,
    team_ids: Iterable[int] | None = None,
) -> None:
    ids = None if team_ids is None else list(team_ids)
    calendar_changed_hooks.call(calendar=calendar, previous=previous, team_ids=ids, actor=actor)


# --- the staff home ---------------------------------------------------------------------------
# A staff member's home shows their work, which lives in higher apps (cases, feedback): each
# registers a panel rendering to HTML for the signed-in user, or "" when it has nothing to say.

StaffHomePanel = Callable[[Any], str]
staff_home_panels: Registry[StaffHomePanel] = Registry("staff home panels")
register_staff_home_panel = staff_home_panels.register


def render_staff_home_panels(user: Any) -> list[str]:
    return [html for html in staff_home_panels.call(user) if html]
