"""The walk-in queue (DESIGN.md "Interfaces": /<lang>/check-in/<office>/, /staff/walk-in/).

An agency has offices; each office has desks and offers some of the agency's services
(service categories). A citizen checks in at an office for a service and gets a ticket (a
`Visit`), numbered per office and local day. Staff at a desk call the next ticket, serve it,
close it or mark it a no-show, transfer it, and may open a case from it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class Office(TimeStampedModel):
    """A place citizens come to in person. Opening hours are those of its business calendar."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="offices")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("address in the check-in link"), max_length=60, unique=True,
        help_text=_("Used in the public check-in and display links, e.g. city-hall."),
    )  # fmt: skip
    address = models.CharField(_("street address"), max_length=300, blank=True)
    calendar = models.ForeignKey(
        "agencies.BusinessCalendar", on_delete=models.PROTECT, related_name="offices",
        verbose_name=_("opening hours"),
        help_text=_("Check-in is open during this calendar's hours, closed on its holidays."),
    )  # fmt: skip
    services = models.ManyToManyField(
        "cases.ServiceCategory", related_name="offices", verbose_name=_("services offered"),
        help_text=_("What citizens can check in for at this office."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    agency_scope = "agency"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("office")

    def __str__(self) -> str:
        return self.name


class Desk(models.Model):
    """A counter or room where one staff member serves visitors."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="desks")
    name = models.CharField(_("name"), max_length=100, help_text=_("As called out, e.g. Desk 3."))
    services = models.ManyToManyField(
        "cases.ServiceCategory", blank=True, related_name="+", verbose_name=_("services served"),
        help_text=_("Leave empty to serve every service of the office."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    agency_scope = "office__agency"

    class Meta:
        ordering = ["office", "name", "id"]
        verbose_name = _("desk")
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="desk_name_unique_per_office")
        ]

    def __str__(self) -> str:
        return self.name


def new_token() -> str:
    return secrets.token_urlsafe(18)


class Visit(models.Model):
    """One ticket: a person waiting for (or being served at) an office."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called to a desk")
        SERVING = "serving", _("Being served")
        DONE = "done", _("Done")
        NO_SHOW = "no_show", _("Did not come when called")

    ACTIVE_STATUSES = ("waiting", "called", "serving")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="visits")
    category = models.ForeignKey(
        "cases.ServiceCategory", on_delete=models.PROTECT, related_name="visits"
    )
    number = models.PositiveIntegerField()
    day = models.DateField(help_text="The office's local date of the check-in.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    priority = models.BooleanField(default=False)
    # While waiting: the desk it was transferred to (only that desk calls it); else the desk
    # serving it or that served it.
    desk = models.ForeignKey(
        Desk, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Where it stands in the queue: the check-in time, kept on a transfer.
    queued_at = models.DateTimeField(default=timezone.now)
    called_at = models.DateTimeField(null=True, blank=True)
    serving_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_notified_at = models.DateTimeField(null=True, blank=True)
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )

    agency_scope = "agency"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["office", "status", "queued_at"],
                name="visit_queue_idx",
                condition=Q(status__in=["waiting", "called", "serving"]),
            ),
            models.Index(fields=["office", "category", "-finished_at"], name="visit_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "day", "number"], name="visit_number_unique_per_office_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "called", "serving", "done", "no_show"]),
                name="visit_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.ticket

    @property
    def ticket(self) -> str:
        return f"{self.number:03d}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES
