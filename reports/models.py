"""Pre-aggregated figures: one fact row per case, and daily rollups of the facts.

Both are derived data, rebuilt from the cases at any time (`manage.py reports_rebuild`) and kept
up to date by the beat job `reports.tasks.figures_refresh` (see `reports.figures`). Nothing else
writes them, and nothing here is personal: ids of the agency, team, service and assignee, the
channel, the priority, dates and durations.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _fk(to: str, **extra) -> models.ForeignKey:
    # Derived rows must never block a delete elsewhere, nor be audited: no database constraint.
    return models.ForeignKey(
        to, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", **extra
    )


class SlaOutcome(models.TextChoices):
    NONE = "", "No target"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"


class CaseFact(models.Model):
    """What the figures need of one case, as it is now (days in the agency's time zone)."""

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    agency = _fk("agencies.Agency", db_index=False)
    team = _fk("agencies.Team", null=True, db_index=False)
    category = _fk("cases.ServiceCategory", db_index=False)
    assignee = _fk(settings.AUTH_USER_MODEL, null=True, db_index=False)
    channel = models.CharField(max_length=10)
    priority = models.CharField(max_length=10)
    status = models.CharField(max_length=20)
    is_open = models.BooleanField()
    escalated = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    created_day = models.DateField()
    first_response_at = models.DateTimeField(null=True)
    first_response_day = models.DateField(null=True)
    resolved_at = models.DateTimeField(null=True)
    resolved_day = models.DateField(null=True)
    first_response_business_minutes = models.FloatField(null=True)
    first_response_elapsed_minutes = models.FloatField(null=True)
    resolution_business_minutes = models.FloatField(null=True)
    resolution_elapsed_minutes = models.FloatField(null=True)
    first_response_sla = models.CharField(max_length=8, choices=SlaOutcome.choices, blank=True)
    resolution_sla = models.CharField(max_length=8, choices=SlaOutcome.choices, blank=True)
    reopen_days = ArrayField(models.DateField(), default=list, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "created_day"], name="fact_created_idx"),
            models.Index(
                fields=["agency", "resolved_day"],
                name="fact_resolved_idx",
                condition=Q(resolved_day__isnull=False),
            ),
            models.Index(
                fields=["agency", "first_response_day"],
                name="fact_first_response_idx",
                condition=Q(first_response_day__isnull=False),
            ),
            models.Index(
                fields=["agency", "created_at"], name="fact_open_idx", condition=Q(is_open=True)
            ),
            models.Index(
                fields=["agency"], name="fact_reopened_idx", condition=Q(reopen_count__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"facts of case {self.case_id}"


class DailyFigure(models.Model):
    """Sums for one agency, team, service, channel, priority and local day.

    received: cases created that day; resolved: cases whose (last) resolution fell that day, with
    the sums of their times; first_responses likewise; reopened: reopenings that day;
    *_sla_met / *_sla_breached: of the cases resolved (first answered) that day with a target.
    """

    agency = _fk("agencies.Agency", db_index=False)
    team = _fk("agencies.Team", null=True, db_index=False)
    category = _fk("cases.ServiceCategory", db_index=False)
    channel = models.CharField(max_length=10)
    priority = models.CharField(max_length=10)
    day = models.DateField()
    received = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    first_responses = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    resolution_business_minutes = models.FloatField(default=0.0)
    resolution_elapsed_minutes = models.FloatField(default=0.0)
    first_response_business_minutes = models.FloatField(default=0.0)
    first_response_elapsed_minutes = models.FloatField(default=0.0)
    resolution_sla_met = models.PositiveIntegerField(default=0)
    resolution_sla_breached = models.PositiveIntegerField(default=0)
    first_response_sla_met = models.PositiveIntegerField(default=0)
    first_response_sla_breached = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["agency", "day"], name="daily_agency_day_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "team", "category", "channel", "priority"],
                name="daily_figure_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}"


class FigureState(models.Model):
    """One row: how far the refresh has read the case timeline, and when figures changed."""

    event_watermark = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)
    rebuilt_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"figures up to event {self.event_watermark}"


class SavedView(models.Model):
    """A person's named set of queue or dashboard filters (the page's query string), optionally
    shared read-only with one of their teams. Scoped by agency: another agency's is a 404."""

    class Kind(models.TextChoices):
        QUEUE = "queue", _("Case queue")
        DASHBOARD = "dashboard", _("Dashboard")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("Shared read-only with this team's members; empty: only the owner sees it."),
    )  # fmt: skip
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80)
    query = models.TextField(blank=True, help_text="The page's filters and order, URL-encoded.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    agency_scope = "agency"

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["agency", "kind", "team"], name="savedview_team_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind", "name"], name="savedview_name_once_per_owner"
            )
        ]

    def __str__(self) -> str:
        return self.name
