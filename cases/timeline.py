"""The cases' part of the citizen 360° view (registered with citizens.timeline in ready())."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from cases.links import staff_case_url
from cases.models import Case
from cases.selectors import cases_visible
from citizens.timeline import TimelineContribution, TimelineItem


def case_timeline(citizen: Any, user: Any) -> TimelineContribution:
    """The caller's readable cases in full; other agencies' cases as counts only."""
    readable = (
        cases_visible(user)
        .filter(citizen=citizen)
        .select_related("category")
        .order_by("-created_at")[:200]
    )
    items = [
        TimelineItem(
            when=case.created_at,
            kind="case",
            kind_label=_("Case"),
            title=f"{case.reference} · {case.category.display_name}",
            detail=case.get_status_display(),
            url=staff_case_url(case.reference),
        )
        for case in readable
    ]
    readable_ids = cases_visible(user).filter(citizen=citizen).values("id")
    others = (
        Case.objects.filter(citizen=citizen)
        .exclude(id__in=readable_ids)
        .values("agency_id")
        .annotate(n=Count("id"))
    )
    return TimelineContribution(
        items=items,
        other_agency_counts={row["agency_id"]: row["n"] for row in others},
        label=_("Cases"),
    )
