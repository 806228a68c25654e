"""Reads for the supervisor board, SLA compliance and the case page's clocks."""

from __future__ import annotations

import pytest

from cases.models import Case
from cases.selectors import case_get_for_view
from cases.services import case_assign, case_create, case_public_update, case_transition
from cases.sla.selectors import (
    case_sla_clock,
    sla_board_cases,
    sla_compliance_by_team,
)
from cases.sla.services import sla_sweep
from tests.cases.sla.support import chi, make_policy, utc

pytestmark = pytest.mark.django_db
Status = Case.Status


def _case(world, category=None, priority=None) -> Case:
    category = category or world.graffiti
    answers = {"size": "small"} if category == world.pothole else None
    return case_create(
        category=category,
        description="Wall",
        channel="phone",
        actor=world.agent,
        priority=priority,
        attributes=answers,
    )


def _resolve(case, world, clock, at) -> None:
    clock.set(at)
    if case.status == Status.NEW:
        case = case_assign(case=case, assignee=world.agent, actor=world.agent)
    case_transition(
        case=case,
        to_status=Status.RESOLVED,
        actor=world.agent,
        resolution_code="resolved",
        citizen_contacted=True,
    )


@pytest.fixture
def board(world, clock):
    """Mon 2 March 2026: one breached, one at risk, one fine, one of another agency."""
    make_policy(world, first_response_minutes=None)
    make_policy(world, "revenue", agency=world.other_agency, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 9))
    breached = _case(world, world.pothole, priority="high")  # roads; due 13:00
    clock.set(chi(2026, 3, 2, 10))
    at_risk = _case(world)  # parks; due 14:00, warning 13:00
    clock.set(chi(2026, 3, 2, 12))
    fine = _case(world)
    foreign = case_create(
        category=world.other_category, description="Tax", channel="phone", actor=world.other_agent
    )
    clock.set(chi(2026, 3, 2, 13, 30))
    sla_sweep(now=clock.now)
    return {"breached": breached, "at_risk": at_risk, "fine": fine, "foreign": foreign}


def test_board_lists_breached_and_at_risk_cases_of_the_users_agency(world, board, clock):
    rows = sla_board_cases(world.supervisor, now=clock.now)
    assert [row.case.pk for row in rows] == [board["breached"].pk, board["at_risk"].pk]
    overdue, risky = rows
    assert (overdue.state, overdue.overdue, overdue.minutes_left) == ("breached", True, -30)
    assert (risky.state, risky.overdue, risky.minutes_left) == ("at_risk", False, 30)
    assert utc(risky.due_at) == utc(chi(2026, 3, 2, 14))
    assert sla_board_cases(world.other_agent, now=clock.now) == []  # theirs is fine


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"team": "roads"}, ["breached"]),
        ({"team": "parks"}, ["at_risk"]),
        ({"category": "graffiti"}, ["at_risk"]),
        ({"priority": "high"}, ["breached"]),
        ({"priority": "urgent"}, []),
        ({"sort": "-time_left"}, ["at_risk", "breached"]),
        ({"sort": "due"}, ["breached", "at_risk"]),
        ({"sort": "priority"}, ["breached", "at_risk"]),
    ],
)
def test_board_filters_and_sorts(world, board, clock, filters, expected):
    filters = {k: getattr(world, v) if k in ("team", "category") else v for k, v in filters.items()}
    rows = sla_board_cases(world.supervisor, now=clock.now, **filters)
    assert [row.case.pk for row in rows] == [board[name].pk for name in expected]


def test_board_time_left_is_live_in_business_minutes(world, board, clock):
    rows = sla_board_cases(world.supervisor, now=chi(2026, 3, 2, 16, 30))
    assert [row.minutes_left for row in rows] == [-210, -150]
    # Overnight the business clock stands still.
    rows = sla_board_cases(world.supervisor, now=chi(2026, 3, 3, 8, 59))
    assert [row.minutes_left for row in rows] == [-240, -180]


