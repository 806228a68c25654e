"""The staff home's "my work" panel (registered with agencies.hooks by cases.apps): the
signed-in person's open cases by SLA time left, what is due today, breached, or waiting on the
citizen for long, and for a supervisor the team's backlog and breaches. Every figure links to
the list it counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from cases.selectors import cases_for_queue, cases_own_agency
from core.permissions import has_role
from core.scoping import user_zone

WAITING_LONG = timedelta(days=5)  # waiting on the citizen longer than this needs a look
MY_CASES_SHOWN = 10


@dataclass
class Figure:
    label: Any
    count: int
    url: str
    alert: bool = False  # shown as needing attention when not zero


def _queue_url(**params: str) -> str:
    return f"{reverse('cases:queue')}?{urlencode(params)}"


def _end_of_today(user: Any) -> datetime:
    """Midnight at the end of the reader's today, in the zone they read times in."""
    zone = user_zone(user)
    today = timezone.localtime(timezone.now(), zone).date()
    return datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)


def my_work(user: Any) -> dict[str, Any]:
    """The figures and the list of the panel (a handful of queries, whatever the volume)."""
    now = timezone.now()
    mine = cases_for_queue(user, "mine").filter(status__in=Case.OPEN_STATUSES)
    counts = mine.aggregate(
        open=Count("id"),
        due_today=Count(
            "id",
            filter=Q(resolution_due_at__lt=_end_of_today(user), sla_state__in=["ok", "at_risk"]),
        ),
        breached=Count("id", filter=Q(sla_state=Case.SlaState.BREACHED)),
        waiting_long=Count(
            "id", filter=Q(status=Case.Status.WAITING_ON_CITIZEN, updated_at__lt=now - WAITING_LONG)
        ),
    )
    figures = [
        Figure(_("My open cases"), counts["open"], _queue_url(queue="mine", sort="sla")),
        Figure(
            _("Due by the end of today"),
            counts["due_today"],
            _queue_url(queue="mine", sla_state="at_risk"),
            alert=True,
        ),
        Figure(
            _("Breached"),
            counts["breached"],
            _queue_url(queue="mine", sla_state="breached"),
            alert=True,
        ),
        Figure(
            _("Waiting on the citizen for more than 5 days"),
            counts["waiting_long"],
            _queue_url(queue="mine", status="waiting_on_citizen"),
            alert=True,
        ),
    ]
    soonest = list(
        mine.select_related("category").order_by(
            F("resolution_due_at").asc(nulls_last=True), "created_at"
        )[:MY_CASES_SHOWN]
    )
    team: list[Figure] = []
    if has_role(user, "supervisor"):
        own = cases_own_agency(user).filter(status__in=Case.OPEN_STATUSES)
        team_counts = (
            cases_for_queue(user, "team")
            .filter(status__in=Case.OPEN_STATUSES)
            .aggregate(backlog=Count("id"), unassigned=Count("id", filter=Q(assignee__isnull=True)))
        )
        board = own.aggregate(
            breached=Count("id", filter=Q(sla_state=Case.SlaState.BREACHED)),
            at_risk=Count("id", filter=Q(sla_state=Case.SlaState.AT_RISK)),
        )
        board_url = reverse("cases:sla_board")
        team = [
            Figure(
                _("Open cases of my teams"),
                team_counts["backlog"],
                _queue_url(queue="team", sort="sla"),
            ),
            Figure(
                _("Unassigned in my teams"),
                team_counts["unassigned"],
                _queue_url(queue="unassigned", sort="sla"),
                alert=True,
            ),
            Figure(_("Breached in the agency"), board["breached"], board_url, alert=True),
            Figure(_("At risk in the agency"), board["at_risk"], board_url, alert=True),
        ]
    return {"figures": figures, "soonest": soonest, "team": team, "now": now}


def my_work_panel(user: Any) -> str:
    return render_to_string("cases/_home_my_work.html", {**my_work(user), "user": user})
