"""Reads of `agencies`, scoped to the caller's agency (core.scoping): another agency's teams,
calendars and staff are simply absent, so fetching one answers 404. And the answers to what
other apps ask about staff: whose staff a user is, their agency and teams, and who
supervises a team (the people to notify)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from agencies.models import Agency, BusinessCalendar, Holiday, OpeningInterval, StaffMember, Team
from core.scoping import get_scoped_object_or_404, scope_queryset, staff_profile, user_agency_id


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


# --- staff: who works where, in which role --------------------------------------------------------
# The questions other apps ask about staff members, answered here (the profile itself is read
# by core.scoping.staff_profile, the one accessor core may use too).


def staff_member(user: Any) -> StaffMember | None:
    """The user's staff profile, or None (anonymous, a system actor, no profile)."""
    return staff_profile(user)


def staff_agency(user: Any) -> Agency | None:
    """The agency a staff member works for (None: not staff)."""
    profile = staff_profile(user)
    return profile.agency if profile is not None else None


def staff_team_ids(user: Any) -> list[int]:
    """The teams a staff member is in (none for anybody else)."""
    profile = staff_profile(user)
    return list(profile.teams.values_list("id", flat=True)) if profile is not None else []


def is_staff_of(user: Any, agency_id: int | None) -> bool:
    """Whether `user` has a staff profile in agency `agency_id` (active or not: callers that
    need an active account check `is_active` too)."""
    return agency_id is not None and user_agency_id(user) == agency_id


def acts_for_agency(user: Any, agency_id: int | None) -> bool:
    """Whether a signed-in user may act on agency `agency_id`'s records: its own staff, and
    deployment superusers (who act for any agency)."""
    return bool(getattr(user, "is_superuser", False)) or is_staff_of(user, agency_id)


def _active_staff_users(agency_id: int) -> QuerySet:
    return (
        get_user_model()
        .objects.select_related("staff_profile")  # their language, for what they are told
        .filter(is_active=True, staff_profile__agency_id=agency_id)
        .order_by("pk")
    )


def supervisors_of_agency(*, agency_id: int) -> list[Any]:
    """The agency's active supervisors."""
    return list(
        _active_staff_users(agency_id).filter(staff_profile__role=StaffMember.Role.SUPERVISOR)
    )


def supervisors_for_team(*, agency_id: int, team_id: int | None) -> list[Any]:
    """The team's active supervisors; the agency's when the team has none (or there is no
    team)."""
    if team_id is not None:
        found = list(
            _active_staff_users(agency_id).filter(
                staff_profile__role=StaffMember.Role.SUPERVISOR, staff_profile__teams=team_id
            )
        )
        if found:
            return found
    return supervisors_of_agency(agency_id=agency_id)


def team_staff(*, agency_id: int, team_id: int | None, also_user_id: Any = None) -> list[Any]:
    """The active staff of the team (any role), and the user `also_user_id` (e.g. the case's
    assignee) if they are active staff of the same agency."""
    wanted = Q(pk__in=[])
    if team_id is not None:
        wanted |= Q(staff_profile__teams=team_id)
    if also_user_id is not None:
        wanted |= Q(pk=also_user_id)
    return list(_active_staff_users(agency_id).filter(wanted).distinct())


def staff_by_usernames(*, agency_id: int, usernames: Iterable[str]) -> list[Any]:
    """The agency's active staff among `usernames` (matched regardless of letter case): whom
    an `@username` in a note reaches. Anybody else's name reaches nobody."""
    wanted = {name.lower() for name in usernames}
    if not wanted:
        return []
    return list(
        _active_staff_users(agency_id)
        .annotate(username_folded=Lower("username"))
        .filter(username_folded__in=wanted)
    )


def staff_suggestions(user: Any, *, prefix: str, limit: int = 8) -> list[Any]:
    """Active staff of the user's agency whose username, first or last name starts with
    `prefix` (the suggestions offered while typing an `@mention`)."""
    agency_id = user_agency_id(user)
    prefix = prefix.strip()
    if agency_id is None or not prefix:
        return []
    matches = (
        Q(username__istartswith=prefix)
        | Q(first_name__istartswith=prefix)
        | Q(last_name__istartswith=prefix)
    )
    return list(_active_staff_users(agency_id).filter(matches).order_by("username")[:limit])
