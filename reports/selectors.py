"""Reads of the staff dashboards: each panel is a table (what the CSV and the screen reader
get) and a chart made from that table, from the pre-aggregated figures (reports.figures) where
they exist; survey answers, escalation and assignment events of the case timeline and walk-in
visits are read from their own tables (indexed by agency and time), and people's saved views.

Every query is limited to the viewer's agencies (and, for agents, their teams) first; the URL's
filters only narrow that.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case
from reports.filters import Filters

PANELS = (
    "volume",
    "backlog",
    "speed",
    "sla",
    "escalations",
    "satisfaction",
    "recommendation",
    "workload",
    "reassignments",
    "walk_in",
)

DEFINITIONS = {
    "volume": gettext_lazy(
        "New cases received in each period of the chosen time, by the channel they came in by."
    ),
    "backlog": gettext_lazy(
        "Cases open now (new, open, in progress or waiting on the citizen), by how long ago "
        "they were received."
    ),
    "speed": gettext_lazy(
        "For cases resolved (and first answered) in the period: the median and 90th percentile "
        "time to resolve and to first respond, in business hours of the team's calendar and in "
        "elapsed hours."
    ),
    "sla": gettext_lazy(
        "Of the cases resolved (first answered) in each period that had a target, the share "
        "that met it, and how many did not."
    ),
    "satisfaction": gettext_lazy(
        "Answers to the satisfaction survey given in each period: the average score from 1 to "
        "5, and the share of invitations sent in the period that were answered (service and "
        "team filters apply; channel and priority cannot, anonymous answers do not say)."
    ),
    "workload": gettext_lazy(
        "Per staff member: the cases assigned to them and open now, the cases assigned to "
        "them that were resolved in the period, and how many of their cases were reassigned "
        "from them to someone else in the period."
    ),
    "escalations": gettext_lazy(
        "SLA escalations in each period: each time a case passed an escalation level of its "
        "policy, and how many different cases that was (filters apply to the case as it is now)."
    ),
    "recommendation": gettext_lazy(
        "Survey answers given in each period: the Net Promoter Score (the share who would "
        "recommend us, 9 or 10 out of 10, minus the share who would not, 0 to 6; from -100 to "
        "100), the share who said their request was resolved, and the share of invitations sent "
        "in the period that were answered (service and team filters apply)."
    ),
    "reassignments": gettext_lazy(
        "Per team, in the period: cases moved from one staff member to another, and cases "
        "transferred out of the team to another team and into it from another team."
    ),
    "walk_in": gettext_lazy(
        "Walk-in visits served in the period, per office and service: the median and 90th "
        "percentile wait from check-in to being called, and the median and 90th percentile time "
        "at the desk, in minutes, and the visitors who did not come when called (service and "
        "team filters apply: a team's services are those it owns)."
    ),
}


@dataclass
class Panel:
    key: str
    title: str
    definition: str
    columns: list[str]
    rows: list[list[Any]]
    chart: dict = field(default_factory=dict)


def _query(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _where(filters: Filters, alias: str = "f", *, teams: bool = True) -> tuple[str, list]:
    """SQL conditions of the scope and the dimension filters, for facts or daily figures."""
    parts = [f"{alias}.agency_id = ANY(%s)"]
    params: list = [list(filters.agency_ids)]
    if teams and filters.teams is not None:
        parts.append(f"{alias}.team_id = ANY(%s)")
        params.append(list(filters.teams))
    for column, value in (("category_id", filters.category_id), ("channel", filters.channel),
                          ("priority", filters.priority)):  # fmt: skip
        if value is not None:
            parts.append(f"{alias}.{column} = %s")
            params.append(value)
    return " AND ".join(parts), params


def _bucket(filters: Filters) -> str:
    return "day" if filters.days <= 31 else "week" if filters.days <= 120 else "month"


def _label(value: date, bucket: str) -> str:
    return value.strftime("%Y-%m") if bucket == "month" else value.isoformat()


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60.0, 1)


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _chart(kind: str, labels: list, series: list[tuple[str, list]], y_title: str = "",
           stacked: bool = False) -> dict:  # fmt: skip
    return {"type": kind, "labels": [str(x) for x in labels], "stacked": stacked,
            "yTitle": y_title,
            "datasets": [{"label": str(name), "data": data} for name, data in series]}  # fmt: skip


def volume(filters: Filters) -> Panel:
    bucket = _bucket(filters)
    where, params = _where(filters, "d")
    rows = _query(
        f"SELECT date_trunc('{bucket}', d.day)::date, d.channel, sum(d.received) "  # noqa: S608
        f"FROM reports_dailyfigure d WHERE {where} AND d.day BETWEEN %s AND %s "
        "AND d.received > 0 GROUP BY 1, 2 ORDER BY 1",
        [*params, filters.start, filters.end],
    )
    channels = [c for c in Case.Channel if any(r[1] == c.value for r in rows)]
    periods = sorted({r[0] for r in rows})
    table = {(r[0], r[1]): int(r[2]) for r in rows}
    out = []
    for period in periods:
        values = [table.get((period, c.value), 0) for c in channels]
        out.append([_label(period, bucket), *values, sum(values)])
    columns = [_("Period"), *[str(c.label) for c in channels], _("Total")]
    chart = _chart("bar", [r[0] for r in out],
                   [(c.label, [r[i + 1] for r in out]) for i, c in enumerate(channels)],
                   _("New cases"), stacked=True)  # fmt: skip
    return Panel("volume", _("Volume"), str(DEFINITIONS["volume"]), columns, out, chart)


AGE_BANDS = (
    (0, 2, gettext_lazy("0 to 2 days")),
    (3, 7, gettext_lazy("3 to 7 days")),
    (8, 30, gettext_lazy("8 to 30 days")),
    (31, None, gettext_lazy("Over 30 days")),
)


def backlog(filters: Filters, now=None) -> Panel:
    now = now or timezone.now()
    where, params = _where(filters)
    rows = _query(
        f"SELECT floor(extract(epoch FROM %s - f.created_at) / 86400)::int AS age, "  # noqa: S608
        f"f.status, count(*) FROM reports_casefact f WHERE f.is_open AND {where} GROUP BY 1, 2",
        [now, *params],
    )
    statuses = [s for s in Case.Status if s.value in ("new", "open", "in_progress",
                                                      "waiting_on_citizen")]  # fmt: skip
    out = []
    for low, high, label in AGE_BANDS:
        values = [sum(n for age, status, n in rows if status == s.value and age >= low
                      and (high is None or age <= high)) for s in statuses]  # fmt: skip
        out.append([str(label), *values, sum(values)])
    columns = [_("Age"), *[str(s.label) for s in statuses], _("Total")]
    chart = _chart("bar", [r[0] for r in out],
                   [(s.label, [r[i + 1] for r in out]) for i, s in enumerate(statuses)],
                   _("Open cases"), stacked=True)  # fmt: skip
    return Panel("backlog", _("Backlog and ageing"), str(DEFINITIONS["backlog"]), columns, out,
                 chart)  # fmt: skip


def _team_names(ids) -> dict[int, str]:
    from agencies.models import Team

    return dict(Team.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))


def speed(filters: Filters) -> Panel:
    where, params = _where(filters)
    pct = ("percentile_cont(0.5) WITHIN GROUP (ORDER BY {c}), "
           "percentile_cont(0.9) WITHIN GROUP (ORDER BY {c})")  # fmt: skip
    resolved = {r[0]: r[1:] for r in _query(
        f"SELECT f.team_id, count(*), {pct.format(c='f.resolution_business_minutes')}, "  # noqa: S608
        f"{pct.format(c='f.resolution_elapsed_minutes')} FROM reports_casefact f "
        f"WHERE {where} AND f.resolved_day BETWEEN %s AND %s GROUP BY 1",
        [*params, filters.start, filters.end])}  # fmt: skip
    answered = {r[0]: r[1:] for r in _query(
        f"SELECT f.team_id, count(*), {pct.format(c='f.first_response_business_minutes')} "  # noqa: S608
        f"FROM reports_casefact f WHERE {where} AND f.first_response_day BETWEEN %s AND %s "
        "GROUP BY 1", [*params, filters.start, filters.end])}  # fmt: skip
    names = _team_names(set(resolved) | set(answered))
    out = []
    for team_id in sorted(set(resolved) | set(answered), key=lambda t: names.get(t, "")):
        r = resolved.get(team_id, (0, None, None, None, None))
        a = answered.get(team_id, (0, None, None))
        out.append([names.get(team_id, _("No team")), r[0], _hours(r[1]), _hours(r[2]),
                    _hours(r[3]), _hours(r[4]), a[0], _hours(a[1]), _hours(a[2])])  # fmt: skip
    columns = [_("Team"), _("Resolved"), _("Resolution, median (business hours)"),
               _("Resolution, 90th percentile (business hours)"),
               _("Resolution, median (elapsed hours)"),
               _("Resolution, 90th percentile (elapsed hours)"), _("First responses"),
               _("First response, median (business hours)"),
               _("First response, 90th percentile (business hours)")]  # fmt: skip
    chart = _chart("bar", [r[0] for r in out],
                   [(columns[2], [r[2] for r in out]), (columns[3], [r[3] for r in out])],
                   _("Business hours"))  # fmt: skip
    return Panel("speed", _("Speed"), str(DEFINITIONS["speed"]), columns, out, chart)


def sla(filters: Filters) -> Panel:
    bucket = _bucket(filters)
    where, params = _where(filters, "d")
    rows = _query(
        f"SELECT date_trunc('{bucket}', d.day)::date, sum(d.resolution_sla_met), "  # noqa: S608
        "sum(d.resolution_sla_breached), sum(d.first_response_sla_met), "
        f"sum(d.first_response_sla_breached) FROM reports_dailyfigure d WHERE {where} "
        "AND d.day BETWEEN %s AND %s GROUP BY 1 HAVING sum(d.resolution_sla_met + "
        "d.resolution_sla_breached + d.first_response_sla_met + d.first_response_sla_breached)"
        " > 0 ORDER BY 1",
        [*params, filters.start, filters.end],
    )
    out = [[_label(p, bucket), _percent(rm, rm + rb), int(rb), _percent(fm, fm + fb), int(fb)]
           for p, rm, rb, fm, fb in rows]  # fmt: skip
    columns = [_("Period"), _("Resolution target met (%)"), _("Resolution targets missed"),
               _("First response target met (%)"), _("First response targets missed")]  # fmt: skip
    chart = _chart("line", [r[0] for r in out],
                   [(columns[1], [r[1] for r in out]), (columns[3], [r[3] for r in out])],
                   "%")  # fmt: skip
    return Panel("sla", _("SLA compliance"), str(DEFINITIONS["sla"]), columns, out, chart)


def _survey_where(filters: Filters) -> tuple[str, list]:
    """Conditions on survey responses (alias r) or invitations (replace "r."): scope, team and
    service (anonymous answers carry no channel or priority)."""
    parts = ["r.agency_id = ANY(%s)"]
    params: list = [list(filters.agency_ids)]
    if filters.teams is not None:
        parts.append("r.team_id = ANY(%s)")
        params.append(list(filters.teams))
    if filters.category_id is not None:
        parts.append("r.category_id = %s")
        params.append(filters.category_id)
    return " AND ".join(parts), params


def _invitations_sent(filters: Filters, bucket: str) -> dict[date, int]:
    where, params = _survey_where(filters)
    sent_local = "(i.sent_at AT TIME ZONE a.timezone)::date"
    return dict(_query(
        f"SELECT date_trunc('{bucket}', {sent_local})::date, count(*) "  # noqa: S608
        "FROM feedback_surveyinvitation i JOIN agencies_agency a ON a.id = i.agency_id "
        f"WHERE {where.replace('r.', 'i.')} AND i.sent_at IS NOT NULL "
        f"AND {sent_local} BETWEEN %s AND %s GROUP BY 1",
        [*params, filters.start, filters.end]))  # fmt: skip


_ANSWERS_LOCAL = "(r.submitted_at AT TIME ZONE a.timezone)::date"


def satisfaction(filters: Filters) -> Panel:
    bucket = "day" if filters.days <= 31 else "month"
    where, params = _survey_where(filters)
    local = _ANSWERS_LOCAL
    answers = _query(
        f"SELECT date_trunc('{bucket}', {local})::date, count(DISTINCT r.id), "  # noqa: S608
        "avg(x.number) FILTER (WHERE q.kind = 'csat') FROM feedback_surveyresponse r "
        "JOIN agencies_agency a ON a.id = r.agency_id "
        "LEFT JOIN feedback_answer x ON x.response_id = r.id "
        "LEFT JOIN feedback_question q ON q.id = x.question_id "
        f"WHERE {where} AND {local} BETWEEN %s AND %s GROUP BY 1 ORDER BY 1",
        [*params, filters.start, filters.end],
    )
    sent = _invitations_sent(filters, bucket)
    periods = sorted({p for p, *_rest in answers} | set(sent))
    by_period = {p: (n, avg) for p, n, avg in answers}
    out = []
    for period in periods:
        n, avg = by_period.get(period, (0, None))
        out.append([_label(period, bucket), None if avg is None else round(float(avg), 2), n,
                    sent.get(period, 0), _percent(n, sent.get(period, 0))])  # fmt: skip
    columns = [_("Period"), _("CSAT average (1 to 5)"), _("Answers"), _("Invitations sent"),
               _("Response rate (%)")]  # fmt: skip
    chart = _chart("line", [r[0] for r in out], [(columns[1], [r[1] for r in out])], "CSAT")
    return Panel("satisfaction", _("Satisfaction"), str(DEFINITIONS["satisfaction"]), columns,
                 out, chart)  # fmt: skip


def nps_score(promoters: int, detractors: int, answers: int) -> float | None:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), one decimal."""
    return round(100.0 * (promoters - detractors) / answers, 1) if answers else None


