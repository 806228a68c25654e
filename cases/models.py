"""The service catalogue and cases: what citizens ask for, and each request's life."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
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
    # Open data (Open311 GET, later feeds): off by default, because what a case says is
    # addressed to one person; an agency opts a service in (street problems, not tax questions).
    open_data = models.BooleanField(
        _("show on the open data feed"),
        default=False,
        help_text=_(
            "Publish this service's cases (service, status, dates, approximate location and "
            "notes written for the public feed) on Open311 and the open data feeds."
        ),
    )
    # Street problems (a pothole) cannot be handled without a place: the public form and
    # Open311 then refuse a request with neither an address nor coordinates.
    location_required = models.BooleanField(
        _("location required"),
        default=False,
        help_text=_(
            "Requests from the public form and Open311 must give an address or a place on the map."
        ),
    )
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


class SlaPolicy(TimeStampedModel):
    """Targets for cases of an agency, per category and priority, counted in business minutes.

    A policy with no category applies to every category of the agency, one with a blank
    priority to every priority; for a case, the most specific active policy wins: category and
    priority > category only > priority only > agency-wide default (see
    `cases.sla.engine.sla_policy_for`).
    """

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="sla_policies"
    )
    name = models.CharField(_("name"), max_length=120)
    category = models.ForeignKey(
        ServiceCategory, null=True, blank=True, on_delete=models.CASCADE,
        related_name="sla_policies", verbose_name=_("category"),
        help_text=_("Empty: every category of the agency."),
    )  # fmt: skip
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, blank=True,
        help_text=_("Empty: every priority."),
    )  # fmt: skip
    first_response_minutes = models.PositiveIntegerField(
        _("first response target (business minutes)"), null=True, blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Met by the first public update or outbound contact. Empty: no target."),
    )  # fmt: skip
    resolution_minutes = models.PositiveIntegerField(
        _("resolution target (business minutes)"), null=True, blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Time waiting on the citizen does not count. Empty: no target."),
    )  # fmt: skip
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at (percentage of the target)"), default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )  # fmt: skip
    business_hours = models.BooleanField(
        _("count business hours only"), default=True,
        help_text=_("Off: count around the clock (24/7) in the team calendar's time zone."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    agency_scope = "agency"

    class Meta:
        ordering = ["agency", "category", "priority", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "category", "priority"],
                name="sla_policy_unique_scope",
                nulls_distinct=False,
                violation_error_message=_(
                    "This agency already has a policy for this category and priority."
                ),
            ),
            models.CheckConstraint(
                condition=Q(first_response_minutes__isnull=False)
                | Q(resolution_minutes__isnull=False),
                name="sla_policy_has_a_target",
                violation_error_message=_("Give a first response or a resolution target."),
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_policy_warning_percent_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (
            self.category_id is not None
            and self.agency_id is not None
            and self.category.agency_id != self.agency_id
        ):
            raise ValidationError({"category": _("Choose a category of the policy's agency.")})

    @property
    def specificity(self) -> int:
        """Higher wins: category (2) counts more than priority (1)."""
        return (2 if self.category_id else 0) + (1 if self.priority else 0)


class SlaEscalationLevel(models.Model):
    """What happens when a case stays breached: notify someone, optionally reassign it."""

    class Notify(models.TextChoices):
        TEAM_SUPERVISORS = "team_supervisors", _("The team's supervisors")
        AGENCY_SUPERVISORS = "agency_supervisors", _("The agency's supervisors")
        NOBODY = "nobody", _("Nobody")

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1)])
    after_minutes = models.PositiveIntegerField(
        _("business minutes after the resolution breach"), default=0
    )
    notify = models.CharField(
        _("notify"), max_length=20, choices=Notify.choices, default=Notify.TEAM_SUPERVISORS
    )
    reassign_team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("reassign to team"),
    )  # fmt: skip
    reassign_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("reassign to"),
    )  # fmt: skip

    agency_scope = "policy__agency"

    class Meta:
        ordering = ["policy", "level"]
        verbose_name = _("escalation level")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "level"], name="sla_escalation_level_unique",
                violation_error_message=_("This policy already has this level."),
            ),
            models.CheckConstraint(condition=Q(level__gte=1), name="sla_escalation_level_gte_1"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.policy} L{self.level}"

    def clean(self) -> None:
        super().clean()
        agency_id = self.policy.agency_id if self.policy_id else None
        if self.reassign_team_id and agency_id and self.reassign_team.agency_id != agency_id:
            raise ValidationError({"reassign_team": _("Choose a team of the policy's agency.")})
        if self.reassign_user_id and agency_id:
            from agencies.selectors import is_staff_of

            if not is_staff_of(self.reassign_user, agency_id):
                raise ValidationError(
                    {"reassign_user": _("Choose a staff member of the policy's agency.")}
                )


OPEN_STATUS_VALUES = ["new", "open", "in_progress", "waiting_on_citizen"]  # Case.OPEN_STATUSES
# The queues' "SLA time left" order sorts by this instant: an open case's resolution deadline
# while its clock runs, and for every other case (paused, no SLA, no resolution target, no
# longer open) this far date, so they come after every deadline, by id. A finite date rather
# than NULL or 'infinity' (which Python cannot hold): the key is never NULL, so the keyset
# cursor is one plain ">= key" bound that the index can seek to (cases.selectors.keyset_page).
SLA_SORT_LAST = datetime(9999, 12, 31, tzinfo=UTC)


def sla_sort_key() -> models.Case:
    """The expression the queues sort on for "SLA time left" (indexed as written here)."""
    return models.Case(
        # Lookups in alphabetical order: as the migration writes them (else Django sees a change).
        models.When(
            resolution_due_at__isnull=False, status__in=OPEN_STATUS_VALUES,
            then=F("resolution_due_at"),
        ),
        default=models.Value(SLA_SORT_LAST),
        output_field=models.DateTimeField(),
    )  # fmt: skip


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

    OPEN_STATUSES = tuple(OPEN_STATUS_VALUES)

    class SlaState(models.TextChoices):
        NONE = "none", _("No SLA")
        OK = "ok", _("On track")
        AT_RISK = "at_risk", _("At risk")
        BREACHED = "breached", _("Breached")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")

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
    # The email this case's mail goes to: given on the report, or the citizen's at intake. Kept
    # on the case, so another agency editing the shared citizen record cannot redirect it
    # (citizens.services.citizen_update moves it only for the editing agency's own cases).
    reporter_email = models.EmailField(blank=True)
    reporter_name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    updates_opted_out = models.BooleanField(default=False)
    # The citizen chose to publish the address (always so for an Open311 app's report, whose
    # address is public by the app's own terms); otherwise open data rounds the coordinates.
    address_public = models.BooleanField(default=False)
    # A citizen record with the reporter's unproved email or phone: staff confirm (or the
    # citizen does, through the link in the receipt) before it is linked; staff may reject it.
    suggested_citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The requester's answer to "may we send you a short survey after closing it?" as given
    # with the request (None: not asked). Also in the citizen's consent history once the case
    # has a citizen; kept here for a case not (yet) linked, to apply when it is.
    consent_surveys = models.BooleanField(null=True, blank=True)
    # A link to a photo or video given by an Open311 app: shown as a link, never fetched.
    media_url = models.URLField(max_length=500, blank=True)
    # Every media_url of an Open311 request that sent several (media_url above is the first).
    media_urls = models.JSONField(default=list, blank=True)
    # Folded text of the case and its timeline, for staff search (cases.search; kept by the
    # services that write the texts; indexed as English and Spanish full-text vectors).
    search_text = models.TextField(blank=True, default="", editable=False)
    # Set when the retention policy removed the personal data (cases.services.cases_anonymise).
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # A duplicate report joined to the case kept (cases.services.case_merge): closed as a
    # duplicate, its requester follows the kept case; `case_unmerge` undoes it the same day.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_cases"
    )
    merged_at = models.DateTimeField(null=True, blank=True)

    # --- SLA (written only by cases.sla.services; see DESIGN.md "SLA") ---
    sla_policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    # Business minutes the clock has run up to sla_clock_started_at, each part counted in the
    # calendar in force at the time; the clock runs from sla_clock_started_at (NULL: stopped).
    sla_consumed_minutes = models.FloatField(default=0.0)
    sla_clock_started_at = models.DateTimeField(null=True, blank=True)
    sla_paused = models.BooleanField(default=False)
    sla_state = models.CharField(max_length=10, choices=SlaState.choices, default=SlaState.NONE)
    sla_escalation_level = models.PositiveSmallIntegerField(default=0)
    # Once-only markers: each event is recorded by the sweep that sets its marker.
    sla_first_response_warned_at = models.DateTimeField(null=True, blank=True)
    sla_first_response_breached_at = models.DateTimeField(null=True, blank=True)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    # When the sweep must look at this case next (NULL: nothing can happen, e.g. paused).
    next_check_at = models.DateTimeField(null=True, blank=True)

    agency_scope = "agency"
    # Read-only access for agencies that referred the case away (core.scoping, reads only).
    agency_read_scopes = ("referrals__from_agency",)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Staff search (cases.search.SEARCH_VECTOR: the same expression, or no index use).
            GinIndex(
                SearchVector("search_text", config="english")
                + SearchVector("search_text", config="spanish"),
                name="case_search_idx",
            ),
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
            # Queues in "SLA time left" order: open cases of an agency / assignee / team by
            # sla_sort_key, then id (keyset; the key is an expression, so these are too).
            *(
                models.Index(
                    F(scope),
                    sla_sort_key(),
                    F("id"),
                    name=f"case_open_{scope}_sla_idx",
                    condition=Q(status__in=OPEN_STATUS_VALUES),
                )
                for scope in ("agency", "assignee", "team")
            ),
            models.Index(
                fields=["resolved_at"], name="case_resolved_idx", condition=Q(status="resolved")
            ),
            # The SLA sweep: "what is due now" is a range scan of this small index.
            models.Index(
                fields=["next_check_at"],
                name="case_sla_due_idx",
                condition=Q(
                    status__in=["new", "open", "in_progress", "waiting_on_citizen"],
                    next_check_at__isnull=False,
                ),
            ),
            # The supervisor board: breached and at-risk open cases of an agency.
            models.Index(
                fields=["agency", "sla_state"],
                name="case_sla_board_idx",
                condition=Q(
                    status__in=["new", "open", "in_progress", "waiting_on_citizen"],
                    sla_state__in=["breached", "at_risk"],
                ),
            ),
            # Nearby open reports of a service (cases.selectors.nearby_open_cases): a bounding
            # box is a range on latitude within the service, longitude checked in the index.
            models.Index(
                fields=["category", "latitude", "longitude"],
                name="case_open_nearby_idx",
                condition=Q(
                    status__in=["new", "open", "in_progress", "waiting_on_citizen"],
                    latitude__isnull=False,
                    longitude__isnull=False,
                ),
            ),
            # SLA compliance: cases resolved in a period, per agency.
            models.Index(
                fields=["agency", "resolved_at"],
                name="case_sla_resolved_idx",
                condition=Q(resolved_at__isnull=False),
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        # search_text is appended to in SQL (cases.search.search_text_append): a full save of
        # an instance read earlier must not put back its older copy.
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            kwargs["update_fields"] = [
                f.attname for f in self._meta.concrete_fields
                if not f.primary_key and f.attname != "search_text"
            ]  # fmt: skip
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def contact_email(self) -> str:
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
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACH = "sla_breach", _("SLA breach")
        SLA_ESCALATION = "sla_escalation", _("SLA escalation")
        # Text written for the open data feed (Open311 status_notes); never to one citizen.
        FEED_NOTE = "feed_note", _("Note for the public feed")
        # A citizen's answer by email (or from an Open311 app) to what we sent about the case.
        CITIZEN_REPLY = "citizen_reply", _("Citizen replied")
        # A duplicate joined to this case, or this case joined to another (and undone).
        MERGE = "merge", _("Merge")
        # A link to a related case (without merging), or its removal.
        RELATED = "related", _("Related case")

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


class CaseEmail(models.Model):
    """The Message-ID of an email we sent to the citizen about a case: a reply that names it
    in In-Reply-To or References lands on this case (inbound.services)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sent_emails")
    message_id = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    agency_scope = "case__agency"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.message_id


