"""Inbound email: the addresses that route mail to an agency's team, and every message
received, kept raw, with what became of it (DESIGN.md "Interfaces": `mail_gateway`).

A message is stored before the gateway answers 250 (or before the IMAP poller marks it seen),
keyed by its Message-ID and a hash of its content: the same message delivered twice is one
row, so it is processed once (`inbound.services`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundAddress(models.Model):
    """An address citizens write to (roads@city.example): its mail opens cases in a team."""

    address = models.EmailField(
        _("address"), unique=True,
        help_text=_("The address citizens write to; the mail server delivers it to the gateway."),
    )  # fmt: skip
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="inbound_addresses"
    )
    team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, related_name="inbound_addresses",
        verbose_name=_("team"), help_text=_("New cases from this address go to this team."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    agency_scope = "agency"

    class Meta:
        ordering = ["address"]
        verbose_name = _("inbound email address")
        verbose_name_plural = _("inbound email addresses")

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs) -> None:
        self.address = (self.address or "").strip().lower()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.address = (self.address or "").strip().lower()
        if "+" in self.address.split("@", 1)[0]:
            raise ValidationError(
                {"address": _("Leave out the “+”: replies use address+reference@… already.")}
            )
        if self.team_id and self.agency_id and self.team.agency_id != self.agency_id:
            raise ValidationError({"team": _("Choose a team of the address's agency.")})


class InboundMessage(models.Model):
    """One received email, raw, and its outcome. Never deleted by processing."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not yet processed")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        DEAD = "dead", _("Dead letter")

    class Source(models.TextChoices):
        SMTP = "smtp", _("Mail gateway (SMTP)")
        IMAP = "imap", _("Mailbox (IMAP)")

    message_id = models.CharField(max_length=500, blank=True, db_index=True)
    content_hash = models.CharField(max_length=64)
    source = models.CharField(max_length=8, choices=Source.choices)
    envelope_from = models.CharField(max_length=320, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    sender = models.CharField(max_length=320, blank=True, db_index=True)
    subject = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    raw = models.BinaryField(editable=False)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    reason = models.TextField(blank=True, help_text=_("Why it was ignored or dead-lettered."))
    processed_at = models.DateTimeField(null=True, blank=True)
    # Where it went: the agency (from the address it was sent to), the case it opened or
    # the case it replied to (then `event` is the "citizen replied" event).
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    agency_scope = "agency"

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        constraints = [
            models.UniqueConstraint(
                fields=["message_id", "content_hash"], name="inbound_message_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "processed", "ignored", "dead"]),
                name="inbound_message_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["sender", "received_at"], name="inbound_sender_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sender or '<>'}: {self.subject or self.message_id}"