def recommendation(filters: Filters) -> Panel:
    bucket = "day" if filters.days <= 31 else "month"
    where, params = _survey_where(filters)
    local = _ANSWERS_LOCAL
    answers = _query(
        f"SELECT date_trunc('{bucket}', {local})::date, count(DISTINCT r.id), "  # noqa: S608
        "count(x.id) FILTER (WHERE q.kind = 'nps'), "
        "count(x.id) FILTER (WHERE q.kind = 'nps' AND x.number >= 9), "
        "count(x.id) FILTER (WHERE q.kind = 'nps' AND x.number <= 6), "
        "count(x.id) FILTER (WHERE q.is_resolution AND x.number IS NOT NULL), "
        "count(x.id) FILTER (WHERE q.is_resolution AND x.number = 1) "
        "FROM feedback_surveyresponse r JOIN agencies_agency a ON a.id = r.agency_id "
        "LEFT JOIN feedback_answer x ON x.response_id = r.id "
        "LEFT JOIN feedback_question q ON q.id = x.question_id "
        f"WHERE {where} AND {local} BETWEEN %s AND %s GROUP BY 1 ORDER BY 1",
        [*params, filters.start, filters.end],
    )
    sent = _invitations_sent(filters, bucket)
    by_period = {row[0]: row[1:] for row in answers}
    out = []
    for period in sorted(set(by_period) | set(sent)):
        n, nps_n, promoters, detractors, res_n, res_yes = by_period.get(period, (0,) * 6)
        out.append([_label(period, bucket), nps_score(promoters, detractors, nps_n), nps_n,
                    _percent(res_yes, res_n), res_n, n, sent.get(period, 0),
                    _percent(n, sent.get(period, 0))])  # fmt: skip
    columns = [_("Period"), _("Net Promoter Score (-100 to 100)"), _("Recommendation answers"),
               _("Said it was resolved (%)"), _("Answers to “resolved?”"), _("Answers"),
               _("Invitations sent"), _("Response rate (%)")]  # fmt: skip
    chart = _chart("line", [r[0] for r in out],
                   [(columns[1], [r[1] for r in out]), (columns[3], [r[3] for r in out]),
                    (columns[7], [r[7] for r in out])])  # fmt: skip
    return Panel("recommendation", _("Recommendation and resolution"),
                 str(DEFINITIONS["recommendation"]), columns, out, chart)  # fmt: skip


