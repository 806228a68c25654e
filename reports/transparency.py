"""The public transparency figures: per agency and per public service, the last 12 months.

Only services marked "show on the open data feed" (ServiceCategory.open_data) appear; nothing
about a case is published but counts and durations, and a figure computed from fewer than
TRANSPARENCY_MIN_CASES cases (or answers) is withheld (null, with the reason). A count of an
agency's total is also withheld when exactly one of its services' counts is, so the withheld
number cannot be worked out by subtraction.

Read from the pre-aggregated figures (reports.figures), cached per figures version: the beat
refresh warms the cache, so a request reads one cache entry.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from reports.figures import figures_version

SCHEMA_VERSION = "1.0"
LICENCE = "CC-BY-4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CACHE_SECONDS = 300

# Field names of the open data, in order (CSV columns); stable: add, never rename.
CSV_FIELDS = (
    "agency", "agency_name", "service", "service_name_en", "service_name_es", "month",
    "received", "resolved", "median_days_to_resolve", "p90_days_to_resolve",
    "resolved_within_sla_percent", "csat_average", "csat_answers", "suppressed",
)  # fmt: skip


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    months = []
    year, month = first.year, first.month
    for _ in range(12):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return sorted(months)


def _query(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_SERVICES_SQL = """
SELECT c.id, c.code, c.name, a.id, a.slug, a.name, a.timezone
  FROM cases_servicecategory c JOIN agencies_agency a ON a.id = c.agency_id
 WHERE c.open_data AND c.active
 ORDER BY a.name, c."order", c.code
"""

_COUNTS_SQL = """
SELECT category_id, date_trunc('month', day)::date, sum(received), sum(resolved),
       sum(resolution_sla_met), sum(resolution_sla_met + resolution_sla_breached)
  FROM reports_dailyfigure
 WHERE category_id = ANY(%s) AND day >= %s AND day <= %s
 GROUP BY 1, 2
"""

_TIMES_SQL = """
SELECT category_id, date_trunc('month', resolved_day)::date AS month, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_elapsed_minutes),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_elapsed_minutes)
  FROM reports_casefact
 WHERE agency_id = ANY(%s) AND category_id = ANY(%s) AND resolved_day >= %s
   AND resolved_day <= %s
 GROUP BY GROUPING SETS ((category_id, month), (category_id))
"""

_CSAT_SQL = """
SELECT r.category_id,
       date_trunc('month', (r.submitted_at AT TIME ZONE a.timezone))::date AS month,
       count(*), avg(x.number)
  FROM feedback_surveyresponse r
  JOIN agencies_agency a ON a.id = r.agency_id
  JOIN feedback_answer x ON x.response_id = r.id
  JOIN feedback_question q ON q.id = x.question_id AND q.kind = 'csat'
 WHERE r.category_id = ANY(%s) AND r.submitted_at >= %s AND x.number IS NOT NULL
 GROUP BY GROUPING SETS ((r.category_id, month), (r.category_id))
