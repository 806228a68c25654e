"""Writers of the SLA engine: keep each case's clock and deadlines right, and the sweep.

* `case_sla_refresh` is called by the case services after every change that matters to the
  clock (status, first response, priority, category, team, referral). It adds the business time
  run since the clock last (re)started, counted in the calendar that was in force, to the
  case; looks the policy up again where the change can switch it; stops, pauses or restarts the
  clock as the status says; and recomputes deadlines, state and the next check from the
  consumed time (never from the creation date, never by restarting from zero).
* `sla_recompute_for_calendar` does the same for the open cases of a calendar whose hours or
  holidays changed (registered as an `agencies.hooks` calendar-changed hook).
* `sla_sweep` (Celery beat, every SLA_SWEEP_SECONDS) claims due cases with
  SELECT … FOR UPDATE SKIP LOCKED on the partial index of `next_check_at`, records each
  warning, breach and escalation level once (once-only markers set by a conditional UPDATE),
  notifies (cases.sla.notices), reassigns where the policy says so, and sets the next check.
  A rerun, or a second sweep at the same time, finds nothing more to do.

Every change is audited (actions `case.sla_*`); SLA events are internal CaseEvents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.selectors import is_staff_of
from cases.models import Case, CaseEvent, SlaEscalationLevel, SlaPolicy
from cases.sla import business_time
from cases.sla.engine import (
    MARKERS,
    SLA_FIELDS,
    CalendarCache,
    PolicyCache,
    Threshold,
    calendar_from_snapshot,
    checkpoint,
    clock_mode,
    evaluate,
    sla_due_cases,
    sla_policy_for,
)
from cases.sla.notices import SlaNotices
from core.services import audit_record, audit_record_many, notifications_queue_digests

logger = logging.getLogger(__name__)

SWEEP_ACTOR = "sla-sweep"
KEEP = object()  # "the team did not change"
# Changes after which the policy is looked up again (the others keep the case's policy).
POLICY_REASONS = {"priority", "category", "referral"}
# Changes after which the deadlines are recomputed from the consumed time.
RECOMPUTE_REASONS = {"priority", "category", "team", "referral", "calendar"}


def _audit(case: Case, action: str, actor: Any, changes: dict) -> None:
    audit_record(action=action, obj=case, actor=actor, changes=changes, agency_id=case.agency_id)


def _value(value: Any) -> Any:
    if isinstance(value, SlaPolicy):
        return value.pk
    if isinstance(value, float):
        return round(value, 3)
    return value


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        name: getattr(case, name if name != "sla_policy" else "sla_policy_id")
        for name in SLA_FIELDS
    }


def _diff(before: dict[str, Any], case: Case) -> dict[str, tuple[Any, Any]]:
    after = _snapshot(case)
    return {
        name: (_value(before[name]), _value(after[name]))
        for name in SLA_FIELDS
        if before[name] != after[name]
    }


def _save(case: Case, changes: dict) -> None:
    names = [name for name in SLA_FIELDS if name in changes]
    Case.objects.filter(pk=case.pk).update(**{name: getattr(case, name) for name in names})


def _action_for(reason: str, before: dict, case: Case) -> str:
    if reason == "status":
        ran, paused = before["sla_clock_started_at"] is not None, before["sla_paused"]
        runs = case.sla_clock_started_at is not None
        if case.sla_paused and not paused:
            return "case.sla_paused"
        if runs and paused:
            return "case.sla_resumed"
        if runs and not ran:
            return "case.sla_restarted"
        if not runs and not case.sla_paused and (ran or paused):
            return "case.sla_stopped"
    if reason == "first_response":
        return "case.sla_first_response_met"
    return "case.sla_recomputed"


def _set_clock_for_status(case: Case, at: datetime) -> None:
    """Run, pause or stop the clock as the case's status says (after a checkpoint)."""
    mode = clock_mode(case.status)
    if mode == "running":
        if case.sla_clock_started_at is None:
            case.sla_clock_started_at = at
        case.sla_paused = False
    else:
        case.sla_clock_started_at = None
        case.sla_paused = mode == "paused"


