"""Staff dashboards: six panels over the shared URL filters, each with its table and CSV."""

from __future__ import annotations

import csv
import hashlib
import io

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.permissions import staff_required
from core.scoping import user_zone
from reports import selectors
from reports.filters import DashboardFilterForm, today_for


def _context(request: HttpRequest):
    from agencies.models import Team
    from cases.models import ServiceCategory

    agency_ids, team_ids = selectors.scope_for(request.user)
    teams = Team.objects.filter(agency_id__in=agency_ids).order_by("name")
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    categories = ServiceCategory.objects.filter(agency_id__in=agency_ids).order_by("order", "code")
    form = DashboardFilterForm(
        request.GET, teams=list(teams), categories=list(categories),
        today=today_for(user_zone(request.user)),
    )  # fmt: skip
    return form, form.filters(agency_ids=agency_ids, team_ids=team_ids)


@require_GET
@staff_required("agent")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every panel, for the viewer's agency (supervisors), team (agents) or all (superusers)."""
    from reports.saved_views import saved_views_context

    form, filters = _context(request)
    query = request.GET.copy()
    query.pop("panel", None)
    query = query.urlencode()
    return render(request, "reports/dashboard.html", {
        "form": form, "filters": filters, "export_query": export_query(filters),
        "panels_html": [_panel_html(key, filters, query) for key in selectors.PANELS],
        **saved_views_context(request, "dashboard"),
    })  # fmt: skip


def _panel_html(key: str, filters, query: str) -> str:
    """One panel's section, rendered once per figures version, filters and language."""
    from django.core.cache import cache
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from reports.figures import figures_version

    cache_key = (
        "reports:panel-html:"
        + hashlib.sha256(
            repr((key, filters, query, figures_version(), get_language())).encode()
        ).hexdigest()
    )
    html = cache.get(cache_key)
    if html is None:
        html = render_to_string("reports/_panel.html", {
            "panel": selectors.panel(key, filters), "query": query,
        })  # fmt: skip
        cache.set(cache_key, html, selectors.PANEL_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 (our own template's output)


def export_query(filters) -> str:
    """The case export's (queue filter) parameters for the cases received in this view."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update({"queue": "all", "status": "any", "created_from": filters.start.isoformat(),
                  "created_to": filters.end.isoformat()})  # fmt: skip
    for name, value in (("team", filters.team_id), ("category", filters.category_id),
                        ("channel", filters.channel), ("priority", filters.priority)):  # fmt: skip
        if value is not None:
            query[name] = str(value)
    return query.urlencode()


@require_GET
@staff_required("agent")
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """One panel's table as CSV: exactly what the page shows for the same filters."""
    from feedback.exports import neutralise_cell

    key = request.GET.get("panel") or selectors.PANELS[0]
    if key not in selectors.PANELS:
        raise Http404(_("No such panel."))
    _form, filters = _context(request)
    panel = selectors.panel(key, filters)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise_cell(c) for c in panel.columns])
    for row in panel.rows:
        writer.writerow([neutralise_cell("" if v is None else v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{key}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _Echo:
    """A file-like object whose write() returns the line (csv.writer into a stream)."""

    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = (
    "reference", "created_at", "status", "priority", "channel", "service", "team", "assignee",
    "first_response_at", "resolved_at", "sla_state", "resolution_code",
)  # fmt: skip


def _export_rows(cases, zone):
    """Header, then one row per case, read in chunks (constant memory however many)."""
    from cases.models import Case, ServiceCategory
    from feedback.exports import neutralise_cell

    services = {c.pk: c.display_name for c in ServiceCategory.objects.all()}
    statuses = dict(Case.Status.choices)
    channels = dict(Case.Channel.choices)

    def local(value):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    yield list(EXPORT_COLUMNS)
    rows = cases.order_by("-created_at", "-id").values_list(
        "reference", "created_at", "status", "priority", "channel", "category_id", "team__name",
        "assignee__username", "first_response_at", "resolved_at", "sla_state", "resolution_code",
    )  # fmt: skip
    for (
        ref,
        created,
        status,
        priority,
        channel,
        category,
        team,
        who,
        first,
        done,
        sla,
        code,
    ) in rows.iterator(chunk_size=2000):
        yield [neutralise_cell(str(v)) for v in (
            ref, local(created), statuses.get(status, status), priority,
            channels.get(channel, channel), services.get(category, ""), team or "", who or "",
            local(first), local(done), sla, code,
        )]  # fmt: skip


@require_GET
@staff_required("supervisor")
def cases_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The cases behind a queue or dashboard filter (the queue's GET parameters), streamed as
    CSV; the export is audited. Another agency's cases are never in it."""
    from agencies.selectors import staff_agency
    from cases import selectors as case_selectors
    from cases.filters import CaseFilter
    from reports.services import cases_export_record

    agency = staff_agency(request.user)
    if agency is None:
        raise Http404(_("No agency."))
    queue = request.GET.get("queue")
    queue = queue if queue in case_selectors.QUEUES else "all"
    cases = case_selectors.cases_for_queue(request.user, queue).filter(agency=agency)
    case_filter = CaseFilter(request.GET, queryset=cases, agency=agency)
    cases_export_record(actor=request.user, agency=agency, query=request.GET.urlencode())
    writer = csv.writer(_Echo())
    zone = user_zone(request.user)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _export_rows(case_filter.qs, zone)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response