"""


def _cell(received: int, resolved: int, times: tuple | None, sla: tuple, csat: tuple | None,
          minimum: int) -> dict:  # fmt: skip
    """One published cell: a figure from fewer than `minimum` cases is null."""
    withheld = []
    out: dict = {"received": received if received >= minimum else None,
                 "resolved": resolved if resolved >= minimum else None}  # fmt: skip
    if received < minimum:
        withheld.append("received")
    if resolved < minimum:
        withheld.append("resolved")
    count, median, p90 = times or (0, None, None)
    if count >= minimum:
        out["median_days_to_resolve"] = round(median / 1440.0, 1)
        out["p90_days_to_resolve"] = round(p90 / 1440.0, 1)
    else:
        out["median_days_to_resolve"] = out["p90_days_to_resolve"] = None
        withheld.append("time_to_resolve")
    met, with_target = sla
    if with_target >= minimum:
        out["resolved_within_sla_percent"] = round(100.0 * met / with_target, 1)
    else:
        out["resolved_within_sla_percent"] = None
        withheld.append("resolved_within_sla_percent")
    answers, average = csat or (0, None)
    if answers >= minimum:
        out["csat_average"] = round(float(average), 2)
        out["csat_answers"] = answers
    else:
        out["csat_average"] = out["csat_answers"] = None
        withheld.append("csat")
    out["suppressed"] = withheld
    return out


def build(today: date | None = None) -> dict:
    """The whole transparency data set (what the page, the CSV and the JSON publish)."""
    minimum = settings.TRANSPARENCY_MIN_CASES
    today = today or timezone.localdate()
    months = _months(today)
    start, end = months[0], today
    services = _query(_SERVICES_SQL, [])
    ids = [row[0] for row in services]
    agency_ids = sorted({row[3] for row in services})
    counts: dict = defaultdict(lambda: [0, 0, 0, 0])
    for category_id, month, received, resolved, met, target in _query(
        _COUNTS_SQL, [ids, start, end]
    ):
        for key in ((category_id, month), (category_id, None)):
            cell = counts[key]
            cell[0] += received
            cell[1] += resolved
            cell[2] += met
            cell[3] += target
    times = {(c, m): (n, med, p90) for c, m, n, med, p90 in
             _query(_TIMES_SQL, [agency_ids, ids, start, end])}  # fmt: skip
    since = timezone.make_aware(timezone.datetime.combine(start, timezone.datetime.min.time()))
    csat = {(c, m): (n, avg) for c, m, n, avg in _query(_CSAT_SQL, [ids, since])}

    agencies: dict[int, dict] = {}
    for category_id, code, name, agency_id, slug, agency_name, zone in services:
        if isinstance(name, str):  # jsonb arrives as text through a plain cursor
            name = json.loads(name)
        agency = agencies.setdefault(agency_id, {
            "agency": slug, "agency_name": agency_name, "time_zone": zone, "services": [],
        })  # fmt: skip

        def cell(month, cid=category_id):
            received, resolved, met, target = counts.get((cid, month), (0, 0, 0, 0))
            return _cell(received, resolved, times.get((cid, month)), (met, target),
                         csat.get((cid, month)), minimum)  # fmt: skip

        agency["services"].append({
            "service": code,
            "service_name": {"en": (name or {}).get("en", code),
                             "es": (name or {}).get("es") or (name or {}).get("en", code)},
            "total": cell(None),
            "months": [{"month": m.strftime("%Y-%m"), **cell(m)} for m in months],
            "_raw": tuple(counts.get((category_id, None), (0, 0))[:2]),
        })  # fmt: skip
    for agency in agencies.values():
        raw = [s.pop("_raw") for s in agency["services"]]
        for service, pair in zip(agency["services"], raw, strict=True):
            service["_raw"] = pair
        agency["total"] = _agency_total(raw, agency["services"], minimum)
        for service in agency["services"]:
            del service["_raw"]
    return {
        "schema_version": SCHEMA_VERSION,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "minimum_cases": minimum,
        "last_updated": figures_version(),
        "agencies": list(agencies.values()),
    }


def _agency_total(raw: list[tuple[int, int]], services: list[dict], minimum: int) -> dict:
    """Received and resolved of all an agency's public services, safe from subtraction: a
    total is withheld when it is small or when exactly one of its services' counts is."""
    total: dict = {}
    for index, name in enumerate(("received", "resolved")):
        whole = sum(pair[index] for pair in raw)
        hidden = sum(1 for s in services if s["total"][name] is None and s["_raw"][index])
        total[name] = whole if whole >= minimum and hidden != 1 else None
    return total


def cached() -> tuple[dict, str]:
    """The data set and its ETag, computed once per figures version."""
    key = f"reports:transparency:{figures_version()}:{timezone.localdate().isoformat()}"
    found = cache.get(key)
    if found is None:
        data = build()
        body = json.dumps(data, sort_keys=True, default=str)
        found = (data, hashlib.sha256(body.encode()).hexdigest()[:32])
        cache.set(key, found, CACHE_SECONDS)
    return found
