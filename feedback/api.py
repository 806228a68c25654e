"""REST API of `feedback` under /api/v1/: feedback of the caller's agency, and survey results.

Feedback belongs to one agency: another agency's answers 404. Survey results are the
supervisors' figures of their own agency (the same as the results page). Views parse and call
a service or a selector.
"""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency
from cases.selectors import categories_for_intake
from citizens.selectors import citizens_visible
from core.api_filters import Rfc3339Filter, StrictFilterSet
from core.scoping import user_agency_id
from feedback import selectors, services
from feedback.models import FeedbackSubmission
from feedback.serializers import (
    FeedbackCreateSerializer,
    FeedbackSerializer,
    ResultsQuerySerializer,
    SurveyResultsSerializer,
)


class FeedbackApiFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=FeedbackSubmission.Status.choices)
    kind = django_filters.MultipleChoiceFilter(choices=FeedbackSubmission.Kind.choices)
    category = django_filters.CharFilter(field_name="category__code")
    citizen = django_filters.NumberFilter(field_name="citizen_id")
    created_after = Rfc3339Filter(field_name="created_at", lookup_expr="gte")
    created_before = Rfc3339Filter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = FeedbackSubmission
        fields: list[str] = []


class FeedbackViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Feedback to the caller's agency, newest first; POST records feedback a portal received
    on behalf of a citizen."""

    serializer_class = FeedbackSerializer
    filterset_class = FeedbackApiFilter
    lookup_value_regex = r"[^/]+"  # a malformed id reaches the view: a JSON 404, not HTML

    def get_queryset(self):
        # status="" : every status (the filter above narrows it).
        return selectors.feedback_triage(self.request.user, status="").select_related(
            "follow_up_case"
        )

    @extend_schema(request=FeedbackCreateSerializer, responses={201: FeedbackSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = FeedbackCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        agency = Agency.objects.filter(pk=user_agency_id(request.user)).first()
        if agency is None:
            raise exceptions.ValidationError(
                {"non_field_errors": ["Your account belongs to no agency."]}
            )
        code = fields.pop("category")
        category = None
        if code:
            category = categories_for_intake(request.user).filter(code=code).first()
            if category is None:
                raise exceptions.ValidationError({"category": ["No such service category."]})
        citizen_id = fields.pop("citizen")
        citizen = None
        if citizen_id is not None:
            citizen = citizens_visible(user=request.user).filter(pk=citizen_id).first()
            if citizen is None:
                raise exceptions.ValidationError({"citizen": ["No such citizen."]})
        feedback = services.feedback_submit(
            agency=agency, category=category, citizen=citizen, actor=request.user, **fields
        )
        feedback = selectors.feedback_get_for_staff(request.user, feedback.pk)
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


class _OneObjectSchema(AutoSchema):
    """The results are one object, though served by a viewset's `list` route."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class SurveyResultViewSet(viewsets.GenericViewSet):
    """Survey figures of the caller's agency for a period (supervisors): response rate, CSAT
    average and distribution, NPS and % resolved; overall, per group and per month.
    Invitations count by when they were sent, answers by when they were given."""

    serializer_class = SurveyResultsSerializer
    queryset = FeedbackSubmission.objects.none()  # figures come from survey_results (schema)
    min_role = "supervisor"
    pagination_class = None
    filter_backends: list = []
    schema = _OneObjectSchema()

    @extend_schema(parameters=[ResultsQuerySerializer], responses={200: SurveyResultsSerializer})
    def list(self, request: Request) -> Response:
        query = ResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = selectors.survey_results(request.user, comments_limit=0, **query.validated_data)
        return Response(SurveyResultsSerializer(results).data)