def _events_where(filters: Filters) -> tuple[str, list]:
    """Conditions on case events (alias e, the case c, its agency a) in the period's local
    days; the dimension filters apply to the case as it is now."""
    where, params = _where(filters, "c")
    local = "(e.created_at AT TIME ZONE a.timezone)::date"
    # A bound on the instant first (a day either side covers every zone), then the local day.
    from datetime import UTC, datetime, time, timedelta

    low = datetime.combine(filters.start - timedelta(days=1), time.min, UTC)
    high = datetime.combine(filters.end + timedelta(days=2), time.min, UTC)
    sql = f"{where} AND e.created_at >= %s AND e.created_at < %s AND {local} BETWEEN %s AND %s"
    return sql, [*params, low, high, filters.start, filters.end]


def escalations(filters: Filters) -> Panel:
    bucket = _bucket(filters)
    where, params = _events_where(filters)
    rows = _query(
        "SELECT date_trunc(%s, (e.created_at AT TIME ZONE a.timezone)::date)::date, "  # noqa: S608
        "count(*), count(DISTINCT e.case_id), max((e.data->>'level')::int) "
        "FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id "
        "JOIN agencies_agency a ON a.id = c.agency_id "
        f"WHERE e.kind = 'sla_escalation' AND {where} GROUP BY 1 ORDER BY 1",
        [bucket, *params],
    )
    out = [[_label(p, bucket), int(n), int(cases), level] for p, n, cases, level in rows]
    columns = [_("Period"), _("Escalations"), _("Cases escalated"), _("Highest level reached")]
    chart = _chart("bar", [r[0] for r in out], [(columns[1], [r[1] for r in out]),
                                                 (columns[2], [r[2] for r in out])],
                   _("Escalations"))  # fmt: skip
    return Panel("escalations", _("Escalations"), str(DEFINITIONS["escalations"]), columns, out,
                 chart)  # fmt: skip


