"""Request hygiene that applies to every page and endpoint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse


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
