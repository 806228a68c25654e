"""API throttles that key on the client address as DESIGN.md says (core.request_context) and
fail open: when Redis is unreachable the request proceeds (refusing service over a cache
outage is worse than a burst), as the page rate limits do (core.ratelimit)."""

from __future__ import annotations

import logging

from rest_framework import throttling

from core.request_context import client_ip

logger = logging.getLogger(__name__)


class _FailOpen:
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # the cache backend's connection errors vary by client
            reason = type(exc).__name__
            logger.warning("API throttle skipped: the cache is unavailable (%s)", reason)
            return True

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"


class UserThrottle(_FailOpen, throttling.UserRateThrottle):
    """Per signed-in user or token owner (per address for anonymous callers)."""


class AnonThrottle(_FailOpen, throttling.AnonRateThrottle):
    """Per address, for calls without credentials."""
