"""The dashboard panels added for issue 18's remaining measures: recommendation (NPS) and
"resolved?" with the response rate, SLA escalations, reassignments (per team and per staff
member), and walk-in waits per office and service. Each is checked against a direct count of
the raw rows, with local-day boundaries in the agency's zone, and through its CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import timedelta
from statistics import median
from zoneinfo import ZoneInfo

import pytest

from cases.models import Case, CaseEvent
from cases.services import case_assign, case_create, case_transfer
from cases.sla.services import sla_sweep
from feedback.models import Answer, Question, SurveyInvitation, SurveyResponse
from reports import figures
from tests.cases.sla.support import chi, make_level, make_policy
from tests.feedback.conftest import make_survey
from tests.visits.world import office_make
from visits.models import Visit

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
CSV = "/staff/dashboards/panel.csv?period=2026-03&panel="


@pytest.fixture(autouse=True)
def _fresh_panel_cache():
    """Panels are cached by their filters (agency ids included): start each test without any
    left by an earlier run on the same Redis database."""
    from django.core.cache import cache

    cache.clear()


def _csv(client, panel: str, extra: str = "") -> list[list[str]]:
    response = client.get(f"{CSV}{panel}{extra}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _case(world, category=None, actor=None):
    category = category or world.pothole
    size = {"size": "small"} if category == world.pothole else None
    return case_create(category=category, description="Hole", channel="phone",
                       actor=actor or world.agent, attributes=size)  # fmt: skip


# --- recommendation and "resolved?" ---------------------------------------------------------


def _respond(world, survey, at, *, nps=None, resolved=None, agency=None, category=None):
    response = SurveyResponse.objects.create(
        survey=survey, agency=agency or world.agency, category=category or world.pothole,
        team=world.roads, anonymous=True, submitted_at=at,
    )  # fmt: skip
    questions = {q.code: q for q in Question.objects.filter(survey=survey)}
    if nps is not None:
        Answer.objects.create(response=response, question=questions["nps"], number=nps)
    if resolved is not None:
        Answer.objects.create(response=response, question=questions["resolved"],
                              number=1 if resolved else 0)  # fmt: skip
    return response


def _invite(world, survey, at, n: int):
    from citizens.services import citizen_create

    citizen = citizen_create(actor=None, first_name="Ana", last_name="Ruiz", email="a@example.org")
    for i in range(n):
        case = _case(world)
        SurveyInvitation.objects.create(
            survey=survey, case=case, citizen=citizen, agency=world.agency,
            category=world.pothole, team=world.roads, email="a@example.org", status="sent",
            send_after=at, sent_at=at, message_id=f"m{case.pk}-{i}",
            reminder_message_id=f"r{case.pk}-{i}",
        )  # fmt: skip


def test_recommendation_panel_counts_nps_resolved_and_response_rate_by_local_day(client, world):
    survey = make_survey(world.agency)
    other_survey = make_survey(world.other_agency)
    day = chi(2026, 3, 10, 11)
    for nps, resolved in ((10, True), (9, True), (3, False), (7, None)):
        _respond(world, survey, day, nps=nps, resolved=resolved)
    # 23:30 on 31 March in Chicago is 04:30 UTC on 1 April: still March.
    _respond(world, survey, chi(2026, 3, 31, 23, 30), nps=0, resolved=False)
    # 00:30 on 1 April in Chicago is 05:30 UTC on 1 April: not March.
    _respond(world, survey, chi(2026, 4, 1, 0, 30), nps=10, resolved=True)
    # Another agency's answers never count.
    _respond(world, other_survey, day, nps=10, resolved=True, agency=world.other_agency,
             category=world.other_category)  # fmt: skip
    _invite(world, survey, day, 8)

    client.force_login(world.supervisor)
    rows = _csv(client, "recommendation")
    assert rows[0] == ["Period", "Net Promoter Score (-100 to 100)", "Recommendation answers",
                       "Said it was resolved (%)", "Answers to “resolved?”", "Answers",
                       "Invitations sent", "Response rate (%)"]  # fmt: skip
    by_day = {r[0]: r[1:] for r in rows[1:]}
    # 2 promoters (10, 9) and 1 detractor (3) of 4 answers: (2 - 1) / 4 = 25.
    assert by_day["2026-03-10"] == ["25.0", "4", "66.7", "3", "4", "8", "50.0"]
    assert by_day["2026-03-31"] == ["-100.0", "1", "0.0", "1", "1", "0", ""]
    assert set(by_day) == {"2026-03-10", "2026-03-31"}
    page = client.get("/staff/dashboards/?period=2026-03").content.decode()
    assert "Recommendation and resolution" in page and "Net Promoter Score" in page


# --- escalations ------------------------------------------------------------------------------


def test_escalations_panel_counts_escalation_events_per_local_day(client, world, clock):
    policy = make_policy(world, "Standard", first_response_minutes=None)
    make_level(policy, 1, 30)
    make_level(policy, 2, 90)
    revenue = make_policy(world, "Revenue", agency=world.other_agency, first_response_minutes=None)
    make_level(revenue, 1, 30)
    clock.set(chi(2026, 3, 2, 9))
    first, second = _case(world), _case(world, world.graffiti)
    foreign = _case(world, world.other_category, world.other_agent)
    clock.set(chi(2026, 3, 3, 9))
    third = _case(world)
    for moment in (chi(2026, 3, 2, 13, 45), chi(2026, 3, 2, 15), chi(2026, 3, 3, 13, 45)):
        clock.set(moment)
        sla_sweep(now=moment)
    events = CaseEvent.objects.filter(kind="sla_escalation")
    assert events.filter(case=foreign).exists()  # escalated too, but another agency's
    own = events.filter(case__agency=world.agency)
    expected = Counter(e.created_at.astimezone(CHICAGO).date().isoformat() for e in own)
    assert sum(expected.values()) >= 3 and {third.pk, first.pk, second.pk} <= {
        e.case_id for e in own}  # fmt: skip

    client.force_login(world.supervisor)
    rows = _csv(client, "escalations")
    assert rows[0] == ["Period", "Escalations", "Cases escalated", "Highest level reached"]
    assert {r[0]: int(r[1]) for r in rows[1:]} == dict(expected)
    cases_per_day = {
        day: len({e.case_id for e in own
                  if e.created_at.astimezone(CHICAGO).date().isoformat() == day})
        for day in expected
    }  # fmt: skip
    assert {r[0]: int(r[2]) for r in rows[1:]} == cases_per_day
    assert max(int(r[3]) for r in rows[1:]) == 2
    # The service filter applies to the case: graffiti's escalations only.
    graffiti = _csv(client, "escalations", f"&category={world.graffiti.pk}")
    assert sum(int(r[1]) for r in graffiti[1:]) == own.filter(case=second).count()


# --- reassignments and workload ---------------------------------------------------------------


def test_reassignments_per_team_and_per_staff_member(client, world, clock):
    clock.set(chi(2026, 3, 4, 10))
    moved = _case(world)
    case_assign(case=moved, assignee=world.agent, actor=world.supervisor)  # first: not a re-
    case_assign(case=Case.objects.get(pk=moved.pk), assignee=world.agent2, actor=world.supervisor)
    transferred = _case(world)
    case_transfer(case=transferred, team=world.parks, actor=world.supervisor)
    clock.set(chi(2026, 2, 27, 10))  # February: outside the period
    old = _case(world)
    case_assign(case=old, assignee=world.agent, actor=world.supervisor)
    case_assign(case=Case.objects.get(pk=old.pk), assignee=world.agent2, actor=world.supervisor)

    clock.set(chi(2026, 3, 28, 12))  # "today": March is a period to choose
    figures.figures_refresh(now=clock.now)  # the workload's open counts come from the facts
    client.force_login(world.supervisor)
    rows = _csv(client, "reassignments")
    assert rows[0] == ["Team", "Reassigned between staff", "Transferred to another team",
                       "Transferred in from another team"]  # fmt: skip
    assert {r[0]: r[1:] for r in rows[1:]} == {"Roads": ["1", "1", "0"],
                                               "Parks": ["0", "0", "1"]}  # fmt: skip
    parks_only = _csv(client, "reassignments", f"&team={world.parks.pk}")
    assert [r[0] for r in parks_only[1:]] == ["Parks"]

    workload = {r[0]: r[1:] for r in _csv(client, "workload")[1:]}
    # Alex had the case taken from them once in March (February's does not count).
    assert workload["Alex"][-1] == "1"
    assert workload["Blair"] == ["2", "0", "0"]  # both cases open with Blair now


# --- walk-in waits --------------------------------------------------------------------------


def _visit(office, category, number, checked_in, wait, desk=None, status="done"):
    called = checked_in + timedelta(minutes=wait)
    return Visit.objects.create(
        agency=office.agency, office=office, category=category, number=number,
        day=checked_in.astimezone(CHICAGO).date(), status=status, created_at=checked_in,
        queued_at=checked_in, called_at=called,
        finished_at=called + timedelta(minutes=desk) if desk is not None else None,
    )  # fmt: skip


def test_walk_in_panel_gives_waits_and_desk_times_per_office_and_service(client, world):
    hall = office_make(agency=world.agency, categories=[world.pothole, world.graffiti],
                       slug="city-hall")  # fmt: skip
    annex = office_make(agency=world.agency, categories=[world.pothole], slug="annex")
    foreign = office_make(agency=world.other_agency, categories=[world.other_category],
                          slug="revenue")  # fmt: skip
    waits, desks = [4, 10, 16, 30], [5, 7, 9, 20]
    for i, (wait, desk) in enumerate(zip(waits, desks, strict=True)):
        _visit(hall, world.pothole, i + 1, chi(2026, 3, 9, 9 + i), wait, desk)
    _visit(hall, world.pothole, 9, chi(2026, 3, 9, 14), 12, status="no_show")
    _visit(hall, world.graffiti, 10, chi(2026, 3, 10, 9), 3, 4)
    _visit(annex, world.pothole, 1, chi(2026, 3, 31, 23, 0), 20, 10)  # finished 23:30 local
    _visit(annex, world.pothole, 2, chi(2026, 4, 1, 0, 5), 5, 5)  # April
    _visit(foreign, world.other_category, 1, chi(2026, 3, 9, 9), 50, 50)

    client.force_login(world.supervisor)
    rows = _csv(client, "walk_in")
    assert rows[0][:2] == ["Office and service", "Visits served"]
    table = {r[0]: r[1:] for r in rows[1:]}

    def pct90(values):  # PostgreSQL's percentile_cont: linear between the closest ranks
        ordered = sorted(values)
        rank = 0.9 * (len(ordered) - 1)
        low = int(rank)
        high = min(low + 1, len(ordered) - 1)
        return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 1)

    assert table["Office city-hall: Pothole"] == [
        "4", str(float(median(waits))), str(pct90(waits)), str(float(median(desks))),
        str(pct90(desks)), "1",
    ]  # fmt: skip
    assert table["Office city-hall: Graffiti"] == ["1", "3.0", "3.0", "4.0", "4.0", "0"]
    assert table["Office annex: Pothole"] == ["1", "20.0", "20.0", "10.0", "10.0", "0"]
    assert len(table) == 3  # not April's visit, not another agency's office
    graffiti = _csv(client, "walk_in", f"&category={world.graffiti.pk}")
    assert [r[0] for r in graffiti[1:]] == ["Office city-hall: Graffiti"]
    # An agent of Roads sees the services Roads owns (pothole), not Parks' graffiti.
    client.force_login(world.agent)
    assert {r[0] for r in _csv(client, "walk_in")[1:]} == {"Office city-hall: Pothole",
                                                           "Office annex: Pothole"}  # fmt: skip


def test_event_panels_read_one_kind_of_event_by_time_through_the_index(world):
    """The escalation, reassignment and transfer reads range over the partial index on
    (kind, created_at), not every event of the agency's cases (EXPLAIN, sequential scans off
    so the tiny test table does not make a scan cheaper)."""
    from django.db import connection

    from reports import selectors
    from reports.filters import Filters

    filters = Filters(agency_ids=(world.agency.pk,), team_ids=None, start=chi(2026, 3, 1).date(),
                      end=chi(2026, 3, 31).date(), period="2026-03")  # fmt: skip
    where, params = selectors._events_where(filters)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT count(*) FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id "
            "JOIN agencies_agency a ON a.id = c.agency_id "
            f"WHERE e.kind = 'sla_escalation' AND {where}",
            params,
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "reports_caseevent_kind_time_idx" in plan, plan
