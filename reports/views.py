"""Staff dashboards: six panels over the shared URL filters, each with its table and CSV."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
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
    form, filters = _context(request)
    panels = [selectors.panel(key, filters) for key in selectors.PANELS]
    query = request.GET.copy()
    query.pop("panel", None)
    return render(request, "reports/dashboard.html", {
        "form": form, "filters": filters, "panels": panels, "query": query.urlencode(),
    })  # fmt: skip


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