def reassignments(filters: Filters) -> Panel:
    where, params = _events_where(filters)
    moved = dict(_query(
        "SELECT c.team_id, count(*) FROM cases_caseevent e "  # noqa: S608
        "JOIN cases_case c ON c.id = e.case_id JOIN agencies_agency a ON a.id = c.agency_id "
        "WHERE e.kind = 'assignment' AND e.data->>'from' IS NOT NULL "
        "AND e.data->>'to' IS NOT NULL AND e.data->>'from' <> e.data->>'to' "
        f"AND {where} GROUP BY 1", params))  # fmt: skip
    # Transfers: the team filter applies to the team the case left (out) or joined (in).
    unteamed = filters.__class__(**{**filters.__dict__, "team_ids": None, "team_id": None})
    where_all, params_all = _events_where(unteamed)
    transfers = _query(
        "SELECT (e.data->>'from')::bigint, (e.data->>'to')::bigint, count(*) "  # noqa: S608
        "FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id "
        "JOIN agencies_agency a ON a.id = c.agency_id "
        f"WHERE e.kind = 'transfer' AND {where_all} GROUP BY 1, 2", params_all)  # fmt: skip
    out_of: dict = {}
    into: dict = {}
    for source, target, n in transfers:
        out_of[source] = out_of.get(source, 0) + n
        into[target] = into.get(target, 0) + n
    teams = set(moved) | set(out_of) | set(into)
    if filters.teams is not None:
        teams &= set(filters.teams)
    names = _team_names(teams)
    out = []
    for team_id in sorted(teams, key=lambda t: (t is None, names.get(t, ""))):
        if team_id is not None and team_id not in names:
            continue  # a team of another agency (never: transfers stay in the agency)
        out.append([names.get(team_id, _("No team")), int(moved.get(team_id, 0)),
                    int(out_of.get(team_id, 0)), int(into.get(team_id, 0))])  # fmt: skip
    columns = [_("Team"), _("Reassigned between staff"), _("Transferred to another team"),
               _("Transferred in from another team")]  # fmt: skip
    chart = _chart("bar", [r[0] for r in out],
                   [(c, [r[i + 1] for r in out]) for i, c in enumerate(columns[1:])],
                   _("Cases"))  # fmt: skip
    return Panel("reassignments", _("Reassignments"), str(DEFINITIONS["reassignments"]), columns,
                 out, chart)  # fmt: skip


