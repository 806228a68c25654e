"""Writers of `agencies`: teams, business calendars and holidays, staff members and their teams.

Every function here is the one way to make its change: keyword-only, atomic, validated the same
way as the admin validates, and audited. A call that would change nothing writes nothing (and
no audit row), so the demo data and the holiday seeding can run again and again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time
from typing import Any

import holidays as holidays_lib
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _

from agencies.hooks import CalendarSnapshot, calendar_snapshot, run_calendar_changed_hooks
from agencies.models import (
    AGENCY_ADMINS_GROUP,
    Agency,
    BusinessCalendar,
    Holiday,
    OpeningInterval,
    StaffMember,
    Team,
    Weekday,
    validate_opening_intervals,
    validate_timezone,
)
from agencies.selectors import acts_for_agency
from core.services import api_tokens_revoke_all, audit_record

IntervalSpec = tuple[int, time, time]  # (weekday 0=Monday..6, start, end; end 00:00 = midnight)

# What agency administrators may do in the Django admin (the group's permissions), per
# "app_label.model". The admin itself keeps them inside their own agency (core.admin_scoping).
# Categories, SLA policies and surveys are retired with their active flag, not deleted: cases
# and answers refer to them. Inline rows (questions, attributes, levels) may be deleted.
ALL = ("add", "change", "delete", "view")
AGENCY_ADMIN_PERMISSIONS = {
    "agencies.team": ALL,
    "agencies.businesscalendar": ALL,
    "agencies.openinginterval": ALL,
    "agencies.holiday": ALL,
    "agencies.staffmember": ("change", "view"),
    "agencies.agency": ("view",),
    "cases.servicecategory": ("add", "change", "view"),
    "cases.attributedefinition": ALL,
    "cases.slapolicy": ("add", "change", "view"),
    "cases.slaescalationlevel": ALL,
    "open311.open311client": ("add", "change", "view"),
    "inbound.inboundaddress": ALL,
    "inbound.inboundmessage": ("change", "view"),  # read-only fields; "change": process again
    "feedback.survey": ("add", "change", "view"),
    "feedback.question": ALL,
    "feedback.feedbacksubmission": ("view",),
    "feedback.surveyinvitation": ("view",),
    "visits.office": ALL,
    "visits.desk": ALL,
}


def _check_actor_agency(actor: Any, agency_id: int) -> None:
    """A staff actor changes only their own agency; superusers and the system change any."""
    if not getattr(actor, "is_authenticated", False):
        return
    if not acts_for_agency(actor, agency_id):
        raise PermissionDenied(_("You can only change your own agency's organisation."))


# --- teams ----------------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *,
    agency: Agency,
    name: str,
    slug: str,
    calendar: BusinessCalendar,
    actor: Any,
    active: bool = True,
) -> Team:
    _check_actor_agency(actor, agency.pk)
    team = Team(agency=agency, name=name, slug=slug, calendar=calendar, active=active)
    team.full_clean()
    team.save()
    audit_record(
        action="team.created", obj=team, actor=actor, agency_id=agency.pk,
        changes={"name": (None, name), "slug": (None, slug), "calendar": (None, calendar.pk),
                 "active": (None, active)},
    )  # fmt: skip
    return team


@transaction.atomic
def team_update(
    *,
    team: Team,
    actor: Any,
    name: str | None = None,
    slug: str | None = None,
    calendar: BusinessCalendar | None = None,
    active: bool | None = None,
) -> Team:
    """Change what is given; teams never move between agencies."""
    _check_actor_agency(actor, team.agency_id)
    wanted = {"name": name, "slug": slug, "calendar_id": calendar and calendar.pk, "active": active}
    changes = {}
    for attname, value in wanted.items():
        if value is not None and getattr(team, attname) != value:
            changes[attname.removesuffix("_id")] = (getattr(team, attname), value)
            setattr(team, attname, value)
    if not changes:
        return team
    previous = None
    if "calendar" in changes:  # open cases of the team now count in another calendar
        previous = calendar_snapshot(BusinessCalendar.objects.get(pk=changes["calendar"][0]))
    if calendar is not None:
        team.calendar = calendar
    team.full_clean()
    team.save()
    audit_record(
        action="team.updated", obj=team, actor=actor, agency_id=team.agency_id, changes=changes
    )
    if previous is not None:
        run_calendar_changed_hooks(
            calendar=team.calendar, previous=previous, actor=actor, team_ids=[team.pk]
        )
    return team


def calendar_changed(*, calendar: BusinessCalendar, previous: CalendarSnapshot, actor: Any) -> None:
    """Hours, holidays or time zone changed (by a service here or an admin save, which audit
    the change itself): mark the calendar changed and let open cases recompute."""
    calendar.updated_at = dj_timezone.now()
    BusinessCalendar.objects.filter(pk=calendar.pk).update(updated_at=calendar.updated_at)
    run_calendar_changed_hooks(calendar=calendar, previous=previous, actor=actor)


# --- business calendars ---------------------------------------------------------------------


def _intervals_normalised(intervals: Iterable[IntervalSpec]) -> list[IntervalSpec]:
    specs = [(int(weekday), start, end) for weekday, start, end in intervals]
    for weekday, start, end in specs:
        if weekday not in Weekday.values:
            raise ValidationError(_("%(day)s is not a weekday (0=Monday … 6=Sunday).") % {
                "day": weekday})  # fmt: skip
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValidationError(_("Opening hours need a start and an end time."))
    validate_opening_intervals(specs)
    return sorted(specs, key=lambda spec: (spec[0], spec[1]))


def _hours_text(specs: Sequence[IntervalSpec]) -> str:
    """Weekly hours for the audit log, e.g. "Mon 08:00-12:00, Mon 13:00-17:00"."""
    return ", ".join(
        f"{Weekday(day).name[:3].title()} {start:%H:%M}-{end:%H:%M}" for day, start, end in specs
    )


@transaction.atomic
def calendar_create(
    *,
    agency: Agency,
    name: str,
    intervals: Iterable[IntervalSpec],
    actor: Any,
    timezone: str | None = None,
) -> BusinessCalendar:
    """A calendar with its weekly hours; refused without any (ValidationError)."""
    _check_actor_agency(actor, agency.pk)
    specs = _intervals_normalised(intervals)
    calendar = BusinessCalendar(agency=agency, name=name, timezone=timezone or agency.timezone)
    calendar.full_clean()
    calendar.save()
    OpeningInterval.objects.bulk_create(
        OpeningInterval(calendar=calendar, weekday=day, start=start, end=end)
        for day, start, end in specs
    )
    audit_record(
        action="calendar.created", obj=calendar, actor=actor, agency_id=agency.pk,
        changes={"name": (None, name), "timezone": (None, calendar.timezone),
                 "hours": (None, _hours_text(specs))},
    )  # fmt: skip
    return calendar


@transaction.atomic
def calendar_set_hours(
    *, calendar: BusinessCalendar, intervals: Iterable[IntervalSpec], actor: Any
) -> list[OpeningInterval]:
    """Replace the weekly hours; refused if empty or overlapping. Same hours: no change."""
    _check_actor_agency(actor, calendar.agency_id)
    specs = _intervals_normalised(intervals)
    BusinessCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    previous = calendar_snapshot(calendar)
    current = list(calendar.intervals.order_by("weekday", "start"))
    before = [(i.weekday, i.start, i.end) for i in current]
    if before == specs:
        return current
    calendar.intervals.all().delete()
    created = OpeningInterval.objects.bulk_create(
        OpeningInterval(calendar=calendar, weekday=day, start=start, end=end)
        for day, start, end in specs
    )
    if hasattr(calendar, "_prefetched_objects_cache"):
        calendar._prefetched_objects_cache.pop("intervals", None)
    audit_record(
        action="calendar.hours_set", obj=calendar, actor=actor, agency_id=calendar.agency_id,
        changes={"hours": (_hours_text(before), _hours_text(specs))},
    )  # fmt: skip
    calendar_changed(calendar=calendar, previous=previous, actor=actor)
    return created


@transaction.atomic
def holiday_add(
    *, calendar: BusinessCalendar, date: date, name: str, actor: Any, recurring: bool = False
) -> Holiday:
    _check_actor_agency(actor, calendar.agency_id)
    previous = calendar_snapshot(calendar)
    holiday = Holiday(calendar=calendar, date=date, name=name, recurring=recurring)
    holiday.full_clean()
    holiday.save()
    audit_record(
        action="holiday.added", obj=holiday, actor=actor, agency_id=calendar.agency_id,
        changes={"date": (None, date), "name": (None, name), "recurring": (None, recurring)},
    )  # fmt: skip
    calendar_changed(calendar=calendar, previous=previous, actor=actor)
    return holiday


def _public_holidays(
    *, country: str, subdivision: str | None, years: Iterable[int]
) -> dict[date, str]:
    """A country's (and subdivision's) public holidays from python-holidays, observed days
    included (a holiday on a Saturday is usually taken on the Friday before)."""
    years = sorted({int(year) for year in years})
    if not years:
        raise ValidationError(_("Give at least one year."))
    if any(year < 1900 or year > 2200 for year in years):
        raise ValidationError(_("Years must be between 1900 and 2200."))
    try:
        found = holidays_lib.country_holidays(
            country.strip().upper(), subdiv=subdivision or None, years=years
        )
    except NotImplementedError as exc:
        raise ValidationError(
            _("No holidays known for %(place)s: %(reason)s")
            % {"place": f"{country}{'-' + subdivision if subdivision else ''}", "reason": exc}
        ) from exc
    return dict(sorted(found.items()))


@transaction.atomic
def calendar_seed_holidays(
    *,
    calendar: BusinessCalendar,
    country: str,
    subdivision: str | None = None,
    years: Iterable[int],
    actor: Any,
) -> list[Holiday]:
    """Add the public holidays of `country`/`subdivision` in `years` that the calendar lacks.

    Dates the calendar already has (one-off or recurring) are left as they are, so a re-run
    adds nothing. Returns the holidays added.
    """
    _check_actor_agency(actor, calendar.agency_id)
    years = sorted({int(year) for year in years})
    found = _public_holidays(country=country, subdivision=subdivision, years=years)
    BusinessCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    previous = calendar_snapshot(calendar)
    existing = list(calendar.holidays.all())
    taken = {holiday.date for holiday in existing}
    for year in years:
        taken |= calendar.holiday_dates(year)
    max_length = Holiday._meta.get_field("name").max_length
    new = [
        Holiday(calendar=calendar, date=day, name=name[:max_length], recurring=False)
        for day, name in found.items()
        if day not in taken
    ]
    if not new:
        return []
    created = Holiday.objects.bulk_create(new)
    if hasattr(calendar, "_prefetched_objects_cache"):
        calendar._prefetched_objects_cache.pop("holidays", None)
    place = f"{country.upper()}-{subdivision.upper()}" if subdivision else country.upper()
    audit_record(
        action="calendar.holidays_seeded", obj=calendar, actor=actor,
        agency_id=calendar.agency_id,
        changes={
            "holidays": (len(existing), len(existing) + len(created)),
            "source": (None, f"{place} {', '.join(map(str, years))}"),
            "added": (None, ", ".join(f"{h.date:%Y-%m-%d}" for h in created)),
        },
    )  # fmt: skip
    calendar_changed(calendar=calendar, previous=previous, actor=actor)
    return created


# --- staff ----------------------------------------------------------------------------------


def agency_admins_group_sync(**_signal: Any) -> Group:
    """Create the agency administrators' group and grant what AGENCY_ADMIN_PERMISSIONS lists.

    Runs after every migrate (post_migrate: permissions of apps added later arrive too) and
    whenever the group went missing. Permissions added by hand to the group are kept.
    """
    group, _created = Group.objects.get_or_create(name=AGENCY_ADMINS_GROUP)
    wanted = Q(pk__in=[])
    for key, actions in AGENCY_ADMIN_PERMISSIONS.items():
        app_label, model = key.split(".")
        wanted |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    group.permissions.add(*Permission.objects.filter(wanted))
    return group


def _agency_admins_group() -> Group:
    group = Group.objects.filter(name=AGENCY_ADMINS_GROUP).first()
    return group if group is not None else agency_admins_group_sync()


def _admin_access_sync(member: StaffMember) -> dict[str, tuple[Any, Any]]:
    """Agency admins get the Django admin (is_staff + the group); other roles lose it.

    Deployment superusers keep their access whatever their role. Returns the changes made.
    """
    user, group = member.user, _agency_admins_group()
    is_admin = member.role == StaffMember.Role.ADMIN
    changes: dict[str, tuple[Any, Any]] = {}
    in_group = user.groups.filter(pk=group.pk).exists()
    if is_admin and not in_group:
        user.groups.add(group)
        changes["admin_group"] = (False, True)
    elif not is_admin and in_group:
        user.groups.remove(group)
        changes["admin_group"] = (True, False)
    staff = is_admin or user.is_superuser
    if user.is_staff != staff:
        changes["is_staff"] = (user.is_staff, staff)
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    return changes


def _teams_checked(member: StaffMember, teams: Iterable[Team]) -> list[Team]:
    teams = list(teams)
    member.proposed_teams = teams
    try:
        member.full_clean()
    finally:
        member.proposed_teams = None
    return teams


@transaction.atomic
def staff_member_create(
    *,
    user: Any,
    agency: Agency,
    role: str,
    actor: Any,
    preferred_language: str | None = None,
    timezone: str = "",
    teams: Iterable[Team] = (),
) -> StaffMember:
    """Make a user a staff member of an agency; admins get the Django admin (agency-scoped)."""
    _check_actor_agency(actor, agency.pk)
    if timezone:
        validate_timezone(timezone)
    member = StaffMember(user=user, agency=agency, role=role, timezone=timezone)
    if preferred_language:
        member.preferred_language = preferred_language
    teams = _teams_checked(member, teams)
    member.save()
    member.teams.set(teams)
    changes: dict[str, tuple[Any, Any]] = {
        "user": (None, user.get_username()),
        "agency": (None, agency.pk),
        "role": (None, role),
        "preferred_language": (None, member.preferred_language),
        "timezone": (None, member.timezone),
        "teams": (None, ", ".join(sorted(team.name for team in teams))),
    }
    changes.update(_admin_access_sync(member))
    audit_record(
        action="staff_member.created", obj=member, actor=actor, agency_id=agency.pk,
        changes=changes,
    )  # fmt: skip
    return member


@transaction.atomic
def staff_member_update(
    *,
    member: StaffMember,
    actor: Any,
    role: str | None = None,
    preferred_language: str | None = None,
    timezone: str | None = None,
    agency: Agency | None = None,
) -> StaffMember:
    """Change role, language, time zone ("" for the agency's) or (deployment superusers only)
    agency.

    Moving to another agency takes the member out of the old agency's teams. A role change
    grants or removes the Django admin (agency admins only).
    """
    _check_actor_agency(actor, member.agency_id)
    moving = agency is not None and agency.pk != member.agency_id
    if moving and getattr(actor, "is_authenticated", False) and not actor.is_superuser:
        raise PermissionDenied(_("Only a deployment administrator can move staff."))
    changes: dict[str, tuple[Any, Any]] = {}
    if timezone:
        validate_timezone(timezone)
    for field, value in (
        ("role", role), ("preferred_language", preferred_language), ("timezone", timezone),
    ):  # fmt: skip
        if value is not None and getattr(member, field) != value:
            changes[field] = (getattr(member, field), value)
            setattr(member, field, value)
    left_teams = []
    if agency is not None and agency.pk != member.agency_id:
        changes["agency"] = (member.agency_id, agency.pk)
        left_teams = sorted(team.name for team in member.teams.all())
        member.agency = agency
    if not changes:
        return member
    _teams_checked(member, [] if "agency" in changes else member.teams.all())
    if left_teams:
        member.teams.clear()
        changes["teams"] = (", ".join(left_teams), "")
    member.save()
    changes.update(_admin_access_sync(member))
    if "role" in changes:  # tokens issued under the old role do not carry into the new one
        revoked = api_tokens_revoke_all(user=member.user, actor=actor, reason="role changed")
        if revoked:
            changes["api_tokens_revoked"] = (None, revoked)
    audit_record(
        action="staff_member.updated", obj=member, actor=actor, agency_id=member.agency_id,
        changes=changes,
    )  # fmt: skip
    return member


@transaction.atomic
def staff_member_set_teams(
    *, member: StaffMember, teams: Iterable[Team], actor: Any
) -> StaffMember:
    """Put the member in exactly these teams, which must be teams of the member's agency."""
    _check_actor_agency(actor, member.agency_id)
    teams = _teams_checked(member, teams)
    before = {team.pk: team.name for team in member.teams.all()}
    after = {team.pk: team.name for team in teams}
    if before.keys() == after.keys():
        return member
    member.teams.set(teams)
    audit_record(
        action="staff_member.teams_set", obj=member, actor=actor, agency_id=member.agency_id,
        changes={"teams": (", ".join(sorted(before.values())), ", ".join(sorted(after.values())))},
    )  # fmt: skip
    return member
