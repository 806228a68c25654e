"""The service catalogue and cases: what citizens ask for, and each request's life."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.translated import TranslatedField, translate


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


class ServiceCategory(TimeStampedModel):
    """A service citizens can request (an Open311 "service"), owned by one agency."""

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="categories"
    )
    code = models.SlugField(max_length=60, help_text="Stable identifier (Open311 service_code).")
    name = TranslatedField(max_length=200)
    description = TranslatedField(textarea=True, blank=True)
    group = TranslatedField(max_length=100, blank=True, help_text="Heading it is listed under.")
    keywords = models.CharField(
        max_length=500, blank=True, help_text="Comma-separated search words."
    )
    owning_team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, related_name="categories",
        help_text="New cases in this category go to this team.",
    )  # fmt: skip
    default_priority = models.CharField(
        max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    active = models.BooleanField(default=True)
    public = models.BooleanField(default=True, help_text="Offered on the public request form.")
    order = models.PositiveIntegerField(default=0)

    agency_scope = "agency"

    class Meta:
        ordering = ["order", "code"]
        verbose_name_plural = "service categories"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "code"], name="category_code_unique_per_agency"
            )
        ]

    def __str__(self) -> str:
        return translate(self.name) or self.code

    @property
    def display_name(self) -> str:
        return translate(self.name)

    @property
    def display_group(self) -> str:
        return translate(self.group)


class AttributeDefinition(models.Model):
    """A question asked when a case is opened in a category (Open311 service definition)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLEVALUELIST = "singlevaluelist", _("Pick one")
        MULTIVALUELIST = "multivaluelist", _("Pick any")

    category = models.ForeignKey(
        ServiceCategory, on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(max_length=60)
    label = TranslatedField(max_length=200)
    description = TranslatedField(blank=True, max_length=500)
    datatype = models.CharField(max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)
    values = models.JSONField(
        default=list, blank=True,
        help_text='For lists: [{"key": "pothole", "name": {"en": "Pothole", "es": "Bache"}}, …]',
    )  # fmt: skip
    variable = models.BooleanField(default=True, help_text="False: informational only (Open311).")

    agency_scope = "category__agency"

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="attribute_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category.code}.{self.code}"

    @property
    def display_label(self) -> str:
        return translate(self.label)

    def choices(self) -> list[tuple[str, str]]:
        return [(str(v["key"]), translate(v.get("name")) or str(v["key"])) for v in self.values]


class Case(models.Model):
    """A citizen's request, from intake to closure."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_ON_CITIZEN = "waiting_on_citizen", _("Waiting on citizen")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("Walk-in")
        EMAIL = "email", _("Email")
        WEB = "web", _("Web form")
        API = "api", _("API")
        OPEN311 = "open311", _("Open311 app")

    class Resolution(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        DUPLICATE = "duplicate", _("Duplicate")
        SPAM = "spam", _("Spam")
        NO_ACTION = "no_action", _("No action needed")
        REFERRED = "referred", _("Referred elsewhere")

    OPEN_STATUSES = ("new", "open", "in_progress", "waiting_on_citizen")

    reference = models.CharField(max_length=20, unique=True, editable=False)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="cases")
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="cases")
    attributes = models.JSONField(default=dict, blank=True)
    description = models.TextField()
    address = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    channel = models.CharField(max_length=10, choices=Channel.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_cases",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution_code = models.CharField(max_length=12, choices=Resolution.choices, blank=True)
    citizen_contacted = models.BooleanField(null=True, blank=True)
    # Contact given on an anonymous-or-not public report, kept on the case as given.
    reporter_email = models.EmailField(blank=True)
    reporter_name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    updates_opted_out = models.BooleanField(default=False)

    agency_scope = "agency"
    # Read-only access for agencies that referred the case away (core.scoping, reads only).
    agency_read_scopes = ("referrals__from_agency",)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Queues: open cases of an agency / team / assignee, newest first (keyset on id).
            models.Index(
                fields=["agency", "-created_at", "-id"],
                name="case_open_agency_idx",
                condition=Q(status__in=["new", "open", "in_progress", "waiting_on_citizen"]),
            ),
            models.Index(fields=["team", "status", "-created_at", "-id"], name="case_team_idx"),
            models.Index(
                fields=["assignee", "status", "-created_at", "-id"], name="case_assignee_idx"
            ),
            models.Index(fields=["agency", "-created_at", "-id"], name="case_agency_created_idx"),
            models.Index(
                fields=["resolved_at"], name="case_resolved_idx", condition=Q(status="resolved")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="resolved")
                | Q(resolved_at__isnull=False) & ~Q(resolution_code=""),
                name="case_resolved_has_resolution",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="case_closed_has_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def contact_email(self) -> str:
        if self.citizen_id and self.citizen.email:
            return self.citizen.email
        return self.reporter_email


class CaseEvent(models.Model):
    """One line of a case's timeline."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        NOTE = "note", _("Internal note")
        PUBLIC_UPDATE = "public_update", _("Public update")
        CONTACT = "contact", _("Contact with citizen")
        STATUS = "status", _("Status change")
        ASSIGNMENT = "assignment", _("Assignment")
        TRANSFER = "transfer", _("Transfer")
        PRIORITY = "priority", _("Priority change")
        CATEGORY = "category", _("Category change")
        REFERRAL = "referral", _("Referral")
        ATTACHMENT = "attachment", _("Attachment")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    body = models.TextField(blank=True)
    is_public = models.BooleanField(default=False, help_text="Shown to the citizen.")
    data = models.JSONField(default=dict, blank=True)

    agency_scope = "case__agency"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="caseevent_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploader's file name on disk: no traversal, no collisions.
    return f"cases/{instance.case.created_at:%Y/%m}/{instance.case_id}/{instance.token}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.OneToOneField(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachment"
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, help_text="Detected from the content.")
    size = models.PositiveIntegerField()
    is_public = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    agency_scope = "case__agency"
    agency_read_scopes = ("case__referrals__from_agency",)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Referral(models.Model):
    """A case handed to another agency: the receiver owns it, the sender keeps read access."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    from_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="referrals_received"
    )
    reason = models.TextField()
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    agency_scope = "to_agency"
    agency_read_scopes = ("from_agency",)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_agency=models.F("to_agency")), name="referral_between_agencies"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_agency_id} → {self.to_agency_id}"
