"""The SLA engine's correctness suite: policies, deadlines, pauses, recomputation, the sweep.

Table-driven where it can be, with the regressions users reported in other helpdesks by name.
Time is a controllable clock (`clock` fixture): no test sleeps. The world's calendar is
Mon-Fri 09:00-17:00 in Chicago; Monday 2 March 2026 is the first day (DST starts Sunday 8 March).
"""

from __future__ import annotations

import threading
from datetime import date, time, timedelta

import pytest
from django.db import connection, connections

from agencies.services import (
    calendar_create,
    calendar_set_hours,
    holiday_add,
    team_create,
    team_update,
)
from cases.models import Case, CaseEvent
from cases.services import (
    case_assign,
    case_contact_log,
    case_note_add,
    case_public_update,
    case_refer,
    case_set_category,
    case_set_priority,
    case_transfer,
    case_transition,
)
from cases.sla.engine import sla_due_cases, sla_policy_for
from cases.sla.services import sla_recompute_for_calendar, sla_sweep
from core.models import AuditEvent, Notification, OutboxMessage
from core.services import DIGEST_TOPIC, outbox_deliver
from tests.cases.sla.support import chi, make_level, make_policy, utc

pytestmark = pytest.mark.django_db
Status = Case.Status
SLA_KINDS = ("sla_warning", "sla_breach", "sla_escalation")


def open_case(world, *, category=None, priority=None, **extra) -> Case:
    from cases.services import case_create

    return case_create(
        category=category or world.graffiti,
        description="Tags on the wall",
        channel="phone",
        actor=world.agent,
        priority=priority,
        reporter_email="resident@example.org",
        **extra,
    )


def fresh(case: Case) -> Case:
    return Case.objects.select_related("team__calendar", "sla_policy", "agency").get(pk=case.pk)


def sla_events(case: Case, kind: str | None = None) -> list[CaseEvent]:
    events = CaseEvent.objects.filter(case=case, kind__in=SLA_KINDS).order_by("created_at", "id")
    return [e for e in events if kind is None or e.kind == kind]


def reply(case: Case, world, clock, at) -> None:
    clock.set(at)
    case_public_update(case=case, body="We are on it.", actor=world.agent)


# --- policies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "priority", "expected"),
    [
        ("graffiti", "urgent", "graffiti-urgent"),  # category + priority
        ("graffiti", "normal", "graffiti-any"),  # category, any priority
        ("pothole", "urgent", "any-urgent"),  # priority, any category
        ("pothole", "normal", "agency-default"),  # the agency-wide default
    ],
)
def test_the_most_specific_active_policy_wins(world, category, priority, expected):
    make_policy(world, "agency-default")
    make_policy(world, "any-urgent", priority="urgent")
    make_policy(world, "graffiti-any", category=world.graffiti)
    make_policy(world, "graffiti-urgent", category=world.graffiti, priority="urgent")
    make_policy(
        world, "graffiti-high-inactive", category=world.graffiti, priority="high", active=False
    )
    make_policy(world, "other-agency", agency=world.other_agency)
    category_obj = getattr(world, category)
    policy = sla_policy_for(
        agency_id=world.agency.pk, category_id=category_obj.pk, priority=priority
    )
    assert policy.name == expected


def test_inactive_and_foreign_policies_never_apply(world, clock):
    make_policy(world, "inactive", active=False)
    make_policy(world, "other-agency", agency=world.other_agency)
    case = fresh(open_case(world))
    assert case.sla_policy is None
    assert case.sla_state == "none"
    assert case.first_response_due_at is None and case.resolution_due_at is None
    assert case.next_check_at is None


# --- deadlines at creation ------------------------------------------------------------------