class CannedReply(TimeStampedModel):
    """A reply ready to send: an agency's wording for a common answer, in each language, with
    placeholders filled from the case when an agent inserts it (cases.presenters.canned_reply_text)
    and edited before it goes. Limited to a team or a service when set."""

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="canned_replies"
    )
    title = models.CharField(_("title"), max_length=120, help_text=_("What agents pick it by."))
    body = TranslatedField(
        textarea=True,
        help_text=_(
            "Placeholders: {first_name}, {reference}, {service}, {expected_date}, {agent_name}."
        ),
    )
    team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, null=True, blank=True,
        related_name="canned_replies", verbose_name=_("only for the team"),
    )  # fmt: skip
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, null=True, blank=True,
        related_name="canned_replies", verbose_name=_("only for the service"),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    agency_scope = "agency"

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")

    def __str__(self) -> str:
        return self.title


class CaseFollower(models.Model):
    """Someone kept informed about a case: a staff member (its staff notices) or a citizen (an
    email in their language when its status changes or it gets a public update, and the survey
    after closure if they agreed). Nothing about one follower is shown to another or in public.
    A citizen stops following through the secret link in every email (`token`)."""

    class Source(models.TextChoices):
        STAFF = "staff", _("Followed by a staff member")
        MENTION = "mention", _("Mentioned in an internal note")
        WEB = "web", _("Public request form")
        PHONE = "phone", _("Added by staff")
        MERGE = "merge", _("Requester of a merged case")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="followed_cases",
    )  # fmt: skip
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="followed_cases",
    )  # fmt: skip
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    consent_surveys = models.BooleanField(default=False)
    token = models.CharField(max_length=43, unique=True, editable=False)
    source = models.CharField(max_length=10, choices=Source.choices)
    # The merge that added this follower: undoing it removes them again.
    merged_from = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    agency_scope = "case__agency"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, email="") | Q(user__isnull=True) & ~Q(email=""),
                name="casefollower_staff_or_email",
            ),
            models.UniqueConstraint(
                fields=["case", "user"], name="casefollower_user_once",
                condition=Q(user__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["case", "email"], name="casefollower_email_once", condition=~Q(email=""),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user_id or self.email}"

    @property
    def is_staff(self) -> bool:
        return self.user_id is not None


class CaseFollowerEmail(models.Model):
    """One email to one citizen follower about one case event: the row is the idempotency key,
    so a message handled twice emails nobody twice."""

    follower = models.ForeignKey(CaseFollower, on_delete=models.CASCADE, related_name="emails")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    agency_scope = "follower__case__agency"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "event"], name="followeremail_once")
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} · {self.event_id}"


class CaseLink(models.Model):
    """Two cases of one agency marked as related, without merging (shown on both pages).
    Stored once per pair, the lower id first."""

    case_a = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    case_b = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    agency_scope = "case_a__agency"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case_a", "case_b"], name="caselink_once"),
            models.CheckConstraint(condition=Q(case_a__lt=F("case_b")), name="caselink_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.case_a_id} ~ {self.case_b_id}"
