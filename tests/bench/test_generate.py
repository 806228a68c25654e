"""The benchmark data generator (bench/generate.py) at a small size: counts and relations
consistent, SLA columns as the SLA engine computes them, nothing due for the sweep."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bench import generate as gen
from cases.models import Case, CaseEvent
from cases.references import PATTERN
from cases.sla import business_time
from cases.sla.engine import CalendarCache, evaluate, sla_due_cases
from feedback.models import Answer, SurveyInvitation, SurveyResponse

CASES = 2000
NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)


@pytest.fixture
def generated(db):
    return gen.generate(cases=CASES, now=NOW, log=lambda _line: None)


def _scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_counts(generated):
    size = gen.sizes(CASES)
    counts = generated["counts"]
    assert counts["agencies"] == 2
    assert counts["teams"] == counts["calendars"] == 40
    assert counts["categories"] == 40
    assert counts["cases"] == CASES
    assert counts["citizens"] == size["citizens"] == 400
    assert counts["survey_responses"] == size["responses"] == 200
    assert counts["survey_invitations"] == int(200 * 1.4)
    assert 0.25 * CASES <= counts["open_cases"] <= 0.35 * CASES
    per_case = CaseEvent.objects.values("case_id").distinct().count()
    assert per_case == CASES
    assert 3 * CASES <= counts["case_events"] <= 10 * CASES
    assert (
        _scalar("SELECT max(n) FROM (SELECT count(*) n FROM cases_caseevent GROUP BY case_id) s")
        <= 10
    )
    assert (
        _scalar("SELECT min(n) FROM (SELECT count(*) n FROM cases_caseevent GROUP BY case_id) s")
        >= 3
    )
    first_kinds = _scalar(
        "SELECT count(*) FROM cases_caseevent e WHERE e.kind = 'created' AND NOT EXISTS "
        "(SELECT 1 FROM cases_caseevent o "
        "WHERE o.case_id = e.case_id AND o.created_at < e.created_at)"
    )
    assert first_kinds == CASES


def test_no_dangling_foreign_keys(generated):
    """The load skips FK triggers: every reference must still point at an existing row."""
    for model in (Case, CaseEvent, SurveyInvitation, SurveyResponse, Answer):
        for f in model._meta.concrete_fields:
            if not f.is_relation:
                continue
            target = f.related_model._meta
            dangling = _scalar(
                f"SELECT count(*) FROM {model._meta.db_table} t WHERE t.{f.column} IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {target.db_table} r "
                f"WHERE r.{target.pk.column} = t.{f.column})"
            )
            assert dangling == 0, f"{model.__name__}.{f.name}"
    # New rows get fresh ids after the explicit ones.
    assert (
        Case.objects.create(
            reference="CRM-2026-ZZZZZZ", agency_id=1, category_id=1, description="x", channel="api"
        ).pk
        == CASES + 1
    )


def test_cases_are_consistent(generated):
    refs = list(Case.objects.values_list("reference", flat=True))
    assert len(set(refs)) == CASES
    assert all(PATTERN.match(ref) for ref in refs)
    wrong = Case.objects.exclude(category__agency_id=models_f("agency_id")).count()
    assert wrong == 0
    assert Case.objects.exclude(team_id=models_f("category__owning_team_id")).count() == 0
    assert Case.objects.exclude(sla_policy__agency_id=models_f("agency_id")).count() == 0
    assert Case.objects.exclude(sla_policy__priority=models_f("priority")).count() == 0
    assigned = Case.objects.filter(assignee__isnull=False)
    assert assigned.exclude(assignee__staff_profile__teams=models_f("team_id")).count() == 0
    assert not Case.objects.filter(status="new", assignee__isnull=False).exists()
    assert not Case.objects.filter(
        status__in=Case.OPEN_STATUSES, resolved_at__isnull=False
    ).exists()
    assert not Case.objects.filter(created_at__gt=NOW).exists()
    assert not Case.objects.filter(closed_at__gt=NOW).exists()
    assert not Case.objects.filter(first_response_at__lt=models_f("created_at")).exists()
    assert (
        Case.objects.filter(status="closed").exclude(resolved_at__lte=models_f("closed_at")).count()
        == 0
    )
    # Open cases: the sweep finds nothing due at the generation instant.
    assert not list(sla_due_cases(NOW, 1000).values_list("id", flat=True))
    running = Case.objects.filter(status__in=["new", "open", "in_progress"])
    assert running.filter(next_check_at__isnull=False).exists()
    assert not running.filter(next_check_at__lte=NOW).exists()
    assert Case.objects.filter(status__in=Case.OPEN_STATUSES, sla_state="breached").exists()
    assert Case.objects.filter(status__in=Case.OPEN_STATUSES, sla_state="at_risk").exists()


def models_f(name: str):
    from django.db.models import F

    return F(name)


def test_sla_columns_match_the_engine(generated):
    """What the SLA engine computes for a sample of open and stopped cases is what is stored."""
    cache = CalendarCache()
    sample = list(
        Case.objects.select_related("team__calendar", "agency", "sla_policy").order_by("?")[:150]
    )
    for case in sample:
        policy = case.sla_policy
        levels = list(policy.escalations.all())
        result = evaluate(case, policy, levels, cache.for_case(case), NOW)
        assert result.due == [], (case.reference, case.status, result.due)
        for name in ("first_response_due_at", "resolution_due_at", "next_check_at"):
            stored, computed = getattr(case, name), result.fields[name]
            if stored is None or computed is None:
                assert stored == computed, (case.reference, case.status, name)
            else:
                assert abs((stored - computed).total_seconds()) < 1, (case.reference, name)
        assert case.sla_state == result.fields["sla_state"], (case.reference, case.status)


def test_fast_calendar_agrees_with_cases_sla():
    rnd = random.Random(1)
    holidays = [(m, d) for m, d, _name in gen.RECURRING_HOLIDAYS]
    for hours, weekly in gen.HOURS.items():
        fast = gen.FastCalendar(
            "America/Chicago",
            weekly,
            holidays,
            (NOW - timedelta(days=800)).date(),
            (NOW + timedelta(days=400)).date(),
        )
        real = business_time.Calendar.from_rows(
            "America/Chicago",
            [(day, start, end) for day, spans in weekly.items() for start, end in spans],
            (),
            holidays,
        )
        for _ in range(200):
            start = NOW - timedelta(minutes=rnd.randint(0, 700 * 24 * 60))
            minutes = rnd.choice((60, 480, 4800, 9600)) * rnd.random()
            expected = business_time.add_business_minutes(real, start, minutes)
            assert abs((fast.add(start, minutes) - expected).total_seconds()) < 1, hours
            end = start + timedelta(minutes=rnd.randint(0, 60 * 24 * 30))
            assert fast.between(start, end) == pytest.approx(
                business_time.business_minutes_between(real, start, end), abs=0.02
            )


def test_surveys_are_consistent(generated):
    invitations = SurveyInvitation.objects.all()
    assert invitations.exclude(case__status="closed").count() == 0
    assert invitations.exclude(citizen_id=models_f("case__citizen_id")).count() == 0
    assert invitations.exclude(citizen__consent_surveys=True).count() == 0
    assert invitations.exclude(email=models_f("citizen__email")).count() == 0
    assert invitations.exclude(survey__agency_id=models_f("agency_id")).count() == 0
    assert invitations.filter(case__resolution_code__in=["duplicate", "spam"]).count() == 0
    responses = SurveyResponse.objects.all()
    linked = responses.filter(anonymous=False)
    assert linked.exclude(invitation__status="answered").count() == 0
    assert linked.exclude(case_id=models_f("invitation__case_id")).count() == 0
    assert responses.filter(anonymous=True, invitation__isnull=False).count() == 0
    assert Answer.objects.exclude(question__survey_id=models_f("response__survey_id")).count() == 0
    assert SurveyInvitation.objects.filter(status="answered").count() == 200


def test_command_refuses_a_database_without_bench_in_its_name(db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "citizencrm")
    with pytest.raises(CommandError, match="bench"):
        call_command("generate_bench_data", "--cases", "200")
