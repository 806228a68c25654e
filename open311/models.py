"""Open311 client applications and their API keys (DESIGN.md "Homes": keys live here).

A key is shown once, when it is made; only its SHA-256 hash is stored, with a short prefix so
admins can tell keys apart. A key belongs to one agency and only works for that jurisdiction.
Its table keeps the name it had when the model lived in `cases` (cases_open311client).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Open311Client(models.Model):
    """An application (a city app, FixMyStreet, a kiosk) allowed to POST service requests."""

    name = models.CharField(max_length=100, unique=True, help_text="Who uses this key.")
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="open311_clients"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(
        max_length=16, editable=False, help_text="The start of the key, to recognise it."
    )
    active = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    agency_scope = "agency"

    class Meta:
        db_table = "cases_open311client"
        ordering = ["name"]
        verbose_name = "Open311 client"

    def __str__(self) -> str:
        return self.name


class Open311Update(models.Model):
    """A citizen's comment posted by a client (POST servicerequestupdates): the client's own
    update id makes a repeated post return the same update, not a second event."""

    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="updates")
    client_update_id = models.CharField(max_length=100)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        "cases.CaseEvent", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    agency_scope = "client__agency"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "client_update_id"], name="open311_update_once_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.client_update_id}"