DEADLINES = [
    # (id, created (Chicago), policy options, holidays, first response due, resolution due,
    #  next check = the first-response warning at 45 of 60 minutes)
    ("monday-morning", chi(2026, 3, 2, 10), {}, [],
     chi(2026, 3, 2, 11), chi(2026, 3, 2, 14), chi(2026, 3, 2, 10, 45)),
    ("late-afternoon-rolls-over", chi(2026, 3, 2, 16, 30), {}, [],
     chi(2026, 3, 3, 9, 30), chi(2026, 3, 3, 12, 30), chi(2026, 3, 3, 9, 15)),
    ("saturday-waits-for-monday-across-dst", chi(2026, 3, 7, 12), {}, [],
     chi(2026, 3, 9, 10), chi(2026, 3, 9, 13), chi(2026, 3, 9, 9, 45)),
    ("friday-to-monday-across-dst", chi(2026, 3, 6, 16), {}, [],
     chi(2026, 3, 6, 17), chi(2026, 3, 9, 12), chi(2026, 3, 6, 16, 45)),
    ("holiday-excluded-osticket-4969", chi(2026, 3, 2, 16, 30), {}, [(date(2026, 3, 3), False)],
     chi(2026, 3, 4, 9, 30), chi(2026, 3, 4, 12, 30), chi(2026, 3, 4, 9, 15)),
    ("recurring-holiday-excluded", chi(2026, 3, 2, 16, 30), {}, [(date(2019, 3, 3), True)],
     chi(2026, 3, 4, 9, 30), chi(2026, 3, 4, 12, 30), chi(2026, 3, 4, 9, 15)),
    ("24-7-policy", chi(2026, 3, 6, 16), {"business_hours": False}, [],
     chi(2026, 3, 6, 17), chi(2026, 3, 6, 20), chi(2026, 3, 6, 16, 45)),
    ("24-7-policy-ignores-holidays", chi(2026, 3, 2, 16, 30), {"business_hours": False},
     [(date(2026, 3, 3), False)],
     chi(2026, 3, 2, 17, 30), chi(2026, 3, 2, 20, 30), chi(2026, 3, 2, 17, 15)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("created", "options", "holidays", "fr_due", "res_due", "next_check"),
    [row[1:] for row in DEADLINES],
    ids=[row[0] for row in DEADLINES],
)
def test_deadlines_are_counted_in_the_team_calendar(
    world, clock, created, options, holidays, fr_due, res_due, next_check
):
    make_policy(world, **options)
    for day, recurring in holidays:
        holiday_add(
            calendar=world.parks.calendar, date=day, name="Closed", actor=None, recurring=recurring
        )
    clock.set(created)
    case = fresh(open_case(world))
    assert (utc(case.first_response_due_at), utc(case.resolution_due_at)) == (
        utc(fr_due),
        utc(res_due),
    )
    assert utc(case.next_check_at) == utc(next_check)
    assert case.sla_state == "ok"
    assert case.sla_clock_started_at == clock.now
    assert case.sla_consumed_minutes == 0


# --- first response -------------------------------------------------------------------------


def _by(kind: str):
    def act(case, world):
        if kind == "public_update":
            case_public_update(case=case, body="On it", actor=world.agent)
        elif kind == "outbound_contact":
            case_contact_log(case=case, method="phone", body="Called back", actor=world.agent)
        elif kind == "inbound_contact":
            case_contact_log(
                case=case, method="phone", body="They called", actor=world.agent, outbound=False
            )
        else:
            case_note_add(case=case, body="Internal only", actor=world.agent)

    return act


@pytest.mark.parametrize(
    ("action", "meets"),
    [
        ("public_update", True),
        ("outbound_contact", True),
        ("inbound_contact", False),
        ("internal_note", False),
    ],
)
def test_first_reply_sets_first_response_met_and_moves_the_escalation_time_zammad_2082(
    world, clock, action, meets
):
    make_policy(world)
    clock.set(chi(2026, 3, 2, 10))
    case = open_case(world)
    assert utc(fresh(case).next_check_at) == utc(chi(2026, 3, 2, 10, 45))  # FR warning

    clock.set(chi(2026, 3, 2, 10, 30))
    _by(action)(fresh(case), world)
    case = fresh(case)

    if meets:
        assert case.first_response_at == clock.now
        # The next thing that can happen is now the resolution warning (180 of 240 minutes).
        assert utc(case.next_check_at) == utc(chi(2026, 3, 2, 13))
        assert utc(case.first_response_due_at) == utc(chi(2026, 3, 2, 11))  # kept, for the record
        assert (
            AuditEvent.objects.filter(
                action="case.sla_first_response_met", object_id=str(case.pk)
            ).count()
            == 1
        )
    else:
        assert case.first_response_at is None
        assert utc(case.next_check_at) == utc(chi(2026, 3, 2, 10, 45))
    assert utc(case.resolution_due_at) == utc(chi(2026, 3, 2, 14))


@pytest.mark.parametrize(
    ("reply_at", "expected_fr_events"),
    [
        (chi(2026, 3, 2, 10, 30), []),  # before the warning: nothing ever fires
        (chi(2026, 3, 2, 10, 50), ["first_response_warning"]),  # after the warning only
    ],
)
def test_after_the_reply_the_first_response_clock_never_breaches_zammad_3140(
    world, clock, reply_at, expected_fr_events
):
    make_policy(world)
    clock.set(chi(2026, 3, 2, 10))
    case = open_case(world)
    steps = [(chi(2026, 3, 2, *hm), "sweep") for hm in [(10, 45), (11, 0), (11, 30), (12, 59)]]
    for at, step in sorted([*steps, (reply_at, "reply")]):
        if step == "reply":
            reply(case, world, clock, at)
        else:
            clock.set(at)
            sla_sweep(now=at)
    case = fresh(case)
    fired = [event.data["threshold"] for event in sla_events(case)]
    assert fired == expected_fr_events
    assert case.sla_first_response_breached_at is None
    assert case.sla_state == "ok"  # the resolution clock is still below its warning
    assert case.sla_escalation_level == 0
    # The resolution clock goes on by itself: its warning comes at 180 minutes.
    sla_sweep(now=chi(2026, 3, 2, 13))
    assert [e.data["threshold"] for e in sla_events(case)][-1] == "warning"


@pytest.mark.parametrize(
    ("first_response", "resolution", "fr_due", "res_due"),
    [
        (60, 240, chi(2026, 3, 2, 11), chi(2026, 3, 2, 14)),
        (480, 240, chi(2026, 3, 3, 10), chi(2026, 3, 2, 14)),  # longer FR than resolution
        (None, 240, None, chi(2026, 3, 2, 14)),
        (60, None, chi(2026, 3, 2, 11), None),
    ],
)
def test_first_response_and_resolution_deadlines_are_independent_zammad_5177(
    world, clock, first_response, resolution, fr_due, res_due
):
    make_policy(world, first_response_minutes=first_response, resolution_minutes=resolution)
    clock.set(chi(2026, 3, 2, 10))
    case = fresh(open_case(world))
    assert (utc(case.first_response_due_at), utc(case.resolution_due_at)) == (
        utc(fr_due),
        utc(res_due),
    )
    reply(case, world, clock, chi(2026, 3, 2, 10, 30))
    case = fresh(case)
    # Meeting one target moves neither deadline.
    assert (utc(case.first_response_due_at), utc(case.resolution_due_at)) == (
        utc(fr_due),
        utc(res_due),
    )


# --- pauses and recomputation ---------------------------------------------------------------


def _waiting_then_priority(world, clock):
    make_policy(world, "normal", first_response_minutes=None)
    make_policy(
        world, "urgent", priority="urgent", first_response_minutes=None, resolution_minutes=120
    )
    clock.set(chi(2026, 3, 2, 10))
    case = open_case(world)
    case = case_assign(case=case, assignee=world.agent, actor=world.supervisor)
    return case


@pytest.mark.parametrize(
    ("priority_at", "resume_at", "expected_due"),
    [
        # Paused Mon 11:00 after 60 minutes; priority raised while paused; resumed Tue 11:00:
        # 60 of urgent's 120 are left.
        (chi(2026, 3, 3, 10), chi(2026, 3, 3, 11), chi(2026, 3, 3, 12)),
        # Priority raised after the resume (Tue 11:30: 90 consumed): 30 left.
        (chi(2026, 3, 3, 11, 30), chi(2026, 3, 3, 11), chi(2026, 3, 3, 12)),
    ],
)
def test_paused_time_survives_a_priority_change_glpi_15605(
    world, clock, priority_at, resume_at, expected_due
):
    case = _waiting_then_priority(world, clock)
    clock.set(chi(2026, 3, 2, 11))
    case_transition(case=case, to_status=Status.WAITING_ON_CITIZEN, actor=world.agent)
    paused = fresh(case)
    assert (paused.sla_paused, paused.sla_state, paused.sla_consumed_minutes) == (
        True,
        "paused",
        60,
    )
    assert paused.next_check_at is None and paused.resolution_due_at is None

    for at, step in sorted([(priority_at, "priority"), (resume_at, "resume")]):
        clock.set(at)
        if step == "priority":
            case_set_priority(case=fresh(case), priority="urgent", actor=world.supervisor)
        else:
            case_transition(case=fresh(case), to_status=Status.IN_PROGRESS, actor=world.agent)
    case = fresh(case)
    assert case.sla_policy.name == "urgent"
    assert utc(case.resolution_due_at) == utc(expected_due)
    assert not case.sla_paused


def test_priority_change_recomputes_from_consumed_time_not_from_creation(world, clock):
    case = _waiting_then_priority(world, clock)
    clock.set(chi(2026, 3, 2, 11, 30))  # 90 business minutes consumed
    case_set_priority(case=fresh(case), priority="urgent", actor=world.supervisor)
    case = fresh(case)
    assert case.sla_consumed_minutes == pytest.approx(90)
    assert utc(case.resolution_due_at) == utc(chi(2026, 3, 2, 12))  # 30 of 120 left
    # And back: the normal policy's 240 from the same consumed time.
    clock.set(chi(2026, 3, 2, 11, 45))
    case_set_priority(case=case, priority="normal", actor=world.supervisor)
    assert utc(fresh(case).resolution_due_at) == utc(chi(2026, 3, 2, 14))


def test_category_change_picks_the_new_categorys_policy(world, clock):
    make_policy(world, "default", first_response_minutes=None)
    make_policy(
        world,
        "potholes",
        category=world.pothole,
        first_response_minutes=None,
        resolution_minutes=480,
    )
    clock.set(chi(2026, 3, 2, 10))
    case = open_case(world)
    clock.set(chi(2026, 3, 2, 12))
    case_set_category(case=fresh(case), category=world.pothole, actor=world.agent)
    case = fresh(case)
    assert case.sla_policy.name == "potholes"
    assert utc(case.resolution_due_at) == utc(chi(2026, 3, 3, 10))  # 120 used, 360 left


def _evening(world):
    hours = [(day, time(13), time(21)) for day in range(5)]
    return calendar_create(agency=world.agency, name="Evening", intervals=hours, actor=None)


def test_transfer_counts_time_so_far_in_the_old_teams_calendar(world, clock):
    make_policy(world, first_response_minutes=None)
    night = team_create(
        agency=world.agency, name="Night", slug="night", calendar=_evening(world), actor=None
    )
    clock.set(chi(2026, 3, 2, 10))
    case = open_case(world)
    clock.set(chi(2026, 3, 2, 11))  # 60 minutes in Office hours
    case_transfer(case=fresh(case), team=night, actor=world.supervisor)
    case = fresh(case)
    assert case.sla_consumed_minutes == pytest.approx(60)
    assert utc(case.resolution_due_at) == utc(chi(2026, 3, 2, 16))  # 180 from 13:00


@pytest.mark.parametrize("change", ["hours", "holiday", "team_calendar", "direct"])
def test_changing_a_calendar_recomputes_open_cases_zammad_534(world, clock, change):
    make_policy(world, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 10))
    case = open_case(world)
    resolved = open_case(world)
    case_assign(case=resolved, assignee=world.agent, actor=world.agent)
    case_transition(
        case=fresh(resolved),
        to_status=Status.RESOLVED,
        actor=world.agent,
        resolution_code="resolved",
        citizen_contacted=True,
    )
    resolved_before = fresh(resolved).resolution_due_at
    calendar = world.parks.calendar
    clock.set(chi(2026, 3, 2, 11))  # 60 minutes consumed in the old hours
    if change == "hours":  # mornings only: 180 left = Mon 11-12, Tue 09-11
        calendar_set_hours(
            calendar=calendar,
            actor=world.admin,
            intervals=[(day, time(9), time(12)) for day in range(5)],
        )
        expected = chi(2026, 3, 3, 11)
    elif change == "holiday":  # today becomes a holiday: the 180 left start Tue 09:00
        holiday_add(calendar=calendar, date=date(2026, 3, 2), name="Snow day", actor=world.admin)
        expected = chi(2026, 3, 3, 12)
    elif change == "team_calendar":
        team_update(team=world.parks, calendar=_evening(world), actor=world.admin)
        expected = chi(2026, 3, 2, 16)  # 180 from 13:00
    else:
        sla_recompute_for_calendar(calendar=calendar, actor=world.admin)
        expected = chi(2026, 3, 2, 14)  # nothing changed: same deadline
    case = fresh(case)
    assert utc(case.resolution_due_at) == utc(expected)
    assert case.sla_consumed_minutes == pytest.approx(60)
    assert fresh(resolved).resolution_due_at == resolved_before  # closed clocks stay put
    if change != "direct":
        # One row for the decision, naming the case among those it moved (not one per case).
        recomputed = AuditEvent.objects.get(action="sla.recomputed")
        assert recomputed.object_id == str(calendar.pk if change != "team_calendar" else
                                             fresh(case).team.calendar_id)  # fmt: skip
        assert recomputed.related_type == "cases.case"
        assert recomputed.related_ids == [str(case.pk)]
        assert recomputed.changes["cases"] == [None, 1]
        assert not AuditEvent.objects.filter(
            action="case.sla_recomputed", changes__reason=[None, "calendar"]
        ).exists()


