"""REST API of `citizens` under /api/v1/citizens/: search, create, read, change, merge.

The citizen record is shared by every agency (DESIGN.md "Scoping"): all staff see and change
it; no case or feedback of any agency is part of this resource. A merged-away record
(tombstone) answers a read with 301 Moved Permanently to the survivor, and a write with 404
(its message names the survivor). Views parse and call a service.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from citizens import selectors, services
from citizens.models import Citizen
from citizens.serializers import (
    CitizenChangeSerializer,
    CitizenCreatedSerializer,
    CitizenCreateSerializer,
    CitizenSerializer,
    MergeSerializer,
    MovedSerializer,
)
from core.api import etag_for, if_match


class CitizenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Citizen records (shared by all agencies). Send If-Match with the ETag of your last read
    on PATCH: a stale write answers 412."""

    serializer_class = CitizenSerializer
    lookup_value_regex = r"[^/]+"  # a malformed id reaches the view: a JSON 404, not HTML
    action_roles = {"merge": "supervisor"}

    def get_queryset(self):
        return selectors.citizens_visible(user=self.request.user)

    def _live(self, pk: Any) -> Citizen:
        """A live record for a write; a tombstone answers 404 naming its survivor."""
        citizen = selectors.citizen_get_for_view(user=self.request.user, pk=_pk(pk))
        if citizen.is_tombstone:
            survivor = selectors.citizen_survivor(citizen)
            raise exceptions.NotFound(
                f"Record {citizen.pk} was merged into record {survivor.pk}: use that one."
            )
        return citizen

    def _answer(self, citizen: Citizen, code: int = status.HTTP_200_OK) -> Response:
        citizen.refresh_from_db()
        return Response(
            CitizenSerializer(citizen).data, status=code, headers={"ETag": etag_for(citizen)}
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="Search by name (fuzzy), email or phone (exact): the best matches "
                "first, one page only (`next` is null). Without q: newest records first.",
            )
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = request.query_params.get("q", "").strip()
        if not query:
            return super().list(request, *args, **kwargs)
        limit = self.paginator.get_page_size(request)
        rows = selectors.citizens_search(user=request.user, query=query)[:limit]
        results = CitizenSerializer(rows, many=True).data
        return Response({"next": None, "previous": None, "results": results})

    @extend_schema(
        responses={
            200: CitizenSerializer,
            301: OpenApiResponse(
                MovedSerializer, description="Merged into another record: see Location."
            ),
        }
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        citizen = selectors.citizen_get_for_view(user=request.user, pk=_pk(pk))
        if citizen.is_tombstone:
            survivor = selectors.citizen_survivor(citizen)
            location = request.build_absolute_uri(
                reverse("api:citizen-detail", kwargs={"pk": survivor.pk})
            )
            return Response(
                {"merged_into": survivor.pk},
                status=status.HTTP_301_MOVED_PERMANENTLY,
                headers={"Location": location},
            )
        return Response(CitizenSerializer(citizen).data, headers={"ETag": etag_for(citizen)})

    @extend_schema(request=CitizenCreateSerializer, responses={201: CitizenCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a record. Possible duplicates are listed in the answer (the record is
        created anyway: two people may share a name, an email or an address)."""
        data = CitizenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        citizen = services.citizen_create(actor=request.user, **data.validated_data)
        citizen.possible_duplicates = selectors.citizen_duplicates_of(
            user=request.user, citizen=citizen
        )
        return Response(
            CitizenCreatedSerializer(citizen).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag_for(citizen)},
        )

    @extend_schema(request=CitizenChangeSerializer, responses={200: CitizenSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        data = CitizenChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        citizen = self._live(pk)
        with if_match(request, citizen, changed=services.CitizenChanged) as version:
            citizen = services.citizen_update(
                citizen=citizen,
                actor=request.user,
                data=data.validated_data,
                if_unchanged_since=version,
            )
        return self._answer(citizen)

    @extend_schema(request=MergeSerializer, responses={200: CitizenSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        """Merge record `other` into this one (supervisors): everything linked to `other`
        moves here and `other` becomes a tombstone whose reads redirect here."""
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survivor = self._live(pk)
        other = (
            selectors.citizens_visible(user=request.user)
            .filter(pk=data.validated_data["other"])
            .first()
        )
        if other is None:
            raise exceptions.ValidationError({"other": ["No such citizen (or already merged)."]})
        survivor = services.citizen_merge(
            survivor=survivor,
            other=other,
            actor=request.user,
            keep_from_other=data.validated_data["keep_from_other"],
        )
        return self._answer(survivor)


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exceptions.NotFound("No citizen matches the given query.") from None