@transaction.atomic
def case_sla_refresh(
    *,
    case: Case,
    actor: Any,
    reason: str,
    at: datetime | None = None,
    previous_team_id: Any = KEEP,
    cache: CalendarCache | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Bring the case's SLA up to date after a change of `reason` (see the module docstring).

    `reason`: status, first_response, priority, category, team, referral or calendar. For a
    team change (transfer, referral) pass `previous_team_id`: the time run so far is counted in
    that team's calendar. Call it with the case locked (the case services do). Returns the
    changed SLA fields (audited as `case.sla_*`); nothing changed writes nothing.
    """
    at = at or timezone.now()
    cache = cache or CalendarCache()
    before = _snapshot(case)
    old_policy = case.sla_policy if case.sla_policy_id else None
    if previous_team_id is KEEP:
        old_calendar = cache.for_case(case, old_policy)
    else:
        old_team = _team(previous_team_id)
        old_calendar = cache.for_team(old_team, old_policy, agency_timezone=_agency_tz(case))
    old_mode = "running" if case.sla_clock_started_at else "paused" if case.sla_paused else ""
    if reason in RECOMPUTE_REASONS or clock_mode(case.status) != (old_mode or "stopped"):
        # Time run so far goes on the case, counted in the calendar in force until now.
        checkpoint(case, old_calendar, at)
    policy = old_policy
    if reason in POLICY_REASONS:
        policy = sla_policy_for(
            agency_id=case.agency_id, category_id=case.category_id, priority=case.priority
        )
        case.sla_policy = policy
    if reason == "referral":
        # A new owner: its supervisors have been told nothing yet, so the once-only events
        # start afresh (the consumed time is kept: the citizen has been waiting all along).
        for marker in MARKERS.values():
            setattr(case, marker, None)
        case.sla_escalation_level = 0
    _set_clock_for_status(case, at)
    calendar = cache.for_case(case, policy)
    result = evaluate(case, policy, PolicyCache().levels(policy), calendar, at)
    for name, value in result.fields.items():
        setattr(case, name, value)
    changes = _diff(before, case)
    if not changes:
        return {}
    _save(case, changes)
    _audit(case, _action_for(reason, before, case), actor, {"reason": (None, reason), **changes})
    return changes


def _team(team_id: int | None):
    from agencies.models import Team

    if team_id is None:
        return None
    return Team.objects.select_related("calendar").get(pk=team_id)


def _agency_tz(case: Case) -> str:
    return case.agency.timezone


@transaction.atomic
def sla_recompute_for_calendar(
    *,
    calendar: Any,
    actor: Any,
    previous: Any = None,
    team_ids: Iterable[int] | None = None,
    at: datetime | None = None,
) -> int:
    """Recompute the running open cases that count in `calendar` after its hours changed.

    `previous` (an `agencies.hooks.CalendarSnapshot`) is the calendar as it was: the time run
    until now is counted in it, the rest in the new hours (Zammad #534). `team_ids`: only the
    cases of these teams (a team moved to this calendar from `previous`). Returns how many
    cases changed. Called inside the calendar change's transaction.

    One decision, one audit row (per agency owning the cases): `sla.recomputed` on the
    calendar, with the number of cases whose deadlines moved and their ids (the audit page
    counts and lists them, and shows the row in each case's history), not one row per case.
    """
    at = at or timezone.now()
    # Also the cases without a policy: their clock runs too, should one apply later.
    cases = Case.objects.filter(status__in=Case.OPEN_STATUSES, sla_clock_started_at__isnull=False)
    if team_ids is None:
        cases = cases.filter(team__calendar_id=calendar.pk)
    else:
        cases = cases.filter(team_id__in=list(team_ids))
    old = calendar_from_snapshot(previous) if previous is not None else None
    cache, policies = CalendarCache(), PolicyCache()
    changed: dict[int, list[int]] = {}  # agency id: the cases whose SLA fields changed
    ids = list(cases.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids, 500):
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("agency", "team__calendar", "sla_policy")
            .filter(pk__in=chunk, status__in=Case.OPEN_STATUSES)
            .order_by("pk")
        )
        for case in locked:
            policy = case.sla_policy
            before = _snapshot(case)
            if old is not None and (policy is None or policy.business_hours):
                checkpoint(case, old, at)
            elif old is not None:  # 24/7: only the time zone of the calendar matters
                checkpoint(case, cache.always_open(previous.timezone), at)
            else:
                checkpoint(case, cache.for_case(case, policy), at)
            _set_clock_for_status(case, at)
            calendar_now = cache.for_case(case, policy)
            result = evaluate(case, policy, policies.levels(policy), calendar_now, at)
            for name, value in result.fields.items():
                setattr(case, name, value)
            changes = _diff(before, case)
            if changes:
                _save(case, changes)
                changed.setdefault(case.agency_id, []).append(case.pk)
    reason = "calendar" if team_ids is None else "team_calendar"
    for agency_id, case_ids in changed.items():
        audit_record(
            action="sla.recomputed", obj=calendar, actor=actor, agency_id=agency_id,
            changes={"reason": (None, reason), "cases": (None, len(case_ids))},
            related_model=Case, related_ids=case_ids,
        )  # fmt: skip
    return sum(len(case_ids) for case_ids in changed.values())


def sla_calendar_changed(*, calendar: Any, previous: Any, team_ids: Any, actor: Any) -> None:
    """The `agencies.hooks` calendar-changed hook (registered in CasesConfig.ready)."""
    sla_recompute_for_calendar(calendar=calendar, actor=actor, previous=previous, team_ids=team_ids)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- the sweep ------------------------------------------------------------------------------


@dataclass
class SweepReport:
    claimed: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    reassigned: int = 0
    notifications: int = 0
    digests_queued: int = 0


class _Run:
    """State shared by the batches of one sweep run."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.calendars = CalendarCache()
        self.policies = PolicyCache()
        self.report = SweepReport()
        self.supervisors: dict[tuple[int, int | None], list[Any]] = {}  # see SlaNotices
        self.related: dict[type, dict[Any, Any]] = {}

    def attach(self, cases: list[Case]) -> None:
        """Set each case's agency, category, team (+ calendar), policy and assignee, reading
        only those this run has not seen yet (a handful per run, however many cases)."""
        from agencies.models import Agency, Team
        from cases.models import ServiceCategory

        specs = [
            ("agency", Agency.objects.all()),
            ("category", ServiceCategory.objects.all()),
            ("team", Team.objects.select_related("calendar")),
            ("sla_policy", SlaPolicy.objects.all()),
            ("assignee", get_user_model().objects.select_related("staff_profile")),
        ]
        for name, queryset in specs:
            known = self.related.setdefault(queryset.model, {})
            attname = Case._meta.get_field(name).attname
            wanted = {getattr(case, attname) for case in cases} - set(known) - {None}
            if wanted:
                known.update(queryset.in_bulk(wanted))
            for case in cases:
                value = getattr(case, attname)
                if value is not None:
                    setattr(case, name, known[value])


def sla_sweep(
    *, now: datetime | None = None, batch_size: int | None = None, max_batches: int | None = None
) -> SweepReport:
    """Record what became due on open cases by `now`; see the module docstring.

    Batches of `batch_size` (SLA_SWEEP_BATCH) cases, each in its own transaction; at most
    `max_batches` per run (the next run continues). Finally the run's notifications are
    queued as one digest email per supervisor (held until their calendar opens).
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.SLA_SWEEP_BATCH
    max_batches = max_batches or settings.SLA_SWEEP_MAX_BATCHES
    run = _Run(now)
    for _batch in range(max_batches):
        claimed = _sweep_batch(run, batch_size)
        run.report.claimed += claimed
        if claimed < batch_size:
            break
    run.report.digests_queued = notifications_queue_digests(now=now)
    return run.report


@dataclass
class _Plan:
    """What the sweep is about to write for one claimed case."""

    case: Case
    fields: dict[str, Any]  # the case's new values (UPDATE_FIELDS)
    old_level: int
    new_markers: tuple[str, ...]  # once-only markers this sweep sets: must still be empty
    fired: list[Threshold]
    calendar: business_time.Calendar
    old_state: str
    reassigned: dict[str, tuple[Any, Any]]


# Columns the sweep writes, always all of them (one UPDATE statement for the whole batch).
UPDATE_FIELDS = (
    ("first_response_due_at", "timestamptz"),
    ("resolution_due_at", "timestamptz"),
    ("next_check_at", "timestamptz"),
    ("sla_state", "varchar"),
    ("sla_first_response_warned_at", "timestamptz"),
    ("sla_first_response_breached_at", "timestamptz"),
    ("sla_warned_at", "timestamptz"),
    ("sla_breached_at", "timestamptz"),
    ("sla_escalation_level", "smallint"),
    ("sla_consumed_minutes", "double precision"),
    ("sla_clock_started_at", "timestamptz"),
    ("team_id", "bigint"),
    ("assignee_id", "integer"),
)


@transaction.atomic
def _sweep_batch(run: _Run, batch_size: int) -> int:
    cases = list(sla_due_cases(run.now, batch_size))
    run.attach(cases)
    plans = [_plan(run, case) for case in cases]
    applied = _apply(plans, run.now)
    writes = _Writes(run)
    for plan in plans:
        if plan.case.pk not in applied:
            logger.warning("SLA sweep: case %s changed under the sweep; next run", plan.case.pk)
            continue
        for name, value in plan.fields.items():
            setattr(plan.case, name, value)
        for threshold in plan.fired:
            writes.record(plan, threshold)
        if plan.old_state != plan.case.sla_state and not plan.fired:
            writes.audit(
                plan.case,
                "case.sla_state_changed",
                {"sla_state": (plan.old_state, plan.case.sla_state)},
            )
    writes.flush()
    return len(cases)


def _plan(run: _Run, case: Case) -> _Plan:
    """Decide, without writing, what becomes of a claimed case at the sweep's `now`."""
    now = run.now
    policy = case.sla_policy
    levels = run.policies.levels(policy)
    calendar = run.calendars.for_case(case, policy)
    result = evaluate(case, policy, levels, calendar, now, firing=True)
    fired: list[Threshold] = []
    for threshold in result.due:
        breach_on_record = case.sla_breached_at is not None or any(
            t.kind == "breach" for t in fired
        )
        if threshold.kind == "escalation" and not breach_on_record:
            continue  # never escalate before the breach is on record
        fired.append(threshold)
    old_level = case.sla_escalation_level
    new_markers = []
    for threshold in fired:
        if threshold.kind == "escalation":
            case.sla_escalation_level = max(case.sla_escalation_level, threshold.level.level)
        else:
            setattr(case, MARKERS[threshold.kind], now)
            new_markers.append(MARKERS[threshold.kind])
    reassigned: dict[str, tuple[Any, Any]] = {}
    levels_moving = [t.level for t in fired if t.kind == "escalation" and _reassigns(t.level)]
    if levels_moving:
        reassigned = _reassign(run, case, levels_moving[-1], calendar)
        policy = case.sla_policy
        calendar = run.calendars.for_case(case, policy)
    # The markers are set above, so evaluate() knows which events are on record.
    result = evaluate(case, policy, levels, calendar, now, firing=True)
    fields = {name: getattr(case, name) for name, _type in UPDATE_FIELDS}
    fields.update(result.fields)
    return _Plan(
        case=case,
        fields=fields,
        old_level=old_level,
        new_markers=tuple(new_markers),
        fired=fired,
        calendar=calendar,
        old_state=case.sla_state,
        reassigned=reassigned,
    )


def _apply(plans: list[_Plan], now: datetime) -> set[int]:
    """One UPDATE per 1,000 cases of the batch; returns the ids it changed.

    Once only, even against a writer that bypassed the row lock: a row is only updated if its
    escalation level is still the one read and the markers this sweep sets are still empty.
    """
    markers = list(MARKERS.values())
    columns = ["id", "old_level", *[f"set_{m}" for m in markers]]
    columns += [name for name, _type in UPDATE_FIELDS]
    types = ["bigint", "smallint", *["boolean"] * len(markers)]
    types += [sql_type for _name, sql_type in UPDATE_FIELDS]
    row_sql = "(" + ", ".join(f"%s::{sql_type}" for sql_type in types) + ")"
    assignments = ", ".join(f"{name} = v.{name}" for name, _type in UPDATE_FIELDS)
    guards = " AND ".join(f"(NOT v.set_{m} OR c.{m} IS NULL)" for m in markers)
    applied: set[int] = set()
    for chunk in _chunks(plans, 1000):
        params: list[Any] = [now]
        for plan in chunk:
            params += [plan.case.pk, plan.old_level, *[m in plan.new_markers for m in markers]]
            params += [plan.fields[name] for name, _type in UPDATE_FIELDS]
        sql = (
            f"UPDATE {Case._meta.db_table} AS c SET {assignments}, updated_at = %s "  # noqa: S608
            f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v({', '.join(columns)}) "
            f"WHERE c.id = v.id AND c.sla_escalation_level = v.old_level AND {guards} "
            "RETURNING c.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            applied.update(row[0] for row in cursor.fetchall())
    return applied


def _reassigns(level: SlaEscalationLevel) -> bool:
    return bool(level.reassign_team_id or level.reassign_user_id)


def _reassign(
    run: _Run, case: Case, level: SlaEscalationLevel, calendar: business_time.Calendar
) -> dict[str, tuple[Any, Any]]:
    """Move the case as the escalation level says; time so far counts in the old calendar."""
    checkpoint(case, calendar, run.now)
    data: dict[str, tuple[Any, Any]] = {}
    team = level.reassign_team
    if team is not None and team.pk != case.team_id and team.agency_id == case.agency_id:
        data["team"] = (case.team_id, team.pk)
        case.team = team
        if level.reassign_user_id is None and case.assignee_id is not None:
            data["assignee"] = (case.assignee_id, None)
            case.assignee = None
    user = level.reassign_user
    if user is not None and user.is_active and is_staff_of(user, case.agency_id):
        data["assignee"] = (case.assignee_id, user.pk)
        case.assignee = user
    if data:
        run.report.reassigned += 1
    return data


AUDIT_ACTIONS = {
    "sla_warning": "case.sla_warning",
    "sla_breach": "case.sla_breached",
    "sla_escalation": "case.sla_escalated",
}


class _Writes:
    """The rows one batch adds, written with one INSERT per table at the end of the batch."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.events: list[CaseEvent] = []
        self.audits: list[dict[str, Any]] = []
        self.notices = SlaNotices(now=run.now, supervisors=run.supervisors)

    def audit(self, case: Case, action: str, changes: dict) -> None:
        self.audits.append(
            {
                "action": action,
                "obj": case,
                "actor": SWEEP_ACTOR,
                "changes": changes,
                "agency_id": case.agency_id,
            }
        )

    def record(self, plan: _Plan, threshold: Threshold) -> None:
        """The event, its audit row and its notices (once: the marker was just set)."""
        case, now = plan.case, self.run.now
        due_at = _threshold_instant(case, threshold)
        data: dict[str, Any] = {
            "clock": "first_response" if threshold.kind.startswith("first") else "resolution",
            "threshold": threshold.kind,
            "minutes": round(threshold.minutes, 3),
            "due_at": due_at.isoformat() if due_at else None,
            "policy": case.sla_policy_id,
        }
        if threshold.kind == "escalation":
            level = threshold.level
            data.update(level=level.level, notify=level.notify)
            data.update({name: values[1] for name, values in plan.reassigned.items()})
            changes = {"sla_escalation_level": (level.level - 1, level.level)}
            changes.update(plan.reassigned)
        else:
            changes = {MARKERS[threshold.kind]: (None, now)}
        changes["sla_state"] = (plan.old_state, case.sla_state)
        self.events.append(
            CaseEvent(
                case=case,
                kind=threshold.event_kind,
                actor=None,
                actor_label=_("SLA"),
                created_at=now,
                is_public=False,
                data=data,
            )
        )
        self.audit(case, AUDIT_ACTIONS[threshold.event_kind], changes)
        report = self.run.report
        if threshold.kind.endswith("warning"):
            report.warnings += 1
        elif threshold.kind.endswith("breach"):
            report.breaches += 1
        else:
            report.escalations += 1
        self.notices.add(case, threshold, plan.calendar)

    def flush(self) -> None:
        if self.events:
            CaseEvent.objects.bulk_create(self.events)
        if self.audits:
            audit_record_many(self.audits)
        self.run.report.notifications += self.notices.send()


def _threshold_instant(case: Case, threshold: Threshold) -> datetime | None:
    if threshold.kind == "first_response_breach":
        return case.first_response_due_at
    if threshold.kind == "breach":
        return case.resolution_due_at
    return None