@pytest.mark.parametrize(
    ("resolve_at", "state"),
    [(chi(2026, 3, 2, 12), "met"), (chi(2026, 3, 2, 14), "met"), (chi(2026, 3, 2, 15), "breached")],
)
def test_resolving_stops_the_clock_met_or_breached(world, clock, resolve_at, state):
    make_policy(world, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 10))
    case = case_assign(case=open_case(world), assignee=world.agent, actor=world.agent)
    clock.set(resolve_at)
    case_transition(
        case=fresh(case),
        to_status=Status.RESOLVED,
        actor=world.agent,
        resolution_code="resolved",
        citizen_contacted=True,
    )
    case = fresh(case)
    assert case.sla_state == state
    assert case.sla_clock_started_at is None and case.next_check_at is None
    assert utc(case.resolution_due_at) == utc(chi(2026, 3, 2, 14))


def test_reopen_restarts_the_clock_from_the_consumed_time(world, clock):
    make_policy(world, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 10))
    case = case_assign(case=open_case(world), assignee=world.agent, actor=world.agent)
    clock.set(chi(2026, 3, 2, 12))
    case_transition(
        case=fresh(case),
        to_status=Status.RESOLVED,
        actor=world.agent,
        resolution_code="resolved",
        citizen_contacted=True,
    )
    assert fresh(case).sla_consumed_minutes == pytest.approx(120)
    clock.set(chi(2026, 3, 3, 10))  # a day later: the resolved time does not count
    case_transition(case=fresh(case), to_status=Status.OPEN, actor=world.agent)
    case = fresh(case)
    assert case.sla_clock_started_at == clock.now
    assert utc(case.resolution_due_at) == utc(chi(2026, 3, 3, 12))  # 120 left
    assert case.sla_state == "ok"
    assert AuditEvent.objects.filter(action="case.sla_restarted", object_id=str(case.pk)).exists()


