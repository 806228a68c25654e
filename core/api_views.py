"""REST API of `core` under /api/v1/: the audit trail (read only, admins).

An admin sees their own agency's events and those of shared records (citizens), as on the
audit page; deployment superusers see all. Newest first, cursor pagination by occurred_at.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import CreatedCursorPagination
from core.models import AuditEvent
from core.selectors import audit_events_filtered


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)
    actor_user = serializers.IntegerField(source="actor_user_id", read_only=True, allow_null=True)
    changes = serializers.DictField(
        child=serializers.ListField(), read_only=True, help_text="{field: [before, after]}"
    )
    related_type = serializers.CharField(
        read_only=True,
        help_text='What the objects behind one row for many are, e.g. "cases.case" (or "").',
    )
    related_ids = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="The objects one decision changed (the cases whose SLA deadlines a calendar "
        "change moved: action sla.recomputed); empty for a row about one object.",
    )  # fmt: skip

    class Meta:
        model = AuditEvent
        fields = ["id", "occurred_at", "actor_type", "actor", "actor_user", "ip_address",
                  "action", "object_type", "object_id", "agency_id", "changes",
                  "related_type", "related_ids"]  # fmt: skip
        read_only_fields = fields


class QueryDateField(serializers.DateField):
    """A date query parameter: absent is no filter, but an empty or bad value is a 400."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, serializers.empty)


class AuditQuerySerializer(serializers.Serializer):
    action = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="",
        help_text='Actions starting with this, e.g. "case." or "citizen.merged".',
    )  # fmt: skip
    object_type = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="",
        help_text='A model label, e.g. "cases.case" or "citizens.citizen".',
    )  # fmt: skip
    object_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="",
        help_text="With object_type: that object's history, rows naming it among their "
        "related_ids included.",
    )  # fmt: skip
    actor = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="A username."
    )
    since = QueryDateField(required=False, default=None, help_text="From this day (UTC).")
    until = QueryDateField(required=False, default=None, help_text="Up to this day (UTC).")


class OccurredCursorPagination(CreatedCursorPagination):
    ordering = ("-occurred_at", "-id")


class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who changed what, when, from where: the caller's agency's events (admins)."""

    serializer_class = AuditEventSerializer
    queryset = AuditEvent.objects.none()  # rows come from audit_events_filtered (schema)
    pagination_class = OccurredCursorPagination
    filter_backends: list = []
    min_role = "admin"

    def get_queryset(self):
        query = AuditQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return audit_events_filtered(self.request.user, **query.validated_data)

    @extend_schema(parameters=[AuditQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
