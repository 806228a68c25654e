"""API plumbing shared by every app: one error body for every failure.

{"error": {"code": "...", "message": "...", "fields": {...}}}
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rest_framework import authentication, exceptions, pagination, permissions
from rest_framework.response import Response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Imported here: rest_framework.views imports this module's authentication (settings).
    from django.core.exceptions import PermissionDenied
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.http import Http404
    from rest_framework.views import exception_handler as drf_exception_handler

    # Django's own exceptions in the API's terms first: a service's refusal (ValidationError,
    # field errors kept by field) is a 400; get_object_or_404 and scoping are 404s.
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
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


# --- authentication -------------------------------------------------------------------------


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`) with a staff member's API token."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        from core.services import api_token_authenticate

        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        try:
            raw = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed token.") from None
        token = api_token_authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class IsStaffMember(permissions.BasePermission):
    """Signed-in staff of an agency (or a deployment superuser); `min_role` on the view raises
    the bar (e.g. "supervisor", "admin")."""

    message = "You do not have access to this resource."

    def has_permission(self, request: Any, view: Any) -> bool:
        from core.permissions import has_role

        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        role = getattr(view, "min_role", None) or "agent"
        action_roles = getattr(view, "action_roles", {})
        role = action_roles.get(getattr(view, "action", None), role)
        return has_role(user, role)


class CreatedCursorPagination(pagination.CursorPagination):
    """Cursor pagination (no OFFSET): stable under inserts, cheap at any depth.

    A bad `cursor` or `page_size` is the client's input error: 400, not DRF's 404 or a silent
    default."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {self.cursor_query_param: ["Invalid cursor."]}
            ) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


# --- preconditions: no silent overwrite -----------------------------------------------------


def etag_for(obj: Any) -> str:
    """A weak ETag from the row's version (`updated_at`)."""
    stamp = getattr(obj, "updated_at", None)
    return f'W/"{obj.pk}-{stamp.timestamp() if stamp else 0}"'


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "Send If-Match with the ETag from your last read of this resource."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = "Someone changed this resource since you read it: read it again."
    default_code = "precondition_failed"


def check_if_match(request: Any, obj: Any) -> None:
    """Refuse a write unless the client proves it saw the current version (RFC 9110 If-Match)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    tags = {tag.strip() for tag in header.split(",")}
    if "*" not in tags and etag_for(obj) not in tags:
        raise PreconditionFailed()


@contextmanager
def if_match(request: Any, obj: Any, *, changed: type[Exception]) -> Iterator[datetime | None]:
    """The PATCH pattern: no silent overwrite of someone else's change.

    Checks If-Match against `obj` (428 without it, 412 when stale), then yields the version
    the client saw (`updated_at`) for the service's `if_unchanged_since`, which the service
    compares on the locked row; its `changed` exception (someone wrote in between) is a 412.
    """
    check_if_match(request, obj)
    try:
        yield getattr(obj, "updated_at", None)
    except changed as exc:
        raise PreconditionFailed() from exc
