"""What services may know about the current request without taking it as an argument.

Middleware records the client's address (honouring TRUSTED_PROXY_COUNT) in a context variable;
`audit_record` reads it, so audit rows carry the IP "where known" while services stay free of
request objects. It also gives every request an id (the caller's `X-Request-ID` when it is a
sane token, else a new one), returned in the response, written on every log line
(`RequestIdLogFilter`), and carried by the outbox rows the request writes into the Celery
work they cause (`core.services.outbox_deliver` runs each handler under its row's id).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
_request_id: ContextVar[str] = ContextVar("request_id", default="")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")  # a proxy's id is kept only if it is tame


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def request_id_bound(request_id: str) -> Iterator[None]:
    """Work done on behalf of a request elsewhere (an outbox handler) logs under its id."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Puts the current request id on every log record (`%(request_id)s`, "-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address TRUSTED_PROXY_COUNT proxies saw, from X-Forwarded-For."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def current_client_ip() -> str | None:
    return _client_ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if REQUEST_ID.match(offered) else uuid.uuid4().hex
        token = _client_ip.set(client_ip(request))
        id_token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            return response
        finally:
            _client_ip.reset(token)
            _request_id.reset(id_token)
