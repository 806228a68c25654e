"""Request hygiene that applies to every page and endpoint."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)


class RejectNulBytesMiddleware:
    """A NUL byte in the query string is never meaningful, and PostgreSQL refuses it in text:
    answer 400 at the door instead of a 500 from whichever search or filter met it first.
    (Form and JSON bodies are checked by Django's and DRF's fields.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = "The address contains a NUL character."
            if request.path_info.startswith("/api/"):
                body = {"code": "invalid", "message": message, "fields": {}}
                return JsonResponse({"error": body}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """While PostgreSQL is unreachable (a restart, a failover) answer 503 with Retry-After,
    not a 500: nothing was saved, and the client may simply try again shortly. The next
    request after the database is back gets a fresh connection (CONN_HEALTH_CHECKS)."""

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        from django.db import InterfaceError, OperationalError

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s", type(exception).__name__)
        message = "The service is briefly unavailable; nothing was saved. Please try again."
        if request.path_info.startswith("/api/"):
            body = {"code": "unavailable", "message": message, "fields": {}}
            response: HttpResponse = JsonResponse({"error": body}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response


class HealthCheckMiddleware:
    """`/healthz` answers before anything reads the Host header or redirects to HTTPS.

    Container healthchecks and load balancers call it by address (`http://127.0.0.1:8000/healthz`),
    which DJANGO_ALLOWED_HOSTS rightly does not list, and over plain HTTP: first in MIDDLEWARE,
    this serves the health view itself, so neither host validation (a 400 DisallowedHost) nor
    the HTTPS redirect stands in the way. The answer uses nothing of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            from core.views import healthz

            return healthz(request)
        return self.get_response(request)


class NoStoreForPersonalDataMiddleware:
    """`Cache-Control: no-store, private` on staff pages, the API, the admin, and any page
    served to a signed-in person: they carry personal data that no browser history, disk cache
    or shared proxy may keep. Public pages that need it set it themselves (never_cache)."""

    PREFIXES = ("/staff/", "/api/", "/admin/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith(self.PREFIXES) or getattr(user, "is_authenticated", False):
            patch_cache_control(response, no_store=True, private=True)
            response.headers.pop("Expires", None)
        return response
