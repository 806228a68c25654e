from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """Work that must happen after a commit (DESIGN.md "Jobs").

    Written in the caller's transaction; published to Celery on commit and, as a fallback, by
    the relay that beat runs every few seconds. A worker claims the row with a conditional
    UPDATE before running its handler, so a message published twice still runs once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # waiting to be published (or retried)
        PUBLISHED = "published", "Published"  # handed to the broker, not yet claimed
        PROCESSING = "processing", "Processing"  # claimed by a worker until locked_until
        DONE = "done", "Done"
        DEAD = "dead", "Dead letter"  # gave up after OUTBOX_MAX_ATTEMPTS

    topic = models.CharField(max_length=100, help_text="Name of the registered handler.")
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField(default=timezone.now, help_text="Not run before this time.")
    published_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The web request that caused the work (core.request_context), for the logs of its handler.
    request_id = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The relay only ever looks at unfinished rows: keep that index small.
            models.Index(
                fields=["available_at"],
                name="outbox_unfinished_idx",
                condition=Q(status__in=["pending", "published", "processing"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "published", "processing", "done", "dead"]),
                name="outbox_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk} ({self.status})"


class AuditEvent(models.Model):
    """Who changed what, when, from where. Written by services only."""

    class ActorType(models.TextChoices):
        STAFF = "staff", "Staff"
        CITIZEN = "citizen", "Citizen"
        SYSTEM = "system", "System"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    agency_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class Notification(models.Model):
    """An in-app message to one staff member (SLA warnings, breaches, escalations, ...).

    The staff page /staff/notifications/ lists the signed-in user's own; nobody else's. With
    `email_after`, it also goes out by email: `notifications_queue_digests` gathers a
    recipient's pending ones into one digest email (an outbox row not run before
    `email_after`), so many at once make one email, and a night's make one in the morning.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    agency_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Also by email, in a digest, not before this instant (NULL: in-app only). Set when the
    # digest that carries it has been queued in the outbox.
    email_after = models.DateTimeField(null=True, blank=True)
    email_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["email_after"],
                name="notification_email_due_idx",
                condition=Q(email_after__isnull=False, email_queued_at__isnull=True),
            ),
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ApiToken(models.Model):
    """A staff member's token for integrations (REST API). Only its SHA-256 is stored: the raw
    value is shown once, at creation. Revoked tokens stay for the audit trail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'phone system'.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="First characters, to tell tokens apart."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