def test_referral_switches_to_the_receiving_agencys_policy(world, clock):
    make_policy(world, first_response_minutes=None)
    make_policy(
        world,
        "revenue",
        agency=world.other_agency,
        first_response_minutes=None,
        resolution_minutes=480,
    )
    clock.set(chi(2026, 3, 2, 10))
    case = open_case(world)
    sla_sweep(now=chi(2026, 3, 2, 14))
    assert fresh(case).sla_breached_at is not None
    clock.set(chi(2026, 3, 2, 15))  # 300 consumed: over the sender's 240, under 480
    case_refer(case=fresh(case), category=world.other_category, reason="Tax", actor=world.agent)
    case = fresh(case)
    assert case.sla_policy.name == "revenue"
    assert case.sla_consumed_minutes == pytest.approx(300)
    assert utc(case.resolution_due_at) == utc(chi(2026, 3, 3, 10))  # 180 left in the new team
    assert case.sla_breached_at is None and case.sla_escalation_level == 0  # a new owner
    assert case.sla_state == "ok"  # 300/480 = 62.5 %, under the 75 % warning


# --- the sweep ------------------------------------------------------------------------------


def _escalating(world, clock):
    policy = make_policy(world, first_response_minutes=None)
    make_level(policy, 1, 0, notify="team_supervisors")
    make_level(policy, 2, 120, notify="agency_supervisors", reassign_team=world.roads)
    clock.set(chi(2026, 3, 2, 10))
    case = case_assign(case=open_case(world), assignee=world.agent2, actor=world.agent2)
    return case


