"""The pre-aggregated figures equal a direct computation over the raw rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from cases.models import Case
from cases.services import case_transition
from reports import figures
from reports.models import CaseFact, DailyFigure
from tests.reports.support import generate

pytestmark = pytest.mark.django_db

DIMENSIONS = ("agency_id", "team_id", "category_id", "channel", "priority", "day")
MEASURES = (
    "received", "resolved", "first_responses", "reopened", "resolution_business_minutes",
    "resolution_elapsed_minutes", "first_response_business_minutes",
    "first_response_elapsed_minutes", "resolution_sla_met", "resolution_sla_breached",
    "first_response_sla_met", "first_response_sla_breached",
)  # fmt: skip

# The same definitions, straight from cases and their events, days by PostgreSQL's zone maths.
RAW_SQL = """
WITH c AS (
  SELECT c.*, a.timezone AS tz,
         c.status IN ('resolved', 'closed') AS done
    FROM cases_case c JOIN agencies_agency a ON a.id = c.agency_id
), parts AS (
  SELECT agency_id, team_id, category_id, channel, priority,
         (created_at AT TIME ZONE tz)::date AS day,
         1 AS received, 0 AS resolved, 0 AS first_responses, 0 AS reopened,
         0.0 AS rb, 0.0 AS re, 0.0 AS fb, 0.0 AS fe, 0 AS rm, 0 AS rx, 0 AS fm, 0 AS fx
    FROM c
  UNION ALL
  SELECT agency_id, team_id, category_id, channel, priority,
         (resolved_at AT TIME ZONE tz)::date, 0, 1, 0, 0,
         sla_consumed_minutes, extract(epoch FROM resolved_at - created_at) / 60, 0, 0,
         (resolution_due_at IS NOT NULL AND sla_breached_at IS NULL
          AND resolved_at <= resolution_due_at)::int,
         (resolution_due_at IS NOT NULL AND (sla_breached_at IS NOT NULL
          OR resolved_at > resolution_due_at))::int, 0, 0
    FROM c WHERE done
  UNION ALL
  SELECT agency_id, team_id, category_id, channel, priority,
         (first_response_at AT TIME ZONE tz)::date, 0, 0, 1, 0,
         0, 0, NULL, extract(epoch FROM first_response_at - created_at) / 60, 0, 0,
         (first_response_due_at IS NOT NULL AND sla_first_response_breached_at IS NULL
          AND first_response_at <= first_response_due_at)::int,
         (first_response_due_at IS NOT NULL AND (sla_first_response_breached_at IS NOT NULL
          OR first_response_at > first_response_due_at))::int
    FROM c WHERE first_response_at IS NOT NULL
  UNION ALL
  SELECT c.agency_id, c.team_id, c.category_id, c.channel, c.priority,
         (e.created_at AT TIME ZONE c.tz)::date, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0
    FROM c JOIN cases_caseevent e ON e.case_id = c.id
   WHERE e.kind = 'status' AND (e.data -> 'reopened') = 'true'::jsonb
)
SELECT agency_id, team_id, category_id, channel, priority, day,
       sum(received), sum(resolved), sum(first_responses), sum(reopened),
       sum(rb), sum(re), sum(fb), sum(fe), sum(rm), sum(rx), sum(fm), sum(fx)
  FROM parts GROUP BY 1, 2, 3, 4, 5, 6
