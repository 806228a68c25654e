"""The floor of the create-case benchmark: the same stack (gunicorn, middleware, DRF, the same
token authentication, permission and throttle classes) doing one ORM INSERT in a transaction.

Create-case throughput divided by this is the share the case service itself leaves."""

from django.db import transaction
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import AuditEvent


class FloorView(APIView):
    """POST: one row inserted (an audit event: a small table like most), its id answered."""

    def post(self, request: Request) -> Response:
        with transaction.atomic():
            row = AuditEvent.objects.create(
                actor_type="staff", actor_user=request.user, action="bench.floor",
                object_type="bench", object_id="0",
            )  # fmt: skip
        return Response({"id": row.pk}, status=status.HTTP_201_CREATED)
