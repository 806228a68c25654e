"""REST API of `cases` under /api/v1/: categories, cases and their actions, SLA breaches.

Scoping is the UI's: reads use the read scope (a referred-away case stays readable by the
sender), writes the write scope; anything else answers 404. Views parse and call a service.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors, services
from cases.models import Attachment, Case, Priority, ServiceCategory
from cases.serializers import (
    AssignSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CaseChangeSerializer,
    CaseCreateSerializer,
    CaseSerializer,
    CategorySerializer,
    EventSerializer,
    SlaBreachSerializer,
    TextSerializer,
    TransitionSerializer,
)
from cases.sla import selectors as sla_selectors
from cases.uploads import attachment_response
from citizens.selectors import citizens_visible
from core.api import etag_for, if_match
from core.api_filters import Rfc3339Filter, StrictFilterSet
from core.scoping import get_scoped_object_or_404, scope_queryset


def _category(user: Any, code: str) -> ServiceCategory:
    category = (
        scope_queryset(ServiceCategory.objects.all(), user, for_write=True)
        .filter(code=code)
        .select_related("agency")
        .first()
    )
    if category is None:
        raise exceptions.ValidationError({"category": ["No such service category."]})
    return category


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's agency's service catalogue, with each category's questions."""

    serializer_class = CategorySerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"  # anything reaches the view: a JSON 404, never HTML
    pagination_class = None
    filter_backends: list = []  # a small list: every category, `active` tells

    def get_queryset(self):
        categories = scope_queryset(
            ServiceCategory.objects.all(), self.request.user, for_write=True
        )
        return (
            categories.select_related("owning_team")
            .prefetch_related("attributes")
            .order_by("order", "code", "id")
        )


class CaseApiFilter(StrictFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Case.Status.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    channel = django_filters.MultipleChoiceFilter(choices=Case.Channel.choices)
    sla_state = django_filters.MultipleChoiceFilter(choices=Case.SlaState.choices)
    category = django_filters.CharFilter(field_name="category__code")
    team = django_filters.NumberFilter(field_name="team_id")
    assignee = django_filters.NumberFilter(field_name="assignee_id")
    citizen = django_filters.NumberFilter(field_name="citizen_id")
    created_after = Rfc3339Filter(field_name="created_at", lookup_expr="gte")
    created_before = Rfc3339Filter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Case
        fields: list[str] = []


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases of the caller's agency (and those referred away, read-only). Send If-Match with
    the ETag of your last read on PATCH: a stale write answers 412."""

    serializer_class = CaseSerializer
    lookup_field = "reference"
    lookup_value_regex = r"[^/]+"
    filterset_class = CaseApiFilter

    def filter_queryset(self, queryset):
        # The list's filters select rows; on one case they would only turn it into a 404.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_queryset(self):
        cases = selectors.cases_visible(self.request.user)
        return cases.select_related("agency", "category", "team", "assignee")

    def _writable(self, reference: str) -> Case:
        return get_scoped_object_or_404(
            Case.objects.select_related("agency", "category", "team", "assignee"),
            self.request.user,
            for_write=True,
            reference=reference,
        )

    def _answer(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        # One query for the case and what the serializer shows of it (not one per relation).
        case = Case.objects.select_related("agency", "category", "team", "assignee").get(pk=case.pk)
        return Response(CaseSerializer(case).data, status=code, headers={"ETag": etag_for(case)})

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        return Response(CaseSerializer(case).data, headers={"ETag": etag_for(case)})

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        category = _category(request.user, fields.pop("category"))
        citizen_id = fields.pop("citizen", None)
        citizen = None
        if citizen_id is not None:
            citizen = citizens_visible(user=request.user).filter(pk=citizen_id).first()
            if citizen is None:
                raise exceptions.ValidationError({"citizen": ["No such citizen."]})
        case = services.case_create(
            category=category, actor=request.user, citizen=citizen, **fields
        )
        return self._answer(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseChangeSerializer, responses={200: CaseSerializer})
    def partial_update(self, request: Request, reference: str) -> Response:
        case = self._writable(reference)
        with if_match(request, case, changed=services.CaseChanged) as version:
            data = CaseChangeSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            changes = data.validated_data
            category = (
                _category(request.user, changes["category"]) if "category" in changes else None
            )
            case = services.case_change(
                case=case,
                actor=request.user,
                priority=changes.get("priority"),
                category=category,
                if_unchanged_since=version,
            )
        return self._answer(case)

    @extend_schema(request=TransitionSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, reference: str) -> Response:
        case = self._writable(reference)  # first: another agency's case is a 404, not a 400
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_transition(case=case, actor=request.user, **data.validated_data)
        return self._answer(case)

    @extend_schema(request=AssignSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, reference: str) -> Response:
        case = self._writable(reference)
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignee = data.validated_data["assignee"]
        if assignee is None:
            services.case_unassign(case=case, actor=request.user)
        else:
            services.case_assign(case=case, assignee=assignee, actor=request.user)
        return self._answer(case)

    @extend_schema(responses={200: EventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request: Request, reference: str) -> Response:
        """The whole timeline: internal notes included (staff only)."""
        case = self.get_object()
        events = case.events.select_related("actor").order_by("created_at", "id")
        return Response(EventSerializer(events, many=True).data)

    def _text_event(self, request: Request, reference: str, write) -> Response:
        case = self._writable(reference)
        data = TextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = write(case=case, body=data.validated_data["body"], actor=request.user)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TextSerializer, responses={201: EventSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, reference: str) -> Response:
        """An internal note: never shown to the citizen."""
        return self._text_event(request, reference, services.case_note_add)

    @extend_schema(request=TextSerializer, responses={201: EventSerializer})
    @action(detail=True, methods=["post"])
    def updates(self, request: Request, reference: str) -> Response:
        """A public update: shown on the status page and emailed to the citizen."""
        return self._text_event(request, reference, services.case_public_update)

    @extend_schema(methods=["GET"], responses={200: AttachmentSerializer(many=True)}, request=None)
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        filter_backends=[],
        parser_classes=[MultiPartParser],
    )
    def attachments(self, request: Request, reference: str) -> Response:
        if request.method == "GET":
            case = self.get_object()
            return Response(AttachmentSerializer(case.attachments.order_by("id"), many=True).data)
        case = self._writable(reference)
        data = AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = services.case_attach(
            case=case,
            upload=data.validated_data["file"],
            actor=request.user,
            is_public=data.validated_data["is_public"],
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        url_path=r"attachments/(?P<token>[0-9a-f]{32})",
        url_name="attachment-download",
    )
    def attachment_download(self, request: Request, reference: str, token: str) -> FileResponse:
        case = self.get_object()
        attachment = Attachment.objects.filter(case=case, token=token).first()
        if attachment is None:
            raise Http404("No such attachment.")
        return attachment_response(attachment)


class SlaBreachViewSet(viewsets.GenericViewSet):
    """Breached and at-risk open cases of the caller's agency (supervisors)."""

    serializer_class = SlaBreachSerializer
    queryset = Case.objects.none()  # rows come from sla_board_cases (for the schema only)
    min_role = "supervisor"
    pagination_class = None

    @extend_schema(responses={200: SlaBreachSerializer(many=True)})
    def list(self, request: Request) -> Response:
        rows = sla_selectors.sla_board_cases(
            request.user, sort=request.query_params.get("sort", "time_left")
        )
        return Response(SlaBreachSerializer(rows, many=True).data)