STEPS = [
    # (sweep at, kinds recorded by then, state, escalation level, team)
    ((12, 59), [], "ok", 0, "parks"),
    ((13, 0), ["sla_warning"], "at_risk", 0, "parks"),  # 180 of 240 = the 75 % threshold
    ((13, 30), ["sla_warning"], "at_risk", 0, "parks"),
    ((14, 0), ["sla_warning", "sla_breach", "sla_escalation"], "breached", 1, "parks"),
    ((15, 59), ["sla_warning", "sla_breach", "sla_escalation"], "breached", 1, "parks"),
    ((16, 0), ["sla_warning", "sla_breach", "sla_escalation", "sla_escalation"], "breached", 2,
     "roads"),
    ((16, 0), ["sla_warning", "sla_breach", "sla_escalation", "sla_escalation"], "breached", 2,
     "roads"),  # again: nothing new
]  # fmt: skip


def test_warning_breach_and_escalation_levels_fire_once_each_at_their_time(world, clock):
    case = _escalating(world, clock)
    for (hour, minute), kinds, state, level, team in STEPS:
        sla_sweep(now=chi(2026, 3, 2, hour, minute))
        current = fresh(case)
        assert [e.kind for e in sla_events(current)] == kinds, (hour, minute)
        assert (current.sla_state, current.sla_escalation_level, current.team.slug) == (
            state,
            level,
            team,
        ), (hour, minute)
    events = sla_events(case)
    assert all(not event.is_public for event in events)
    assert [utc(e.created_at) for e in events] == [
        utc(chi(2026, 3, 2, *hm)) for hm in [(13, 0), (14, 0), (14, 0), (16, 0)]
    ]
    assert events[1].data["due_at"] == utc(chi(2026, 3, 2, 14)).isoformat()
    assert events[3].data["level"] == 2 and events[3].data["team"] == world.roads.pk
    case = fresh(case)
    assert case.assignee_id is None  # moved to roads, unassigned there
    # After level 2 there is nothing left to do: no next check.
    assert case.next_check_at is None
    actions = list(
        AuditEvent.objects.filter(
            object_id=str(case.pk), action__startswith="case.sla_w"
        ).values_list("action", flat=True)
    )
    assert actions == ["case.sla_warning"]
    assert (
        AuditEvent.objects.filter(object_id=str(case.pk), action="case.sla_escalated").count() == 2
    )


