"""REST API shapes of `cases` (see cases/api.py). Read serializers render; input serializers
only parse: the services decide and write."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from cases.models import (
    Attachment,
    AttributeDefinition,
    Case,
    CaseEvent,
    Priority,
    ServiceCategory,
)
from core.api_fields import InputSerializer, StrictBooleanField, StrictCharField
from core.translated import translate


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class AttributeDefinitionSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = AttributeDefinition
        fields = ["code", "label", "datatype", "required", "order", "values"]

    def get_label(self, definition) -> str:
        return translate(definition.label)


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    group = serializers.SerializerMethodField()
    attributes = AttributeDefinitionSerializer(many=True, read_only=True)
    owning_team = serializers.CharField(source="owning_team.name", read_only=True, default=None)

    class Meta:
        model = ServiceCategory
        fields = ["code", "name", "description", "group", "keywords", "default_priority",
                  "active", "owning_team", "attributes"]  # fmt: skip

    def get_name(self, category) -> str:
        return translate(category.name)

    def get_description(self, category) -> str:
        return translate(category.description)

    def get_group(self, category) -> str:
        return translate(category.group)


class CaseSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code", read_only=True)
    team = serializers.CharField(source="team.name", read_only=True, default=None)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    citizen = serializers.IntegerField(source="citizen_id", read_only=True, allow_null=True)
    agency = serializers.CharField(source="agency.slug", read_only=True)
    # Blank when not given: plain strings (a URL/email format or an enum would exclude "").
    media_url = serializers.CharField(read_only=True)
    reporter_email = serializers.CharField(read_only=True)
    resolution_code = serializers.CharField(read_only=True, help_text="Blank until resolved.")

    class Meta:
        model = Case
        fields = [
            "reference", "agency", "category", "citizen", "status", "priority", "channel",
            "description", "attributes", "address", "latitude", "longitude", "media_url",
            "team", "assignee", "created_at", "updated_at", "opened_at", "first_response_at",
            "resolved_at", "closed_at", "resolution_code", "citizen_contacted",
            "reporter_name", "reporter_email", "language",
            "sla_state", "first_response_due_at", "resolution_due_at", "sla_escalation_level",
        ]  # fmt: skip
        read_only_fields = fields


class CaseCreateSerializer(InputSerializer):
    category = StrictCharField(max_length=50, help_text="The service category's code.")
    description = StrictCharField(max_length=10000)
    channel = serializers.ChoiceField(choices=Case.Channel.choices, default=Case.Channel.API)
    citizen = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    attributes = serializers.DictField(required=False, default=dict)
    address = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True,
        min_value=-90, max_value=90,
    )  # fmt: skip
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True,
        min_value=-180, max_value=180,
    )  # fmt: skip
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True)
    reporter_email = serializers.EmailField(required=False, allow_blank=True, default="")
    reporter_name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=["en", "es"], required=False, allow_null=True)
    email_updates = StrictBooleanField(required=False, default=True)


class CaseChangeSerializer(InputSerializer):
    """PATCH: the fields a case's owner may change directly (send If-Match)."""

    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = StrictCharField(max_length=50, required=False)


class TransitionSerializer(InputSerializer):
    to_status = serializers.ChoiceField(choices=Case.Status.choices)
    resolution_code = serializers.ChoiceField(
        choices=Case.Resolution.choices, required=False, allow_blank=True, default=""
    )
    citizen_contacted = StrictBooleanField(required=False, allow_null=True, default=None)
    note = StrictCharField(
        max_length=10000, required=False, allow_blank=True, default="",
        help_text="Sent to the citizen when the change is shared with them.",
    )  # fmt: skip
    feed_note = StrictCharField(
        max_length=2000, required=False, allow_blank=True, default="",
        help_text="Published on the open data feed (Open311 status_notes) when the service "
        "is published there; never sent to the citizen. Write nothing personal.",
    )  # fmt: skip


class _StrictUserField(serializers.PrimaryKeyRelatedField):
    """A user id or null; not "" (which DRF would quietly read as null: unassign)."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("incorrect_type", data_type="str")
        return super().run_validation(data)


class AssignSerializer(InputSerializer):
    assignee = _StrictUserField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True,
        help_text="A user id of the case's agency, or null to unassign.",
    )  # fmt: skip


class TextSerializer(InputSerializer):
    body = StrictCharField(max_length=10000)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "created_at", "actor", "body", "is_public", "data"]

    def get_actor(self, event) -> str:
        if event.actor_id is None:
            return event.actor_label
        return event.actor.get_full_name() or event.actor.get_username()


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["token", "original_name", "content_type", "size", "is_public"]


class AttachmentUploadSerializer(InputSerializer):
    file = serializers.FileField()
    is_public = StrictBooleanField(required=False, default=False)


class SlaClockSerializer(serializers.Serializer):
    """One clock of a breached or at-risk case (cases.sla.selectors.BoardClock)."""

    state = serializers.ChoiceField(
        choices=["due", "overdue", "paused", "met", "late", "running", "none"],
        help_text="First response: due, overdue, paused, met, late (answered after its "
        "deadline) or none; resolution: running, overdue, paused or none.",
    )
    minutes_left = serializers.FloatField(
        allow_null=True, help_text="Business minutes left; negative when overdue."
    )
    due_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True, help_text="First response given at.")


class SlaBreachSerializer(serializers.Serializer):
    reference = serializers.CharField(source="case.reference")
    state = serializers.CharField()
    clock = serializers.CharField()
    minutes_left = serializers.FloatField()
    due_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.BooleanField()
    team = serializers.CharField(source="case.team.name", default=None)
    category = serializers.CharField(source="case.category.code")
    priority = serializers.CharField(source="case.priority")
    assignee = serializers.IntegerField(source="case.assignee_id", allow_null=True)
    first_response = SlaClockSerializer()
    resolution = SlaClockSerializer()
    escalation_level = serializers.IntegerField(help_text="0: not escalated.")
