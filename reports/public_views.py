"""Public transparency: the page (en/es), and the same figures as CSV and JSON.

No sign-in, no personal data; cacheable by anyone (ETag from the figures, Cache-Control).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reports import transparency as data_set

CACHE_CONTROL = f"public, max-age={data_set.CACHE_SECONDS}"


def _cached(request: HttpRequest, variant: str):
    data, etag = data_set.cached()
    etag = f'"{etag}-{variant}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        response["Cache-Control"] = CACHE_CONTROL
        return data, etag, response
    return data, etag, None


def _finish(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = "Accept-Language"
    return response


def _days(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _page_rows(agency: dict, language: str) -> dict:
    """Words and numbers of one agency's section, with each chart's data."""
    services = []
    for service in agency["services"]:
        name = service["service_name"].get(language) or service["service_name"]["en"]
        services.append({"name": name, "total": service["total"], "months": service["months"]})
    months = [m["month"] for m in agency["services"][0]["months"]] if services else []
    chart = {
        "type": "bar",
        "labels": months,
        "stacked": True,
        "yTitle": _("Requests received"),
        "datasets": [
            {"label": s["name"], "data": [m["received"] for m in s["months"]]} for s in services
        ],
    }
    speed = {
        "type": "line",
        "labels": months,
        "yTitle": _("Median days to resolve"),
        "datasets": [
            {"label": s["name"], "data": [m["median_days_to_resolve"] for m in s["months"]]}
            for s in services
        ],
    }
    return {"agency": agency, "services": services, "months": months, "volume_chart": chart,
            "speed_chart": speed}  # fmt: skip


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    data, etag, not_modified = _cached(request, f"page-{language}")
    if not_modified:
        return not_modified
    page_key = f"reports:transparency:page:{etag}"
    content = cache.get(page_key)
    if content is not None:
        return _finish(HttpResponse(content), etag)
    sections = [_page_rows(agency, language) for agency in data["agencies"]]
    updated = data["last_updated"]
    response = render(request, "reports/transparency.html", {
        "data": data, "sections": sections, "minimum": data["minimum_cases"],
        "start": date.fromisoformat(data["period"]["from"]),
        "end": date.fromisoformat(data["period"]["to"]),
        "updated": None if updated == "never" else datetime.fromisoformat(updated),
    })  # fmt: skip
    if not request.user.is_authenticated:  # the header differs for signed-in staff
        cache.set(page_key, response.content, data_set.CACHE_SECONDS)
    return _finish(response, etag)


def csv_rows(data: dict):
    """The open data as CSV rows (header first); a service's 12-month total has month
    "last-12-months"."""
    yield list(data_set.CSV_FIELDS)
    for agency in data["agencies"]:
        for service in agency["services"]:
            cells = [("last-12-months", service["total"])] + [
                (m["month"], m) for m in service["months"]
            ]
            for month, cell in cells:
                row = {
                    "agency": agency["agency"], "agency_name": agency["agency_name"],
                    "service": service["service"],
                    "service_name_en": service["service_name"]["en"],
                    "service_name_es": service["service_name"]["es"], "month": month,
                    **{k: cell.get(k) for k in data_set.CSV_FIELDS if k in cell},
                    "suppressed": ";".join(cell["suppressed"]),
                }  # fmt: skip
                yield ["" if row.get(f) is None else row.get(f) for f in data_set.CSV_FIELDS]


@require_GET
def transparency_csv(request: HttpRequest) -> HttpResponse:
    data, etag, not_modified = _cached(request, "csv")
    if not_modified:
        return not_modified
    from feedback.exports import neutralise_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in csv_rows(data):
        writer.writerow([neutralise_cell(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="transparency.csv"'
    response["X-Licence"] = data_set.LICENCE
    response["Last-Modified-Figures"] = data["last_updated"]
    return _finish(response, etag)


@require_GET
def transparency_json(request: HttpRequest) -> HttpResponse:
    data, etag, not_modified = _cached(request, "json")
    if not_modified:
        return not_modified
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = 'inline; filename="transparency.json"'
    return _finish(response, etag)