def test_breach_notifies_supervisors_in_app_and_the_assignee(world, clock):
    case = _escalating(world, clock)
    sla_sweep(now=chi(2026, 3, 2, 13))
    warning = Notification.objects.get(kind="sla.warning")
    assert warning.recipient == world.agent2 and warning.email_after is None  # in-app only
    sla_sweep(now=chi(2026, 3, 2, 14))
    by_kind = {(n.kind, n.recipient.username) for n in Notification.objects.all()}
    # Breach and level 1 at once: one message each, titled by the escalation, for the team's
    # supervisor (also by email); the assignee hears of the breach in-app, in place of the
    # warning they had not read yet: one unread notice per case, not a stream.
    assert by_kind == {("sla.escalation", "sam"), ("sla.breach", "blair")}
    told = Notification.objects.get(kind="sla.escalation", recipient=world.supervisor)
    assert told.title == f"Escalated (level 1): {case.reference}"
    assert f"Resolution overdue: {case.reference}" in told.body
    assignee_told = Notification.objects.get(recipient=world.agent2)
    assert assignee_told.title == f"Resolution overdue: {case.reference}"
    assert f"Resolution due soon: {case.reference}" in assignee_told.body.splitlines()
    assert told.url.endswith(f"{case.reference}/")
    assert told.email_after is None  # sam has no email address: in-app only


def test_a_read_notice_is_kept_and_the_next_one_comes_new(world, clock):
    case = _escalating(world, clock)
    sla_sweep(now=chi(2026, 3, 2, 13))
    Notification.objects.filter(recipient=world.agent2).update(read_at=chi(2026, 3, 2, 13, 5))
    sla_sweep(now=chi(2026, 3, 2, 14))
    kinds = sorted(Notification.objects.filter(recipient=world.agent2).values_list("kind", "title"))
    assert kinds == [
        ("sla.breach", f"Resolution overdue: {case.reference}"),
        ("sla.warning", f"Resolution due soon: {case.reference}"),
    ]


def test_sweep_is_idempotent(world, clock):
    _escalating(world, clock)
    open_case(world)

    def state():
        cases = list(Case.objects.order_by("pk").values())
        events = list(CaseEvent.objects.order_by("pk").values_list("case", "kind", "created_at"))
        return (
            cases,
            events,
            Notification.objects.count(),
            OutboxMessage.objects.count(),
            AuditEvent.objects.count(),
        )

    now = chi(2026, 3, 2, 16)
    first = sla_sweep(now=now)
    after_once = state()
    second = sla_sweep(now=now)
    assert state() == after_once
    assert (first.breaches, second.breaches, second.claimed) == (2, 0, 0)