def walk_in(filters: Filters) -> Panel:
    from cases.models import ServiceCategory
    from visits.models import Office

    parts = ["v.agency_id = ANY(%s)"]
    params: list = [list(filters.agency_ids)]
    if filters.teams is not None:
        parts.append("s.owning_team_id = ANY(%s)")
        params.append(list(filters.teams))
    if filters.category_id is not None:
        parts.append("v.category_id = %s")
        params.append(filters.category_id)
    where = " AND ".join(parts)
    local = "(coalesce(v.finished_at, v.called_at) AT TIME ZONE a.timezone)::date"
    done = "FILTER (WHERE v.status = 'done')"
    pct = (f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {{c}}) {done}, "
           f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {{c}}) {done}")  # fmt: skip
    wait = "extract(epoch FROM v.called_at - v.created_at) / 60.0"
    desk = "extract(epoch FROM v.finished_at - v.called_at) / 60.0"
    rows = _query(
        "SELECT v.office_id, v.category_id, count(*) FILTER (WHERE v.status = 'done'), "  # noqa: S608
        f"{pct.format(c=wait)}, {pct.format(c=desk)}, "
        "count(*) FILTER (WHERE v.status = 'no_show') FROM visits_visit v "
        "JOIN agencies_agency a ON a.id = v.agency_id "
        "JOIN cases_servicecategory s ON s.id = v.category_id "
        f"WHERE {where} AND v.status IN ('done', 'no_show') AND v.called_at IS NOT NULL "
        f"AND {local} BETWEEN %s AND %s GROUP BY 1, 2",
        [*params, filters.start, filters.end],
    )
    offices = dict(Office.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "name"))
    services = {c.pk: c.display_name
                for c in ServiceCategory.objects.filter(pk__in={r[1] for r in rows})}  # fmt: skip

    def minutes(value) -> float | None:
        return None if value is None else round(float(value), 1)

    out = sorted(
        ([f"{offices.get(o, '?')}: {services.get(c, '?')}", int(n), minutes(w50), minutes(w90),
          minutes(d50), minutes(d90), int(no_show)]
         for o, c, n, w50, w90, d50, d90, no_show in rows),
        key=lambda row: row[0],
    )  # fmt: skip
    columns = [_("Office and service"), _("Visits served"), _("Wait, median (minutes)"),
               _("Wait, 90th percentile (minutes)"), _("At the desk, median (minutes)"),
               _("At the desk, 90th percentile (minutes)"),
               _("Did not come when called")]  # fmt: skip
    chart = _chart("bar", [r[0] for r in out],
                   [(columns[2], [r[2] for r in out]), (columns[4], [r[4] for r in out])],
                   _("Minutes"))  # fmt: skip
    return Panel("walk_in", _("Walk-in waits"), str(DEFINITIONS["walk_in"]), columns, out, chart)


