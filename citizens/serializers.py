"""REST API shapes of `citizens` (see citizens/api.py). Read serializers render; input
serializers only parse: the services normalise, decide and write.

The citizen record is shared by every agency, so its contact data and consent are shown to all
staff; cases and feedback (one agency's each) are never part of it.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from citizens.models import MERGE_FIELD_GROUPS, Channel, Citizen
from core.api_fields import InputSerializer, StrictBooleanField, StrictCharField


class CitizenSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True, help_text="Normalised; may be empty.")
    preferred_channel = serializers.ChoiceField(
        choices=Channel.choices, allow_blank=True, read_only=True, help_text="Empty: no preference."
    )

    class Meta:
        model = Citizen
        fields = [
            "id", "first_name", "last_name", "full_name", "email", "phone",
            "address_line1", "address_line2", "city", "region", "postal_code",
            "preferred_language", "preferred_channel",
            "consent_contact", "consent_contact_at", "consent_surveys", "consent_surveys_at",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class CitizenRefSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Citizen
        fields = ["id", "full_name", "email", "phone", "postal_code"]
        read_only_fields = fields


class DuplicateCandidateSerializer(serializers.Serializer):
    """A live record that may be the same person (score 0 to 100, see citizens.selectors)."""

    citizen = CitizenRefSerializer()
    score = serializers.IntegerField()
    name_similarity = serializers.FloatField()
    same_email = serializers.BooleanField()
    same_phone = serializers.BooleanField()
    same_address = serializers.BooleanField()


class CitizenCreatedSerializer(CitizenSerializer):
    """The new record, with the records that may be the same person (created anyway: warn)."""

    possible_duplicates = DuplicateCandidateSerializer(many=True, read_only=True)

    class Meta(CitizenSerializer.Meta):
        fields = [*CitizenSerializer.Meta.fields, "possible_duplicates"]
        read_only_fields = fields


class _ContactFields(InputSerializer):
    """The editable contact fields; limits from the model, normalisation in the service."""

    first_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = StrictCharField(
        max_length=40, required=False, allow_blank=True, help_text="E.164, e.g. +13125550142"
    )
    address_line1 = StrictCharField(max_length=200, required=False, allow_blank=True)
    address_line2 = StrictCharField(max_length=200, required=False, allow_blank=True)
    city = StrictCharField(max_length=100, required=False, allow_blank=True)
    region = StrictCharField(max_length=100, required=False, allow_blank=True)
    postal_code = StrictCharField(max_length=20, required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    preferred_channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, allow_blank=True, help_text="Empty: no preference."
    )


class CitizenCreateSerializer(_ContactFields):
    first_name = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    consent_contact = StrictBooleanField(
        required=False, allow_null=True, default=None,
        help_text="Given (true) or refused (false) now; omit when not asked.",
    )  # fmt: skip
    consent_surveys = StrictBooleanField(
        required=False, allow_null=True, default=None,
        help_text="Given (true) or refused (false) now; omit when not asked.",
    )  # fmt: skip

    def validate(self, attrs: dict) -> dict:
        if not (attrs.get("first_name", "").strip() or attrs.get("last_name", "").strip()):
            raise serializers.ValidationError(
                {"first_name": ["Enter a first name or a last name."]}
            )
        return attrs


class CitizenChangeSerializer(_ContactFields):
    """PATCH: the contact fields to change (send If-Match); none: nothing changes. Consent has
    its own history and is not changed here."""


class MergeSerializer(InputSerializer):
    other = serializers.IntegerField(
        min_value=1, help_text="The record merged into this one; it becomes a tombstone."
    )
    keep_from_other = serializers.ListField(
        child=serializers.ChoiceField(choices=list(MERGE_FIELD_GROUPS)),
        required=False,
        default=list,
        help_text="Field groups whose value is taken from `other`; the rest keep this record's.",
    )


class MovedSerializer(serializers.Serializer):
    merged_into = serializers.IntegerField()
