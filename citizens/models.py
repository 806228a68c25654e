"""The citizen record, shared by every agency of a deployment (DESIGN.md "Scoping")."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens import normalise
from core.models import TimeStampedModel
from core.scoping import SHARED

CITIZEN_TRIGRAM_SET_INDEX = "citizen_search_trgm_set"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")
    SMS = "sms", _("Text message (SMS)")


class ConsentKind(models.TextChoices):
    CONTACT = "contact", _("Contact about their requests and services")
    SURVEYS = "surveys", _("Satisfaction surveys")


class ConsentSource(models.TextChoices):
    STAFF = "staff", _("Recorded by staff")
    WEB = "web", _("Public web form")
    OPEN311 = "open311", _("Open311 app")
    FEEDBACK = "feedback", _("Public feedback form")
    EMAIL_LINK = "email-link", _("Link in an email")
    EMAIL_UNSUBSCRIBE = "email-unsubscribe", _("Unsubscribe link in an email")
    MERGE = "merge", _("Chosen when merging duplicate records")
    IMPORT = "import", _("Imported from a file (source and date as given there)")


class Citizen(TimeStampedModel):
    """One person. `search_name`, `address_key` and the normalised email are derived in save().

    A record merged into another keeps its data but becomes a tombstone (`merged_into` set):
    it is left out of search and duplicate detection, and its page redirects to the survivor.
    """

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, help_text="E.164, e.g. +13125550142"
    )
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city or town"), max_length=100, blank=True)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=8, choices=Channel.choices, blank=True
    )
    consent_contact = models.BooleanField(_("agrees to be contacted"), default=False)
    consent_contact_at = models.DateTimeField(null=True, blank=True)
    consent_surveys = models.BooleanField(_("agrees to satisfaction surveys"), default=False)
    consent_surveys_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Derived, maintained by save(): see citizens.normalise.
    search_name = models.CharField(max_length=201, blank=True, editable=False)
    address_key = models.CharField(max_length=230, blank=True, editable=False)

    agency_scope = SHARED

    DERIVED_FIELDS = ("email", "search_name", "address_key")

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            GinIndex(
                fields=["search_name"], opclasses=["gin_trgm_ops"], name="citizen_search_name_trgm"
            ),
            # The name's trigram set as an array: a bulk import probes it with each name's
            # rarest trigrams (citizens.selectors.citizen_duplicate_candidates_many).
            GinIndex(
                Func(
                    F("search_name"),
                    function="show_trgm",
                    output_field=ArrayField(models.TextField()),
                ),
                name=CITIZEN_TRIGRAM_SET_INDEX,
            ),
            # Exact lookups (search, duplicate detection). Plain btree: equality only, so
            # not the extra varchar_pattern_ops index db_index=True would add.
            models.Index(fields=["email"], name="citizen_email_idx"),
            models.Index(fields=["phone"], name="citizen_phone_idx"),
            models.Index(fields=["address_key"], name="citizen_address_key_idx"),
            models.Index(fields=["-updated_at"], name="citizen_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="", last_name=""), name="citizen_has_a_name"
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="citizen_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True, merged_at__isnull=True)
                | Q(merged_into__isnull=False, merged_at__isnull=False),
                name="citizen_merged_into_and_at_together",
            ),
            models.CheckConstraint(
                condition=Q(preferred_channel__in=["", *Channel.values]),
                name="citizen_preferred_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_tombstone(self) -> bool:
        return self.merged_into_id is not None

    @property
    def phone_display(self) -> str:
        return normalise.format_phone(self.phone)

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(p for p in (self.city, self.region, self.postal_code) if p)
        return [line for line in (self.address_line1, self.address_line2, city_line) if line]

    def refresh_derived_fields(self) -> None:
        self.email = normalise.normalise_email(self.email)
        self.search_name = normalise.search_name(self.first_name, self.last_name)
        self.address_key = normalise.address_key(self.address_line1, self.postal_code)

    def save(self, *args, **kwargs) -> None:
        self.refresh_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *self.DERIVED_FIELDS, "updated_at"}
        super().save(*args, **kwargs)


# Fields staff choose between when merging, in groups that only make sense together
# (an address is kept whole, a consent flag with its timestamp).
MERGE_FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "email": ("email",),
    "phone": ("phone",),
    "address": ("address_line1", "address_line2", "city", "region", "postal_code"),
    "preferred_language": ("preferred_language",),
    "preferred_channel": ("preferred_channel",),
    "consent_contact": ("consent_contact", "consent_contact_at"),
    "consent_surveys": ("consent_surveys", "consent_surveys_at"),
}

MERGE_GROUP_LABELS = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("Email"),
    "phone": _("Phone"),
    "address": _("Postal address"),
    "preferred_language": _("Preferred language"),
    "preferred_channel": _("Preferred channel"),
    "consent_contact": _("Consent to contact"),
    "consent_surveys": _("Consent to surveys"),
}


class ConsentRecord(models.Model):
    """One statement of consent given or withdrawn: the history behind the flags on Citizen."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="consent_records")
    kind = models.CharField(max_length=10, choices=ConsentKind.choices)
    granted = models.BooleanField()
    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=ConsentSource.choices)
    # Where an imported statement came from, as the file said (e.g. "paper form, library").
    source_detail = models.CharField(max_length=200, blank=True, default="", db_default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    agency_scope = SHARED

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["citizen", "-at"], name="consent_citizen_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ConsentKind.values), name="consent_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ConsentSource.values), name="consent_source_valid"
            ),
        ]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrawn"
        return f"{self.kind} {verb} for citizen {self.citizen_id} at {self.at:%Y-%m-%d %H:%M}"
