"""Reads of `agencies`, scoped to the caller's agency (core.scoping): another agency's teams,
calendars and staff are simply absent, so fetching one answers 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from agencies.models import BusinessCalendar, Holiday, OpeningInterval, StaffMember, Team
from core.scoping import get_scoped_object_or_404, scope_queryset


def calendars_with_schedule() -> QuerySet[BusinessCalendar]:
    """Calendars with their hours and holidays prefetched: `weekly_schedule()` and
    `holiday_dates()` then run without queries (what the SLA engine needs, unscoped)."""
    return BusinessCalendar.objects.select_related("agency").prefetch_related(
        Prefetch("intervals", queryset=OpeningInterval.objects.order_by("weekday", "start")),
        Prefetch("holidays", queryset=Holiday.objects.order_by("date")),
    )


def calendars_visible_to(user: Any) -> QuerySet[BusinessCalendar]:
    return scope_queryset(calendars_with_schedule(), user)


def calendar_get(user: Any, *, calendar_id: int) -> BusinessCalendar:
    return get_scoped_object_or_404(calendars_with_schedule(), user, pk=calendar_id)


def teams_visible_to(user: Any, *, active_only: bool = False) -> QuerySet[Team]:
    teams = Team.objects.select_related("agency", "calendar")
    if active_only:
        teams = teams.filter(active=True)
    return scope_queryset(teams, user)


def team_get(user: Any, *, team_id: int) -> Team:
    return get_scoped_object_or_404(Team.objects.select_related("calendar"), user, pk=team_id)


def staff_visible_to(user: Any, *, team: Team | None = None) -> QuerySet[StaffMember]:
    staff = StaffMember.objects.select_related("user", "agency").prefetch_related("teams")
    if team is not None:
        staff = staff.filter(teams=team)
    return scope_queryset(staff, user)
