"""The supervisors' SLA board: breached and at-risk cases, bulk actions, compliance per team."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases.forms import BulkForm
from cases.sla import selectors
from cases.sla.filters import BOARD_SORT_CHOICES, SlaBoardFilterForm
from cases.views import bulk_apply, safe_next
from core.permissions import staff_required
from core.scoping import user_agency_id

# The column (and its aria-sort) a BOARD_SORTS order sorts by; the orders across both clocks
# (the default among them) belong to no one column.
BOARD_SORT_COLUMNS = {
    "time_left": (None, None),
    "-time_left": (None, None),
    "due": (None, None),
    "priority": ("priority", "descending"),
    "first_response": ("first_response", "ascending"),
    "resolution": ("resolution", "ascending"),
}


@require_GET
@staff_required("supervisor")
def sla_board(request: HttpRequest) -> HttpResponse:
    """Breached and at-risk cases of the agency, bulk actions on them, compliance per team."""
    agency_id = user_agency_id(request.user)
    form = SlaBoardFilterForm(request.GET, agency_id=agency_id)
    params = form.values()
    now = timezone.now()
    filters = {name: params[name] for name in ("team", "category", "priority")}
    counts = selectors.sla_board_counts(request.user, **filters)
    if request.GET.get("partial") == "counts":  # htmx polls this every minute
        return render(request, "cases/_sla_counts.html", {"counts": counts, "now": now})
    rows = selectors.sla_board_cases(request.user, sort=params["sort"], now=now, **filters)

    def link(**changes: str) -> str:
        query = request.GET.copy()
        query.pop("partial", None)
        for key, value in changes.items():
            query[key] = value
        return f"?{query.urlencode()}"

    column, direction = BOARD_SORT_COLUMNS[params["sort"]]
    period = params["period"]
    compliance = selectors.sla_compliance_by_team(
        request.user, since=now - timedelta(days=period), until=now
    )
    return render(
        request,
        "cases/sla_board.html",
        {
            "form": form,
            "rows": rows,
            "counts": counts,
            "counts_url": link(partial="counts"),
            "now": now,
            "filtered": any(params[name] for name in ("team", "category", "priority"))
            or params["sort"] != "time_left",
            "sort": params["sort"],
            "sorted_column": column,
            "sort_direction": direction,
            "sort_label": dict(BOARD_SORT_CHOICES)[params["sort"]],
            "sort_links": {
                key: link(sort=key) for key in ("first_response", "resolution", "priority")
            },
            "period": period,
            "compliance": compliance,
            "bulk_form": BulkForm(agency_id=agency_id, initial={"next": request.get_full_path()}),
        },
    )


@require_POST
@staff_required("supervisor")
def sla_board_bulk(request: HttpRequest) -> HttpResponse:
    """The board's bulk bar: reassign or reprioritise the ticked cases, back to the board."""
    back = safe_next(request, request.POST.get("bulk-next"), reverse("cases:sla_board"))
    return bulk_apply(request, back=back)