"""


def _raw() -> dict[tuple, dict]:
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL)
        rows = cursor.fetchall()
    table = {}
    for row in rows:
        table[tuple(row[:6])] = {
            name: (None if v is None else float(v)) for name, v in zip(MEASURES, row[6:])
        }
    return table


def _stored() -> dict[tuple, dict]:
    return {
        tuple(r[d] for d in DIMENSIONS): {m: float(r[m]) for m in MEASURES}
        for r in DailyFigure.objects.values(*DIMENSIONS, *MEASURES)
    }


def _assert_equal(stored: dict, raw: dict) -> None:
    assert set(stored) == set(raw)
    for key, values in raw.items():
        for name, expected in values.items():
            if name == "first_response_business_minutes":
                continue  # compared separately (needs the calendar maths)
            assert stored[key][name] == pytest.approx(expected, abs=1e-6), (key, name)


def _assert_same(stored: dict, expected: dict) -> None:
    assert set(stored) == set(expected)
    for key, values in expected.items():
        for name, value in values.items():
            assert stored[key][name] == pytest.approx(value, abs=1e-6), (key, name)


def test_incremental_figures_equal_a_direct_computation(world, clock):
    generate(world, clock)
    assert Case.objects.filter(referrals__isnull=False).exists()
    clock.advance(hours=1)
    refreshed = figures.figures_refresh(now=clock.now + timedelta(hours=1))
    assert refreshed == Case.objects.count()
    raw = _raw()
    _assert_equal(_stored(), raw)
    # Reopened cases, a DST change and a local-day boundary are in the data.
    assert sum(v["reopened"] for v in raw.values()) >= 2
    days = {key[5] for key in raw}
    assert {d.isoformat() for d in days} >= {"2026-03-07", "2026-03-08", "2026-03-09"}
    # 23:50 and 00:10 Chicago are different local days, whatever UTC says.
    stored_days = {k[5].isoformat(): v["received"] for k, v in _stored().items()}
    assert "2026-03-07" in stored_days and "2026-03-08" in stored_days


def test_first_response_business_minutes_match_the_calendar(world, clock):
    generate(world, clock, count=16)
    figures.figures_refresh(now=clock.now + timedelta(hours=1))
    from cases.sla import business_time
    from cases.sla.engine import CalendarCache

    cache = CalendarCache()
    for case in Case.objects.select_related("team__calendar", "agency", "sla_policy"):
        fact = CaseFact.objects.get(case_id=case.pk)
        if case.first_response_at is None:
            assert fact.first_response_business_minutes is None
            continue
        expected = business_time.business_minutes_between(
            cache.for_case(case), case.created_at, case.first_response_at
        )
        assert fact.first_response_business_minutes == pytest.approx(expected)
    # And the daily sums are the sums of the facts.
    total = sum(DailyFigure.objects.values_list("first_response_business_minutes", flat=True))
    facts = CaseFact.objects.exclude(first_response_business_minutes=None)
    assert total == pytest.approx(sum(f.first_response_business_minutes for f in facts))


def test_rebuild_equals_incremental_and_refresh_is_idempotent(world, clock):
    generate(world, clock, count=24)
    figures.figures_refresh(now=clock.now + timedelta(hours=1))
    incremental = _stored()
    facts = {f.case_id: f for f in CaseFact.objects.all()}
    figures.rebuild_all()  # SQL for the facts, the calendars for first-response minutes
    _assert_same(_stored(), incremental)
    for fact in CaseFact.objects.all():
        before = facts[fact.case_id]
        for name in ("created_day", "first_response_day", "resolved_day", "reopen_days",
                     "first_response_sla", "resolution_sla", "is_open", "status"):  # fmt: skip
            assert getattr(fact, name) == getattr(before, name), name
        for name in ("first_response_business_minutes", "resolution_elapsed_minutes"):
            assert getattr(fact, name) == pytest.approx(getattr(before, name)), name
    assert figures.figures_refresh(now=clock.now + timedelta(hours=1)) == 0  # nothing new
    figures.refresh_cases(Case.objects.values_list("pk", flat=True))
    _assert_same(_stored(), incremental)


def test_a_change_is_visible_after_one_refresh(world, clock):
    cases = generate(world, clock, count=12)
    figures.figures_refresh(now=clock.now + timedelta(hours=1))
    open_case = next(c for c in cases if Case.objects.get(pk=c.pk).status in ("new", "open"))
    open_case = Case.objects.get(pk=open_case.pk)
    if open_case.status == "new":
        open_case = case_transition(case=open_case, to_status="open", actor=world.agent)
    clock.advance(hours=2)
    case_transition(case=open_case, to_status="resolved", actor=world.agent,
                    resolution_code="resolved", citizen_contacted=True)  # fmt: skip
    figures.figures_refresh(now=clock.now + timedelta(hours=1))
    _assert_equal(_stored(), _raw())
    assert CaseFact.objects.get(case_id=open_case.pk).resolved_day is not None


def test_a_late_commit_inside_the_lag_is_read_again(world, clock):
    from cases.models import CaseEvent
    from cases.services import case_note_add
    from reports.models import FigureState

    cases = generate(world, clock, count=8)
    case_note_add(case=Case.objects.get(pk=cases[0].pk), body="Just now", actor=world.agent)
    # Run "now": the newest event is younger than the lag and stays past the watermark.
    figures.figures_refresh(now=clock.now)
    last = CaseEvent.objects.order_by("-pk").first()
    assert FigureState.objects.get().event_watermark < last.pk
    _assert_equal(_stored(), _raw())
    assert figures.figures_refresh(now=clock.now) == 1  # read again, harmlessly