def test_paused_and_closed_cases_are_never_due(world, clock):
    make_policy(world)
    clock.set(chi(2026, 3, 2, 10))
    waiting = case_assign(case=open_case(world), assignee=world.agent, actor=world.agent)
    case_transition(case=waiting, to_status=Status.WAITING_ON_CITIZEN, actor=world.agent)
    assert fresh(waiting).next_check_at is None
    report = sla_sweep(now=chi(2026, 3, 20, 12))
    assert report.claimed == 0 and sla_events(waiting) == []


def _clone_cases(template: Case, count: int, *, status: str, first_check) -> None:
    """`count` copies of `template` in one INSERT … SELECT: `status`, and next_check_at one
    minute apart from `first_check` (NULL when None)."""
    columns = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    overrides = {
        "reference": "'T' || lpad(g::text, 9, '0') || %(tag)s",
        "status": "%(status)s",
        "next_check_at": "%(first)s::timestamptz + g * interval '1 minute'",
    }
    if status == "closed":
        done = "c.created_at + interval '1 hour'"
        overrides |= {"resolved_at": done, "closed_at": done, "resolution_code": "'resolved'"}
    names = ", ".join(f'"{column}"' for column in columns)
    select = ", ".join(overrides.get(column, f'c."{column}"') for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO cases_case ({names}) "
            f"SELECT {select} FROM cases_case c, generate_series(1, %(count)s) g "
            "WHERE c.id = %(template)s",
            {"tag": status[0], "status": status, "first": first_check, "count": count,
             "template": template.pk},
        )  # fmt: skip


def _plan_nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _plan_nodes(child))]


def test_the_claim_walks_the_partial_index_and_stops_at_the_batch_however_large_the_table(
    world, clock
):
    """On a table shaped like production's (thousands of open cases not yet due, thousands
    closed, a few due), with fresh statistics and no planner switches: the claim reads the
    partial index in deadline order and stops at the batch size, no table scan, no sort."""
    make_policy(world)
    clock.set(chi(2026, 3, 2, 10))
    due = [open_case(world) for _ in range(3)]
    claim_at = chi(2026, 3, 3, 12)
    _clone_cases(due[0], 20_000, status="open", first_check=claim_at + timedelta(days=1))
    _clone_cases(due[0], 20_000, status="closed", first_check=None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")

    claim = sla_due_cases(claim_at, 500)
    sql, params = claim.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0][0]["Plan"]
    nodes = _plan_nodes(plan)
    scans = [n for n in nodes if "Scan" in n["Node Type"]]

    assert [n["Node Type"] for n in nodes[:2]] == ["Limit", "LockRows"], plan
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [
        ("Index Scan", "case_sla_due_idx")
    ], plan
    assert not [n for n in nodes if n["Node Type"] in {"Sort", "Incremental Sort"}], plan
    assert [case.pk for case in claim] == sorted(
        (case.pk for case in due), key=lambda pk: Case.objects.get(pk=pk).next_check_at
    )


# --- notifications respect the calendar (Zammad #4432) --------------------------------------

NIGHT = [
    # (business hours?, created, sweep at, email not before)
    # Breached at Friday's closing time, swept 30 s later: held until Monday 09:00.
    (True, chi(2026, 3, 6, 13), chi(2026, 3, 6, 17, 0, 30), chi(2026, 3, 9, 9)),
    # Swept during open hours: sent at once.
    (True, chi(2026, 3, 5, 12), chi(2026, 3, 5, 16, 0, 30), chi(2026, 3, 5, 16, 0, 30)),
    # A 24/7 policy breaches at Saturday 03:00 and says so at once.
    (False, chi(2026, 3, 6, 23), chi(2026, 3, 7, 3, 0, 30), chi(2026, 3, 7, 3, 0, 30)),
]


@pytest.mark.parametrize(("business_hours", "created", "sweep_at", "email_at"), NIGHT)
def test_no_escalation_email_at_night_or_on_weekends_for_business_hours_zammad_4432(
    world, clock, business_hours, created, sweep_at, email_at
):
    make_policy(world, first_response_minutes=None, business_hours=business_hours)
    world.supervisor.email = "sam@example.org"
    world.supervisor.save()
    clock.set(created)
    case = open_case(world)
    clock.set(sweep_at)
    OutboxMessage.objects.all().delete()  # the citizen's acknowledgement is not the point
    sla_sweep(now=sweep_at)
    assert len(sla_events(case, "sla_breach")) == 1
    assert Notification.objects.filter(recipient=world.supervisor, kind="sla.breach").exists()
    assert not Notification.objects.filter(recipient=world.supervisor, kind="sla.warning")
    digests = list(OutboxMessage.objects.filter(topic=DIGEST_TOPIC))
    assert len(digests) == 1
    assert utc(digests[0].available_at) == utc(email_at)
    # Not deliverable before the calendar opens.
    assert outbox_deliver(message_id=digests[0].pk, now=email_at - timedelta(seconds=1)) is False
    assert outbox_deliver(message_id=digests[0].pk, now=email_at) is True


def test_one_digest_email_per_supervisor_per_sweep(world, clock, mailoutbox):
    make_policy(world, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 10))
    world.supervisor.email = "sam@example.org"
    world.supervisor.save()
    cases = [open_case(world) for _ in range(3)]
    OutboxMessage.objects.all().delete()
    clock.set(chi(2026, 3, 2, 14, 1))
    sla_sweep(now=clock.now)
    digests = list(OutboxMessage.objects.filter(topic=DIGEST_TOPIC))
    assert len(digests) == 1  # three breaches, one email
    mailoutbox.clear()
    assert outbox_deliver(message_id=digests[0].pk, now=clock.now)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sam@example.org"]
    for case in cases:
        assert case.reference in message.body


def test_a_nights_breaches_join_one_morning_digest(world, clock):
    make_policy(world, first_response_minutes=None, resolution_minutes=60)
    world.supervisor.email = "sam@example.org"
    world.supervisor.save()
    clock.set(chi(2026, 3, 6, 15, 30))
    first = open_case(world)
    clock.set(chi(2026, 3, 6, 16))
    second = open_case(world)
    OutboxMessage.objects.all().delete()
    # A late sweep that stops after one case, then the next run: both after closing time.
    report = sla_sweep(now=chi(2026, 3, 6, 17, 0, 30), batch_size=1, max_batches=1)
    assert (report.claimed, report.breaches) == (1, 1)
    report = sla_sweep(now=chi(2026, 3, 6, 17, 1))
    assert (report.claimed, report.breaches) == (1, 1)
    digests = list(OutboxMessage.objects.filter(topic=DIGEST_TOPIC))
    assert len(digests) == 1
    ids = digests[0].payload["notification_ids"]
    titles = set(Notification.objects.filter(pk__in=ids).values_list("title", flat=True))
    assert {first.reference, second.reference} <= {t.rsplit(" ", 1)[-1] for t in titles}


# --- two sweeps at once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_record_each_event_once(world, clock):
    make_policy(world, first_response_minutes=None)
    clock.set(chi(2026, 3, 2, 10))
    cases = [open_case(world) for _ in range(30)]
    now = chi(2026, 3, 2, 14, 30)
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def run():
        try:
            barrier.wait()
            reports.append(sla_sweep(now=now, batch_size=4))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(r.breaches for r in reports) == 30
    assert sum(r.warnings for r in reports) == 30
    for case in cases:
        assert [e.kind for e in sla_events(case)] == ["sla_warning", "sla_breach"]
    assert AuditEvent.objects.filter(action="case.sla_breached").count() == 30
    # And a third sweep finds nothing.
    assert sla_sweep(now=now).claimed == 0


@pytest.mark.parametrize(
    ("steps", "actions"),
    [
        (["waiting_on_citizen"], ["case.sla_paused"]),
        (["waiting_on_citizen", "in_progress"], ["case.sla_paused", "case.sla_resumed"]),
        (["waiting_on_citizen", "resolved"], ["case.sla_paused", "case.sla_stopped"]),
        (["resolved", "open"], ["case.sla_stopped", "case.sla_restarted"]),
        (["in_progress"], []),  # the clock just keeps running: nothing to record
    ],
)
def test_each_clock_change_is_audited(world, clock, steps, actions):
    make_policy(world)
    clock.set(chi(2026, 3, 2, 10))
    case = case_assign(case=open_case(world), assignee=world.agent, actor=world.agent)
    for minutes, status in enumerate(steps, start=1):
        clock.set(chi(2026, 3, 2, 10, 10 * minutes))
        extra = {"resolution_code": "resolved", "citizen_contacted": True}
        case_transition(case=fresh(case), to_status=status, actor=world.agent,
                        **(extra if status == "resolved" else {}))  # fmt: skip
    recorded = AuditEvent.objects.filter(object_id=str(case.pk), action__startswith="case.sla_")
    assert list(recorded.order_by("occurred_at", "id").values_list("action", flat=True)) == actions
