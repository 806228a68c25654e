"""The audit trail in the staff's words (core.audit_presenters and the apps' vocabularies).

A status change reads "Status changed to Resolved", the case by its reference linked to its
page, the changes as "label: before → after" with choice labels, names and local times; a
holiday that moves forty cases' deadlines is one row with its count and the cases behind it;
a page of rows costs the same number of queries however many rows and kinds it shows.
"""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.services import holiday_add, team_update
from cases.models import Case
from cases.services import case_assign, case_create, case_set_priority, case_transition
from core.audit_presenters import known_actions, present_events
from core.models import AuditEvent
from core.services import audit_record
from tests.cases import conftest as case_fixtures
from tests.cases.sla import support as sla_support
from tests.cases.sla.support import chi, make_policy

world = case_fixtures.world
clock = sla_support.clock

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _case(world, **extra) -> Case:
    return case_create(category=world.graffiti, description="Tags on the wall", channel="phone",
                       actor=world.agent, **extra)  # fmt: skip


def _page(client, world, **params) -> str:
    client.force_login(world.supervisor)
    response = client.get("/staff/audit/", params)
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    """The page as a person reads it: tags and screen-reader-only words out, spaces folded."""
    html = re.sub(r'<span class="usa-sr-only">.*?</span>', "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" :", ":")


def test_a_status_change_and_an_assignment_read_as_words_on_the_linked_case(client, world):
    case = _case(world)
    case_assign(case=case, assignee=world.agent2, actor=world.supervisor)
    case_transition(case=case, to_status=Case.Status.IN_PROGRESS, actor=world.agent2)
    case_transition(case=case, to_status=Case.Status.RESOLVED, actor=world.agent2,
                    resolution_code="duplicate", citizen_contacted=False)  # fmt: skip

    html = _page(client, world)
    text = _text(html)

    assert "Status changed to Resolved" in text
    assert "Status: In progress → Resolved" in text
    assert "Resolution: Duplicate" in text  # the choice's label, not "duplicate"
    assert "Assigned to Blair" in text
    assert "Assigned to: Blair" in text  # the person's name, not the username "blair"
    assert f'href="/staff/cases/{case.reference}/">{case.reference}</a>' in html
    assert "case.resolved" not in text and "case.assigned" not in text
    assert "Sam" in text  # who: the supervisor by name


def test_times_read_in_the_agencys_time_zone(client, world, clock):
    clock.set(chi(2026, 3, 2, 9, 30))  # 15:30 UTC
    case = _case(world)
    case_set_priority(case=case, priority="urgent", actor=world.supervisor)

    text = _text(_page(client, world))

    assert "March 2, 2026, 9:30 a.m." in text
    assert "Priority changed to Urgent" in text
    assert "Dates and times are in your agency's time zone (America/Chicago)." in text


def test_a_holiday_recomputing_forty_cases_is_one_row_with_its_count_and_its_cases(
    client, world, clock
):
    make_policy(world, first_response_minutes=None)
    cases = [_case(world) for _ in range(40)]
    clock.set(chi(2026, 3, 2, 11))

    holiday_add(calendar=world.parks.calendar, date=date(2026, 3, 2), name="Snow day",
                actor=world.admin)  # fmt: skip

    rows = AuditEvent.objects.filter(action__in=["sla.recomputed", "case.sla_recomputed"])
    assert rows.count() == 1
    row = rows.get()
    assert row.object_type == "agencies.businesscalendar"
    assert row.changes["cases"] == [None, 40]
    assert sorted(row.related_ids, key=int) == [str(case.pk) for case in cases]

    html = _page(client, world)
    text = _text(html)
    assert "SLA deadlines recomputed for 40 cases after the calendar changed" in text
    assert "Holiday added: Snow day, March 2, 2026" in text
    assert "<summary>40 cases</summary>" in html  # the expander of the cases behind it
    assert "and 30 more" in text  # ten listed in the row, the rest on the row's own page
    first = cases[0] if str(cases[0].pk) == row.related_ids[0] else Case.objects.get(
        pk=row.related_ids[0]
    )  # fmt: skip
    assert f'href="/staff/cases/{first.reference}/"' in html

    detail = client.get(f"/staff/audit/{row.pk}/").content.decode()
    for case in cases:
        assert f'href="/staff/cases/{case.reference}/">{case.reference}</a>' in detail

    # The row is in each case's history, next to the case's own rows.
    history = _text(_page(client, world, object_type="cases.case", object_id=cases[5].pk))
    assert f"History of {cases[5].reference}" in history
    assert "SLA deadlines recomputed for 40 cases after the calendar changed" in history
    assert "Case created" in history


def test_a_team_moved_to_another_calendar_is_one_row_too(world, clock):
    from agencies.services import calendar_create

    make_policy(world, first_response_minutes=None)
    for _ in range(3):
        _case(world)
    clock.set(chi(2026, 3, 2, 11))
    hours = [(day, time(13), time(21)) for day in range(5)]
    evening = calendar_create(agency=world.agency, name="Evening", actor=world.admin,
                              intervals=hours)  # fmt: skip
    team_update(team=world.parks, calendar=evening, actor=world.admin)

    row = AuditEvent.objects.get(action="sla.recomputed")
    [rendered] = present_events([row], viewer=world.supervisor)
    assert rendered.what == (
        "SLA deadlines recomputed for 3 cases after a team moved to this calendar"
    )
    assert rendered.subject.label == "Evening"


def test_another_agencys_bulk_row_and_cases_stay_out_of_sight(client, world):
    other_case = case_create(category=world.other_category, description="Tax", channel="phone",
                             actor=world.other_agent)  # fmt: skip
    audit_record(action="sla.recomputed", obj=world.other_team.calendar, actor=world.other_agent,
                 agency_id=world.other_agency.pk, changes={"cases": (None, 1)},
                 related_model=Case, related_ids=[other_case.pk])  # fmt: skip
    row = AuditEvent.objects.get(action="sla.recomputed")
    client.force_login(world.supervisor)

    assert "recomputed" not in client.get("/staff/audit/").content.decode()
    assert client.get(f"/staff/audit/{row.pk}/").status_code == 404


def test_an_object_the_reader_may_not_open_is_named_but_not_linked(world):
    other_case = case_create(category=world.other_category, description="Tax", channel="phone",
                             actor=world.other_agent)  # fmt: skip
    audit_record(action="case.priority_changed", obj=other_case, actor=world.supervisor,
                 agency_id=world.agency.pk, changes={"priority": ("normal", "high")})  # fmt: skip

    [row] = present_events(AuditEvent.objects.filter(action="case.priority_changed"),
                           viewer=world.supervisor)  # fmt: skip

    assert row.subject.label == other_case.reference
    assert row.subject.url is None
    assert row.what == "Priority changed to High"


def test_an_unknown_action_reads_as_words_never_a_bare_code(world):
    audit_record(action="team.secret_change", obj=world.roads, actor=world.supervisor,
                 agency_id=world.agency.pk, changes={"colour_code": ("red", "blue")})  # fmt: skip

    [row] = present_events(AuditEvent.objects.filter(action="team.secret_change"),
                           viewer=world.supervisor)  # fmt: skip

    assert row.what == "Team: secret change"
    assert row.subject.label == "Roads"
    assert [(line.label, line.before.label, line.after.label) for line in row.changes] == [
        ("Colour code", "red", "blue")
    ]


def test_filters_by_person_kind_and_days_in_agency_time(client, world, clock):
    clock.set(chi(2026, 3, 2, 23, 30))  # Monday evening in Chicago, Tuesday in UTC
    case = _case(world)
    case_assign(case=case, assignee=world.agent2, actor=world.supervisor)
    clock.set(chi(2026, 3, 3, 10))
    case_transition(case=case, to_status=Case.Status.IN_PROGRESS, actor=world.agent2)

    by_kind = _text(_page(client, world, kind="status"))
    assert "Status changed to In progress" in by_kind and "Assigned to" not in by_kind

    by_person = _text(_page(client, world, who=str(world.supervisor.pk)))
    assert "Assigned to Blair" in by_person  # and the case opened by that assignment:
    assert "Status changed to Open" in by_person and "In progress" not in by_person

    monday = _text(_page(client, world, since="2026-03-02", until="2026-03-02"))
    assert "Assigned to Blair" in monday and "In progress" not in monday

    automatic = _text(_page(client, world, who="system"))  # the world's set-up
    assert "Team created" in automatic and "Assigned to" not in automatic

    bad = _page(client, world, since="2026-05-02", until="2026-05-01")
    assert "The end date must be on or after the start date." in bad


def test_the_trail_pages_by_keyset_without_counting_it(client, world):
    client.force_login(world.supervisor)  # first: signing in is a row of the trail too
    for n in range(55):
        audit_record(action="team.updated", obj=world.roads, actor=world.supervisor,
                     agency_id=world.agency.pk,
                     changes={"name": (f"R{n}", f"R{n + 1}")})  # fmt: skip

    first = client.get("/staff/audit/").content.decode()
    assert first.count("Team changed") == 50
    older = re.search(r'href="(\?[^"]*cursor=[^"]+)" rel="next"', first).group(1)
    second = client.get("/staff/audit/" + older.replace("&amp;", "&")).content.decode()
    # The team's creation and the 5 oldest changes: nothing shown twice, nothing skipped.
    assert second.count("Team changed") == 5
    assert "Name: R0 → R1" in _text(second) and "Name: R0 → R1" not in _text(first)
    assert "Newest events" in second


def _mixed_rows(world, count: int) -> None:
    """`count` rows of every kind the page names: cases, citizens, teams, staff, calendars."""
    from citizens.services import citizen_create

    citizen = citizen_create(actor=world.agent, first_name="Ana", last_name="Muñoz",
                             email="ana@example.org")  # fmt: skip
    AuditEvent.objects.all().delete()
    cases = [_case(world) for _ in range(3)]
    AuditEvent.objects.filter(action="case.created").delete()

    def assignment(n):
        assignee = world.agent2 if n % 2 else world.agent
        case_assign(case=cases[n % 3], assignee=assignee, actor=world.supervisor)

    def citizen_change(n):
        audit_record(action="citizen.updated", obj=citizen, actor=world.agent,
                     changes={"phone": ("", f"+1312555{n:04d}")})  # fmt: skip

    def team_change(n):
        audit_record(action="team.updated", obj=world.roads, actor=world.admin,
                     agency_id=world.agency.pk,
                     changes={"calendar": (world.roads.calendar_id, None)})  # fmt: skip

    def recomputation(n):
        audit_record(action="sla.recomputed", obj=world.roads.calendar, actor=world.admin,
                     agency_id=world.agency.pk,
                     changes={"reason": (None, "calendar"), "cases": (None, 3)},
                     related_model=Case, related_ids=[c.pk for c in cases])  # fmt: skip

    def category_change(n):
        audit_record(action="case.category_changed", obj=cases[0], actor=world.agent,
                     agency_id=world.agency.pk,
                     changes={"category": ("graffiti", "pothole")})  # fmt: skip

    kinds = [assignment, citizen_change, team_change, recomputation, category_change]
    for n in range(count):
        kinds[n % len(kinds)](n)
    assert AuditEvent.objects.count() >= count


def _queries_for_page(client, world) -> int:
    client.force_login(world.supervisor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/staff/audit/")
    assert response.status_code == 200
    return len(queries)


def test_a_page_of_fifty_rows_costs_a_constant_number_of_queries(client, world):
    _mixed_rows(world, 10)
    ten = _queries_for_page(client, world)
    AuditEvent.objects.all().delete()
    _mixed_rows(world, 50)
    fifty = _queries_for_page(client, world)

    assert AuditEvent.objects.count() >= 50
    assert fifty == ten  # names are read per kind of object, never per row
    assert fifty <= 20  # the page's own (session, user, menu) and two per kind of object


def test_every_action_the_code_writes_has_words():
    """Actions written as literals by the apps (and the status and retention ones built from
    names) all have a sentence; tests/test_audit_completeness.py checks what scenarios write."""
    written = set()
    line_with_action = re.compile(r'\baction=|"action":|_audit\(|return "case\.sla_|: "case\.sla_')
    for app in ("core", "agencies", "citizens", "cases", "feedback", "open311"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts:
                continue
            for line in path.read_text().splitlines():
                if line_with_action.search(line):
                    written |= set(re.findall(r'"([a-z0-9_]+\.[a-z0-9_]+)"', line))
    written |= {f"case.{status}" for status in Case.Status.values if status != "new"}
    written |= {"feedbacksubmission.anonymised", "surveyinvitation.anonymised"}
    written -= {"cases.case", "citizens.citizen"}  # model labels on the same lines

    assert len(written) > 70
    assert sorted(written - known_actions()) == []


def test_the_admin_audit_log_reads_in_words_too(world, django_assert_max_num_queries):
    from django.contrib.auth import get_user_model

    from tests.agencies.conftest import signed_in_client

    case = _case(world)
    for _ in range(20):
        case_set_priority(case=case, priority="urgent", actor=world.supervisor)
        case_set_priority(case=case, priority="low", actor=world.supervisor)
    root = get_user_model().objects.create_superuser(username="root", password="pw-0123456789")
    client = signed_in_client(root)

    with django_assert_max_num_queries(20):  # one page, names read once per kind of object
        listing = _text(client.get("/admin/core/auditevent/").content.decode())
    assert "Priority changed to Urgent" in listing
    assert "Priority: Normal → Urgent" in listing
    assert f"Case {case.reference}" in listing

    event = AuditEvent.objects.filter(action="case.priority_changed").first()
    page = _text(client.get(f"/admin/core/auditevent/{event.pk}/change/").content.decode())
    assert "Priority changed to" in page
    assert "Kind of action" not in page
    kinds = _text(client.get("/admin/core/auditevent/", {"kind": "status"}).content.decode())
    assert "Priority changed" not in kinds


def test_the_trail_speaks_the_readers_language(client, world):
    from agencies.models import StaffMember

    StaffMember.objects.filter(user=world.supervisor).update(preferred_language="es")
    case = _case(world)
    case_assign(case=case, assignee=world.agent2, actor=world.supervisor)
    for _ in range(2):
        audit_record(action="sla.recomputed", obj=world.roads.calendar, actor=world.admin,
                     agency_id=world.agency.pk, changes={"cases": (None, 1)},
                     related_model=Case, related_ids=[case.pk])  # fmt: skip

    text = _text(_page(client, world))

    assert "Estado cambiado a Abierto" in text
    assert "Asignado a Blair" in text
    assert "Plazos del SLA recalculados para 1 caso tras cambiar el calendario" in text
    assert "Registro de auditoría" in text
