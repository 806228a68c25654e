"""REST API shapes of `feedback` (see feedback/api.py). Read serializers render; input
serializers only parse: the services decide and write."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from core.api_fields import InputSerializer, StrictBooleanField, StrictCharField
from feedback.models import FeedbackSubmission
from feedback.selectors import GROUPS

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class FeedbackSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.slug", read_only=True)
    category = serializers.CharField(
        source="category.code", read_only=True, default=None, allow_null=True
    )
    case = serializers.CharField(
        source="case.reference", read_only=True, default=None, allow_null=True,
        help_text="The case the feedback is about, if its reference matched one.",
    )  # fmt: skip
    follow_up_case = serializers.CharField(
        source="follow_up_case.reference", read_only=True, default=None, allow_null=True,
        help_text="The case opened from this feedback.",
    )  # fmt: skip
    citizen = serializers.IntegerField(source="citizen_id", read_only=True, allow_null=True)
    handled_by = serializers.IntegerField(source="handled_by_id", read_only=True, allow_null=True)
    contact_email = serializers.CharField(read_only=True)

    class Meta:
        model = FeedbackSubmission
        fields = [
            "id", "agency", "kind", "status", "category", "case_reference", "case",
            "follow_up_case", "message", "contact_name", "contact_email", "contact_phone",
            "consent_contact", "language", "citizen", "handled_at", "handled_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class FeedbackCreateSerializer(InputSerializer):
    """Feedback a portal sends on behalf of a citizen, to the caller's agency."""

    kind = serializers.ChoiceField(choices=FeedbackSubmission.Kind.choices)
    message = StrictCharField(min_length=1, max_length=5000)
    category = StrictCharField(
        max_length=50, required=False, allow_blank=True, default="",
        help_text="A service category code of the caller's agency.",
    )  # fmt: skip
    case_reference = StrictCharField(max_length=40, required=False, allow_blank=True, default="")
    contact_name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_phone = StrictCharField(max_length=40, required=False, allow_blank=True, default="")
    consent_contact = StrictBooleanField(required=False, default=False)
    language = serializers.ChoiceField(
        choices=LANGUAGE_CODES, required=False, default=settings.LANGUAGE_CODE
    )
    citizen = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None,
        help_text="The citizen record the feedback is from, if known.",
    )  # fmt: skip


class QueryDateField(serializers.DateField):
    """A date query parameter: absent is the default, but an empty or bad value is a 400."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, serializers.empty)


class QueryChoiceField(serializers.ChoiceField):
    """A choice query parameter: absent is the default, but an empty value is a 400."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, serializers.empty)


class ResultsQuerySerializer(serializers.Serializer):
    start = QueryDateField(
        required=False, default=None,
        help_text="First day (default: the first of the month eleven months before `end`).",
    )  # fmt: skip
    end = QueryDateField(required=False, default=None, help_text="Last day (default: today).")
    group_by = QueryChoiceField(choices=list(GROUPS), required=False, default="team")


class FiguresSerializer(serializers.Serializer):
    """The survey measures of one group: percentages 0 to 100, null without data."""

    label = serializers.CharField()
    sent = serializers.IntegerField(help_text="Invitations sent in the period.")
    answered = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True, help_text="% of sent answered.")
    csat_count = serializers.IntegerField()
    csat_average = serializers.FloatField(allow_null=True, help_text="1 to 5.")
    csat_satisfied = serializers.FloatField(allow_null=True, help_text="% of 4 and 5 answers.")
    csat_distribution = serializers.SerializerMethodField()
    nps_count = serializers.IntegerField()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    nps = serializers.FloatField(allow_null=True, help_text="-100 to 100.")
    resolved_count = serializers.IntegerField()
    resolved_yes = serializers.IntegerField()
    resolved_rate = serializers.FloatField(
        allow_null=True, help_text="% answering yes to 'Was your request resolved?'."
    )

    def get_csat_distribution(self, figures) -> dict[str, int]:
        """Answers per CSAT score, "1" to "5"."""
        return {str(score): count for score, count in figures.csat_distribution.items()}


class SurveyResultsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    group_by = serializers.ChoiceField(choices=list(GROUPS))
    total = FiguresSerializer()
    groups = FiguresSerializer(many=True)
    months = FiguresSerializer(many=True)
