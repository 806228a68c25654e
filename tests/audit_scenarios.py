"""Realistic calls of every service function, for tests/test_audit_completeness.py.

A scenario gets a fresh World (two agencies with staff), prepares what the call needs, and
returns the call itself (a no-argument callable) so that only the service's own statements are
recorded. The call must really change something. Add one when you add a service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from agencies.models import Agency, StaffMember


@dataclass
class World:
    agency: Agency
    other_agency: Agency
    agent: object
    supervisor: object
    admin: object

    @classmethod
    def build(cls) -> World:
        agency = Agency.objects.create(name="Public Works", slug="pw", timezone="America/Chicago")
        other = Agency.objects.create(name="Revenue", slug="rev", timezone="America/Chicago")
        users = {}
        for role in ("agent", "supervisor", "admin"):
            user = get_user_model().objects.create_user(username=role, password="pw-0123456789")
            StaffMember.objects.create(user=user, agency=agency, role=role)
            users[role] = user
        return cls(agency=agency, other_agency=other, **users)


Call = Callable[[], object]


def _outbox_requeue(world: World) -> Call:
    from core.models import OutboxMessage
    from core.services import outbox_requeue

    message = OutboxMessage.objects.create(topic="core.email", payload={}, status="dead")
    return lambda: outbox_requeue(message=message, actor=world.admin)


# --- agencies -------------------------------------------------------------------------------


def _agencies_calendar(world: World, name: str = "Office hours"):
    from datetime import time

    from agencies.models import BusinessCalendar, OpeningInterval

    calendar = BusinessCalendar.objects.create(
        agency=world.agency, name=name, timezone="America/Chicago"
    )
    OpeningInterval.objects.create(calendar=calendar, weekday=0, start=time(8), end=time(17))
    return calendar


def _agencies_team(world: World):
    from agencies.models import Team

    calendar = _agencies_calendar(world)
    return Team.objects.create(agency=world.agency, name="Roads", slug="roads", calendar=calendar)


def _team_create(world: World) -> Call:
    from agencies.services import team_create

    calendar = _agencies_calendar(world)
    return lambda: team_create(
        agency=world.agency, name="Parks", slug="parks", calendar=calendar, actor=world.admin
    )


def _team_update(world: World) -> Call:
    from agencies.services import team_update

    team = _agencies_team(world)
    return lambda: team_update(team=team, name="Roads and Sidewalks", actor=world.admin)


def _calendar_create(world: World) -> Call:
    from datetime import time

    from agencies.services import calendar_create

    hours = [(day, time(8), time(17)) for day in range(5)]
    return lambda: calendar_create(
        agency=world.agency, name="Front desk", intervals=hours, actor=world.admin
    )


def _calendar_set_hours(world: World) -> Call:
    from datetime import time

    from agencies.services import calendar_set_hours

    calendar = _agencies_calendar(world)
    hours = [(5, time(9), time(12))]
    return lambda: calendar_set_hours(calendar=calendar, intervals=hours, actor=world.admin)


def _holiday_add(world: World) -> Call:
    from datetime import date

    from agencies.services import holiday_add

    calendar = _agencies_calendar(world)
    return lambda: holiday_add(
        calendar=calendar, date=date(2026, 12, 25), name="Christmas Day", actor=world.admin
    )


def _calendar_seed_holidays(world: World) -> Call:
    from agencies.services import calendar_seed_holidays

    calendar = _agencies_calendar(world)
    return lambda: calendar_seed_holidays(
        calendar=calendar, country="US", subdivision="IL", years=[2026], actor=world.admin
    )


def _staff_member_create(world: World) -> Call:
    from agencies.services import staff_member_create

    user = get_user_model().objects.create_user(username="new-admin", password="pw-0123456789")
    return lambda: staff_member_create(
        user=user, agency=world.agency, role="admin", actor=world.admin
    )


def _staff_member_update(world: World) -> Call:
    from agencies.services import staff_member_update

    member = world.agent.staff_profile
    return lambda: staff_member_update(member=member, role="supervisor", actor=world.admin)


def _staff_member_set_teams(world: World) -> Call:
    from agencies.services import staff_member_set_teams

    team = _agencies_team(world)
    member = world.agent.staff_profile
    return lambda: staff_member_set_teams(member=member, teams=[team], actor=world.admin)


def _citizen_create(world: World) -> Call:
    from citizens.services import citizen_create

    return lambda: citizen_create(
        user=world.agent,
        first_name="Ana",
        last_name="Ruiz",
        email="ana@example.org",
        consent_contact=True,
    )


def _citizen(world: World, first_name: str = "José", last_name: str = "Muñoz"):
    from citizens.services import citizen_create

    return citizen_create(user=world.agent, first_name=first_name, last_name=last_name)


def _citizen_update(world: World) -> Call:
    from citizens.services import citizen_update

    citizen = _citizen(world)
    return lambda: citizen_update(
        citizen=citizen, user=world.agent, data={"phone": "(312) 555-0142"}
    )


def _citizen_consent_set(world: World) -> Call:
    from citizens.services import citizen_consent_set

    citizen = _citizen(world)
    return lambda: citizen_consent_set(
        citizen=citizen, kind="surveys", granted=False, source="email-unsubscribe"
    )


def _citizen_merge(world: World) -> Call:
    from citizens.services import citizen_merge

    survivor, other = _citizen(world), _citizen(world, "Jose", "Munoz")
    return lambda: citizen_merge(
        survivor=survivor, other=other, user=world.supervisor, keep_from_other=["first_name"]
    )


SCENARIOS: dict[str, Callable[[World], Call]] = {
    "agencies.services.team_create": _team_create,
    "agencies.services.team_update": _team_update,
    "agencies.services.calendar_create": _calendar_create,
    "agencies.services.calendar_set_hours": _calendar_set_hours,
    "agencies.services.holiday_add": _holiday_add,
    "agencies.services.calendar_seed_holidays": _calendar_seed_holidays,
    "agencies.services.staff_member_create": _staff_member_create,
    "agencies.services.staff_member_update": _staff_member_update,
    "agencies.services.staff_member_set_teams": _staff_member_set_teams,
    "citizens.services.citizen_create": _citizen_create,
    "citizens.services.citizen_update": _citizen_update,
    "citizens.services.citizen_consent_set": _citizen_consent_set,
    "citizens.services.citizen_merge": _citizen_merge,
    "core.services.outbox_requeue": _outbox_requeue,
}


# --- cases ----------------------------------------------------------------------------------


def _category(world: World, agency=None, code: str = "pothole"):
    from agencies.models import Team
    from cases.models import ServiceCategory

    agency = agency or world.agency
    calendar = _agencies_calendar(world, name=f"Hours {code}")
    calendar.agency = agency
    calendar.save()
    team = Team.objects.create(agency=agency, name=f"Team {code}", slug=code, calendar=calendar)
    return ServiceCategory.objects.create(
        agency=agency, code=code, name={"en": code.title()}, owning_team=team
    )


def _case(world: World, status: str = "new", **fields):
    from django.utils import timezone

    from cases.models import Case

    now = timezone.now()
    category = _category(world)
    extra = {}
    if status != "new":
        extra.update(assignee=world.agent, opened_at=now)
    if status in ("resolved", "closed"):
        extra.update(resolved_at=now, resolution_code="resolved", citizen_contacted=True)
    if status == "closed":
        extra.update(closed_at=now)
    return Case.objects.create(
        reference=f"CRM-2026-{Case.objects.count():06d}", agency=world.agency, category=category,
        description="Pothole on Main St", channel="phone", status=status, team=category.owning_team,
        reporter_email="r@example.org", **extra, **fields,
    )  # fmt: skip


def _cases_scenarios() -> dict[str, Callable[[World], Call]]:
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases import services as s

    def close_resolved(world):
        case = _case(world, "resolved")
        case.resolved_at = timezone.now() - timedelta(days=30)
        case.save()
        return lambda: s.cases_close_resolved()

    def refer(world):
        case = _case(world, "open")
        target = _category(world, agency=world.other_agency, code="tax")
        return lambda: s.case_refer(
            case=case, category=target, reason="Tax matter", actor=world.agent
        )

    def transfer(world):
        case = _case(world, "open")
        other = _category(world, code="parks").owning_team
        return lambda: s.case_transfer(case=case, team=other, actor=world.agent)

    def set_category(world):
        case = _case(world, "open")
        other = _category(world, code="graffiti")
        return lambda: s.case_set_category(case=case, category=other, actor=world.agent)

    return {
        "cases.services.case_create": lambda w: (
            lambda c=_category(w): s.case_create(
                category=c, description="Broken light", channel="phone", actor=w.agent
            )
        ),
        "cases.services.case_transition": lambda w: (
            lambda c=_case(w, "open"): s.case_transition(
                case=c, to_status="in_progress", actor=w.agent
            )
        ),
        "cases.services.case_close": lambda w: (
            lambda c=_case(w, "resolved"): s.case_close(case=c, actor=w.agent)
        ),
        "cases.services.cases_close_resolved": close_resolved,
        "cases.services.case_assign": lambda w: (
            lambda c=_case(w): s.case_assign(case=c, assignee=w.agent, actor=w.supervisor)
        ),
        "cases.services.case_take": lambda w: lambda c=_case(w): s.case_take(case=c, actor=w.agent),
        "cases.services.case_unassign": lambda w: (
            lambda c=_case(w, "open"): s.case_unassign(case=c, actor=w.supervisor)
        ),
        "cases.services.case_transfer": transfer,
        "cases.services.case_refer": refer,
        "cases.services.case_set_priority": lambda w: (
            lambda c=_case(w, "open"): s.case_set_priority(case=c, priority="urgent", actor=w.agent)
        ),
        "cases.services.case_set_category": set_category,
        "cases.services.cases_bulk_assign": lambda w: (
            lambda c=_case(w): s.cases_bulk_assign(cases=[c], assignee=w.agent, actor=w.supervisor)
        ),
        "cases.services.cases_bulk_set_priority": lambda w: (
            lambda c=_case(w): s.cases_bulk_set_priority(cases=[c], priority="high", actor=w.agent)
        ),
        "cases.services.case_note_add": lambda w: (
            lambda c=_case(w, "open"): s.case_note_add(case=c, body="Checked", actor=w.agent)
        ),
        "cases.services.case_public_update": lambda w: (
            lambda c=_case(w, "open"): s.case_public_update(case=c, body="On it", actor=w.agent)
        ),
        "cases.services.case_contact_log": lambda w: (
            lambda c=_case(w, "open"): s.case_contact_log(
                case=c, method="phone", body="Called back", actor=w.agent
            )
        ),
        "cases.services.case_attach": lambda w: (
            lambda c=_case(w, "open"): s.case_attach(
                case=c, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 test"), actor=w.agent
            )
        ),
        "cases.services.case_updates_unsubscribe": lambda w: (
            lambda c=_case(w, "open"): s.case_updates_unsubscribe(case=c)
        ),
    }


SCENARIOS.update(_cases_scenarios())