def workload(filters: Filters) -> Panel:
    from django.contrib.auth import get_user_model

    where, params = _where(filters)
    rows = _query(
        "SELECT f.assignee_id, count(*) FILTER (WHERE f.is_open), "  # noqa: S608
        "count(*) FILTER (WHERE f.resolved_day BETWEEN %s AND %s) FROM reports_casefact f "
        f"WHERE f.assignee_id IS NOT NULL AND {where} AND (f.is_open OR f.resolved_day "
        "BETWEEN %s AND %s) GROUP BY 1",
        [filters.start, filters.end, *params, filters.start, filters.end],
    )
    events_where, events_params = _events_where(filters)
    away = dict(_query(
        "SELECT e.data->>'from', count(*) FROM cases_caseevent e "  # noqa: S608
        "JOIN cases_case c ON c.id = e.case_id JOIN agencies_agency a ON a.id = c.agency_id "
        "WHERE e.kind = 'assignment' AND e.data->>'from' IS NOT NULL "
        "AND e.data->>'to' IS NOT NULL AND e.data->>'from' <> e.data->>'to' "
        f"AND {events_where} GROUP BY 1", events_params))  # fmt: skip
    model = get_user_model()
    people = model.objects.filter(pk__in=[r[0] for r in rows]) | model.objects.filter(
        **{f"{model.USERNAME_FIELD}__in": list(away)}
    )
    users = {u.pk: (u.get_full_name() or u.get_username(), u.get_username()) for u in people}
    counts = {a: (int(o), int(r)) for a, o, r in rows}
    by_name = {name: pk for pk, (_label_, name) in users.items()}
    ids = set(counts) | {by_name[n] for n in away if n in by_name}
    out = sorted(([users[a][0], *counts.get(a, (0, 0)), int(away.get(users[a][1], 0))]
                  for a in ids if a in users), key=lambda row: (-row[1], row[0]))  # fmt: skip
    columns = [_("Staff member"), _("Open now"), _("Resolved in the period"),
               _("Reassigned to someone else in the period")]  # fmt: skip
    chart = _chart("bar", [r[0] for r in out],
                   [(c, [r[i + 1] for r in out]) for i, c in enumerate(columns[1:])],
                   _("Cases"))  # fmt: skip
    return Panel("workload", _("Workload"), str(DEFINITIONS["workload"]), columns, out, chart)


