"""A segment: a saved, named filter over citizens and what the agency holds about them, used to
decide whom to write to (a survey campaign, an outreach email) and never how anyone is served:
no routing rule, SLA policy, priority or queue refers to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Segment(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    # The filter (segments.selectors.DEFINITION_KEYS), as built on the page.
    definition = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    agency_scope = "agency"

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="segment_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
