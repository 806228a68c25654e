"""Generated cases for the figures tests: every path a figure can take."""

from __future__ import annotations

from datetime import timedelta

from cases.models import Case
from cases.services import (
    case_assign,
    case_create,
    case_public_update,
    case_refer,
    case_set_priority,
    case_transition,
)
from citizens.services import citizen_create, citizen_merge
from tests.cases.sla.support import chi, make_policy


def _resolve(case: Case, actor, code: str = "resolved") -> Case:
    case = Case.objects.get(pk=case.pk)
    if case.status == "new":
        case = case_transition(case=case, to_status="open", actor=actor)
    return case_transition(
        case=case, to_status="resolved", actor=actor, resolution_code=code, citizen_contacted=True
    )


def generate(world, clock, *, count: int = 40) -> list[Case]:
    """Cases over three weeks around the March 2026 DST change (Sunday 8 March, Chicago), with
    local day boundaries, first responses, resolutions, reopenings, referrals, merged citizens."""
    make_policy(world, first_response_minutes=60, resolution_minutes=240)
    ana = citizen_create(actor=None, first_name="Ana", last_name="Ruiz", email="ana@example.org")
    twin = citizen_create(actor=None, first_name="Ana", last_name="Ruíz", email="ar@example.org")
    cases: list[Case] = []
    # Around midnight local time on both sides of the DST change: 23:50 and 00:10.
    moments = [chi(2026, 3, 7, 23, 50), chi(2026, 3, 8, 0, 10), chi(2026, 3, 8, 23, 50),
               chi(2026, 3, 9, 0, 10), chi(2026, 3, 8, 1, 59), chi(2026, 3, 8, 3, 1)]  # fmt: skip
    for i in range(count - len(moments)):
        moments.append(chi(2026, 3, 2, 8) + timedelta(hours=7 * i + (i % 5)))
    channels = ["phone", "web", "email", "walk_in"]
    for i, at in enumerate(moments):
        clock.set(at)
        case = case_create(
            category=world.pothole if i % 3 else world.graffiti,
            description=f"Generated case {i}", channel=channels[i % 4],
            actor=world.agent, citizen=ana if i % 4 == 0 else twin if i % 4 == 1 else None,
            priority=["normal", "high", "low"][i % 3],
            attributes={"size": "small"} if i % 3 else None,
        )  # fmt: skip
        cases.append(case)
        if i % 7 == 3:
            clock.advance(minutes=30)
            case_assign(case=Case.objects.get(pk=case.pk), assignee=world.agent, actor=world.agent)
        if i % 2 == 0:
            clock.advance(minutes=45 + 20 * (i % 6))
            case_public_update(case=Case.objects.get(pk=case.pk), body="On it", actor=world.agent)
        if i % 9 == 4:
            clock.advance(minutes=10)
            case_set_priority(case=Case.objects.get(pk=case.pk), priority="urgent",
                              actor=world.supervisor)  # fmt: skip
        if i % 10 == 5:
            clock.advance(hours=2)
            case_refer(case=Case.objects.get(pk=case.pk), category=world.other_category,
                       reason="Their job", actor=world.supervisor)  # fmt: skip
            continue
        if i % 3 != 2:
            clock.advance(hours=3 + (i % 4) * 9)
            _resolve(case, world.agent)
            if i % 5 == 0:  # reopened (later the same or another local day), resolved again
                clock.advance(hours=20)
                case_transition(case=Case.objects.get(pk=case.pk), to_status="open",
                                actor=world.agent)  # fmt: skip
                clock.advance(hours=5)
                _resolve(case, world.agent)
    clock.set(chi(2026, 3, 25, 12))
    citizen_merge(survivor=ana, other=twin, actor=world.supervisor)
    return cases