BUILDERS = {"volume": volume, "backlog": backlog, "speed": speed, "sla": sla,
            "escalations": escalations, "satisfaction": satisfaction,
            "recommendation": recommendation, "workload": workload,
            "reassignments": reassignments, "walk_in": walk_in}  # fmt: skip


PANEL_CACHE_SECONDS = 300


def panel(key: str, filters: Filters) -> Panel:
    """One panel, computed once per figures version, filters and language (then cached: the
    figures change only when the beat refresh runs; the backlog's ages, the survey answers,
    the escalation and assignment events and the walk-in visits, read from their own tables,
    may be up to PANEL_CACHE_SECONDS old)."""
    from django.core.cache import cache
    from django.utils.translation import get_language

    from reports.figures import figures_version

    cache_key = (
        "reports:panel:"
        + hashlib.sha256(
            repr((key, filters, figures_version(), get_language())).encode()
        ).hexdigest()
    )
    found = cache.get(cache_key)
    if found is None:
        found = BUILDERS[key](filters)
        cache.set(cache_key, found, PANEL_CACHE_SECONDS)
    return found


def scope_for(user: Any) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """The agencies and teams a viewer's dashboard counts: superusers every agency;
    supervisors and admins their agency; agents their teams."""
    from agencies.models import Agency
    from agencies.selectors import staff_member, staff_team_ids

    if getattr(user, "is_superuser", False) and staff_member(user) is None:
        return tuple(Agency.objects.values_list("pk", flat=True)), None
    member = staff_member(user)
    if member is None:
        return (), ()
    if getattr(user, "is_superuser", False):
        return tuple(Agency.objects.values_list("pk", flat=True)), None
    if member.role == "agent":
        return (member.agency_id,), tuple(staff_team_ids(user))
    return (member.agency_id,), None


# --- saved views ---------------------------------------------------------------------------

DASHBOARD_VIEW_PARAMS = ("period", "team", "category", "channel", "priority")


def _queue_view_params() -> tuple[str, ...]:
    from cases.filters import CaseFilter

    return ("queue", "sort", *CaseFilter.base_filters)


def clean_view_query(kind: str, query: str) -> str:
    """The part of a page's query string a saved view keeps: its filters and order (never a
    page cursor or anything else), in a stable order."""
    from django.http import QueryDict

    wanted = DASHBOARD_VIEW_PARAMS if kind == "dashboard" else _queue_view_params()
    given = QueryDict(query or "")
    kept = QueryDict(mutable=True)
    for name in wanted:
        values = [v[:200] for v in given.getlist(name) if v]
        if values:
            kept.setlist(name, values[:20])
    return kept.urlencode()


def saved_views_visible(user: Any, kind: str, team_ids: list[int] | None = None) -> list:
    """The viewer's own saved views of `kind`, then those shared with a team they are in (of
    their agency), by name."""
    from django.db.models import Q

    from agencies.selectors import staff_agency, staff_team_ids
    from reports.models import SavedView

    agency = staff_agency(user)
    if agency is None:
        return []
    views = (
        SavedView.objects.filter(agency=agency, kind=kind)
        .filter(
            Q(owner=user)
            | Q(team_id__in=team_ids if team_ids is not None else staff_team_ids(user))
        )
        .select_related("owner", "team")
        .order_by("name", "id")
    )
    rows = list(views)
    return [v for v in rows if v.owner_id == user.pk] + [v for v in rows if v.owner_id != user.pk]


def saved_view_for(user: Any, pk: int, *, owned: bool = False):
    """One saved view the viewer may open (their own or shared with their team), or may change
    (`owned`: their own); anything else, another agency's included, is a 404."""
    from django.http import Http404

    from agencies.selectors import staff_agency, staff_team_ids
    from reports.models import SavedView

    agency = staff_agency(user)
    view = (
        SavedView.objects.select_related("owner", "team", "agency")
        .filter(pk=pk, agency=agency)
        .first()
        if agency is not None
        else None
    )
    if view is None:
        raise Http404("No such saved view.")
    if view.owner_id != user.pk and (owned or view.team_id not in staff_team_ids(user)):
        raise Http404("No such saved view.")
    return view


def saved_view_url(view: Any) -> str:
    from django.urls import reverse

    base = reverse("reports:dashboard" if view.kind == "dashboard" else "cases:queue")
    return f"{base}?{view.query}" if view.query else base
