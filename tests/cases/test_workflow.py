"""The case workflow: every allowed and every refused transition, and what each one records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import hooks
from cases.models import Case, CaseEvent
from cases.services import (
    TRANSITIONS,
    CaseRuleError,
    case_assign,
    case_create,
    case_transition,
    cases_close_resolved,
)
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
Status = Case.Status
ALL = list(Status.values)
PAIRS = [(a, b) for a in ALL for b in ALL]
EXPECTED_ALLOWED = {
    ("new", "open"),
    ("open", "in_progress"), ("open", "waiting_on_citizen"), ("open", "resolved"),
    ("in_progress", "waiting_on_citizen"), ("in_progress", "resolved"),
    ("waiting_on_citizen", "in_progress"), ("waiting_on_citizen", "resolved"),
    ("resolved", "closed"), ("resolved", "open"),
    ("closed", "open"),
}  # fmt: skip


def _case_in(status: str, world) -> Case:
    case = case_create(category=world.graffiti, description="Wall", channel="phone",
                       actor=world.agent)  # fmt: skip
    now = timezone.now()
    fields = {"status": status}
    if status != "new":
        fields.update(assignee=world.agent, opened_at=now)
    if status in ("resolved", "closed"):
        fields.update(resolved_at=now, resolution_code="resolved", citizen_contacted=True)
    if status == "closed":
        fields.update(closed_at=now)
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def test_the_transition_table_is_the_documented_workflow():
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == EXPECTED_ALLOWED


@pytest.mark.parametrize(("before", "after"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_transition(world, before, after):
    case = _case_in(before, world)
    extra = (
        {"resolution_code": "resolved", "citizen_contacted": True} if after == "resolved" else {}
    )

    if (before, after) in EXPECTED_ALLOWED:
        result = case_transition(case=case, to_status=after, actor=world.agent, **extra)
        assert result.status == after
        event = case.events.filter(kind=CaseEvent.Kind.STATUS).last()
        assert event.data["from"] == before and event.data["to"] == after
        assert AuditEvent.objects.filter(object_id=str(case.pk), changes__status=[before, after])
    else:
        with pytest.raises(CaseRuleError) as refused:
            case_transition(case=case, to_status=after, actor=world.agent, **extra)
        assert "cannot become" in str(refused.value)
        case.refresh_from_db()
        assert case.status == before
        assert not case.events.filter(kind=CaseEvent.Kind.STATUS).exists()


def test_resolving_requires_a_resolution_code_and_the_contact_answer(world):
    case = _case_in("in_progress", world)

    with pytest.raises(CaseRuleError) as no_code:
        case_transition(case=case, to_status="resolved", actor=world.agent, citizen_contacted=True)
    assert "resolution_code" in no_code.value.message_dict
    with pytest.raises(CaseRuleError) as no_contact:
        case_transition(case=case, to_status="resolved", actor=world.agent,
                        resolution_code="resolved")  # fmt: skip
    assert "citizen_contacted" in no_contact.value.message_dict
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_assigning_a_new_case_opens_it_and_reopening_clears_the_resolution(world, new_case):
    case = case_assign(case=new_case, assignee=world.agent, actor=world.supervisor)
    assert (case.status, case.assignee) == ("open", world.agent)
    assert case.opened_at is not None

    case = case_transition(case=case, to_status="resolved", actor=world.agent,
                           resolution_code="no_action", citizen_contacted=False)  # fmt: skip
    case = case_transition(case=case, to_status="open", actor=world.agent, note="Still there")

    assert case.resolution_code == "" and case.resolved_at is None
    assert AuditEvent.objects.filter(object_id=str(case.pk), action="case.reopened").exists()


def test_cannot_assign_to_someone_of_another_agency(world, new_case):
    with pytest.raises(CaseRuleError):
        case_assign(case=new_case, assignee=world.other_agent, actor=world.supervisor)
    new_case.refresh_from_db()
    assert new_case.assignee is None and new_case.status == "new"


def test_auto_close_closes_old_resolved_cases_once_and_runs_close_hooks(world, settings):
    settings.CASE_AUTO_CLOSE_DAYS = 7
    old = _case_in("resolved", world)
    recent = _case_in("resolved", world)
    Case.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    closed_by_hook = []

    def hook(case, actor):
        closed_by_hook.append((case.reference, case.status, actor))

    hooks.register_case_closed_hook(hook)
    try:
        assert cases_close_resolved() == 1
        assert cases_close_resolved() == 0  # a rerun finds nothing to do
    finally:
        hooks.unregister_case_closed_hook(hook)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == ("closed", "resolved")
    assert old.closed_at is not None
    assert closed_by_hook == [(old.reference, "closed", "auto-close")]


def test_a_failing_close_hook_rolls_the_closure_back(world):
    case = _case_in("resolved", world)

    def failing(case, actor):
        raise RuntimeError("survey store down")

    hooks.register_case_closed_hook(failing)
    try:
        with pytest.raises(RuntimeError):
            case_transition(case=case, to_status="closed", actor=world.agent)
    finally:
        hooks.unregister_case_closed_hook(failing)

    case.refresh_from_db()
    assert case.status == "resolved" and case.closed_at is None
    assert not case.events.filter(kind="status", data__to="closed").exists()