def test_board_rows_carry_both_clocks_and_the_escalation_level(world, clock):
    """A first response given late reads "Answered late"; one on time "Met"; a policy without
    a first-response target has none; the escalation level is in words."""
    make_policy(world, "Standard")  # first response 1 h, resolution 4 h
    make_policy(world, "Roads", category=world.pothole, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 9))
    late, on_time, no_target = _case(world), _case(world), _case(world, world.pothole)
    clock.set(chi(2026, 3, 2, 9, 45))
    case_public_update(case=on_time, body="On it.", actor=world.agent)
    clock.set(chi(2026, 3, 2, 10, 30))
    sla_sweep(now=clock.now)  # the first-response breach of `late`
    case_public_update(case=late, body="Sorry for the wait.", actor=world.agent)
    clock.set(chi(2026, 3, 2, 12, 30))
    sla_sweep(now=clock.now)

    rows = {row.case.pk: row for row in sla_board_cases(world.supervisor, now=clock.now)}

    first = rows[late.pk].first_response
    assert (first.state, utc(first.done_at), utc(first.due_at)) == (
        "late", utc(chi(2026, 3, 2, 10, 30)), utc(chi(2026, 3, 2, 10)),
    )  # fmt: skip
    assert first.text.headline == "Answered late" and not first.text.urgent
    assert rows[on_time.pk].first_response.state == "met"
    assert rows[on_time.pk].first_response.text.headline == "Met"
    assert rows[no_target.pk].first_response.state == "none"
    assert rows[no_target.pk].first_response.text.headline == "No target"
    resolution = rows[late.pk].resolution
    assert (resolution.state, resolution.minutes_left) == ("running", 30)
    assert utc(resolution.due_at) == utc(chi(2026, 3, 2, 13))
    assert resolution.text.headline == "30 min left" and resolution.text.moment_label == "due"
    assert rows[late.pk].escalation_text == "Not escalated"


def test_compliance_by_team_counts_met_and_breached_resolutions(world, clock):
    make_policy(world, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 9))
    met = [_case(world) for _ in range(3)]
    late = _case(world)
    roads_late = _case(world, world.pothole)
    no_sla_team = _case(world)
    Case.objects.filter(pk=no_sla_team.pk).update(sla_policy=None)
    for case in met:
        _resolve(case, world, clock, chi(2026, 3, 2, 12))
    _resolve(late, world, clock, chi(2026, 3, 2, 15))
    _resolve(roads_late, world, clock, chi(2026, 3, 3, 10))
    outside = _case(world)
    _resolve(outside, world, clock, chi(2026, 3, 10, 10))  # after the period
    rows = sla_compliance_by_team(world.supervisor, since=chi(2026, 3, 1), until=chi(2026, 3, 8))
    by_team = {row.team_name: row for row in rows}
    assert set(by_team) == {"Parks", "Roads"}
    parks, roads = by_team["Parks"], by_team["Roads"]
    assert (parks.resolved, parks.met, parks.breached, parks.met_percent) == (4, 3, 1, 75.0)
    assert (roads.resolved, roads.met, roads.breached, roads.met_percent) == (1, 0, 1, 0.0)
    other = sla_compliance_by_team(world.other_agent, since=chi(2026, 3, 1), until=chi(2026, 3, 8))
    assert [(row.team_name, row.resolved, row.met_percent) for row in other] == [("Tax", 0, None)]


def test_case_clock_for_the_case_page(world, clock):
    make_policy(world, "Standard")
    clock.set(chi(2026, 3, 2, 10))
    case = _case(world)
    clock.set(chi(2026, 3, 2, 10, 20))
    view = case_sla_clock(case_get_for_view(world.agent, case.reference))
    assert (view.state, view.policy_name, view.paused) == ("ok", "Standard", False)
    assert (view.first_response_minutes_left, view.resolution_minutes_left) == (40, 220)
    assert utc(view.first_response_due_at) == utc(chi(2026, 3, 2, 11))
    assert view.first_response_met is None and view.events == []

    clock.set(chi(2026, 3, 2, 10, 50))
    sla_sweep(now=clock.now)  # first-response warning
    case_public_update(case=Case.objects.get(pk=case.pk), body="On it", actor=world.agent)
    case = case_assign(case=Case.objects.get(pk=case.pk), assignee=world.agent, actor=world.agent)
    clock.set(chi(2026, 3, 2, 11))
    case_transition(case=case, to_status=Status.WAITING_ON_CITIZEN, actor=world.agent)
    clock.set(chi(2026, 3, 3, 15))
    view = case_sla_clock(case_get_for_view(world.agent, case.reference))
    assert (view.state, view.paused, view.running) == ("paused", True, False)
    assert view.first_response_met is True and view.first_response_minutes_left is None
    assert view.resolution_minutes_left == 180  # paused: the clock stood still since 11:00
    assert view.resolution_due_at is None
    assert [event.data["threshold"] for event in view.events] == ["first_response_warning"]
    assert view.state_label == "Paused"


def test_case_clock_is_live_between_sweeps(world, clock):
    make_policy(world, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 10))
    case = _case(world)
    view = case_sla_clock(Case.objects.get(pk=case.pk), now=chi(2026, 3, 2, 14, 5))
    assert view.state == "breached" and view.resolution_minutes_left == -5
