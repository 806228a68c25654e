"""API plumbing shared by every app: one error body for every failure.

{"error": {"code": "...", "message": "...", "fields": {...}}}
"""

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {"code": "invalid", "message": "The request has invalid fields.", "fields": detail}
    elif isinstance(exc, exceptions.APIException):
        body = {"code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error",
                "message": str(exc.detail), "fields": {}}  # fmt: skip
    else:
        body = {"code": "error", "message": str(response.data), "fields": {}}
    response.data = {"error": body}
    return response
