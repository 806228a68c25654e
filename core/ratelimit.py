"""Fixed-window rate limits in Redis, keyed on the client address (DESIGN.md "Tests: contract").

The address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT says how many proxies to trust
(core.request_context.client_ip). When Redis is unreachable the limit fails open: the request
proceeds, because refusing citizens service over a cache outage is worse than a burst of spam.
Limits are off when RATELIMIT_ENABLED is false (the test settings); tests of limits turn it on.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import redis
from django.conf import settings
from django.http import HttpRequest

from core.request_context import client_ip

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def rate_limited(request: HttpRequest, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count this request; True if the client exceeded `limit` in the current window."""
    if not settings.RATELIMIT_ENABLED:
        return False
    address = client_ip(request) or "unknown"
    window = int(time.time() // window_seconds)
    key = f"ratelimit:{scope}:{address}:{window}"
    try:
        client = _client(settings.REDIS_URL)
        pipe = client.pipeline()
        pipe.incr(key)
        pipe.expire(key, window_seconds + 1)
        count, _ = pipe.execute()
    except redis.RedisError as exc:
        logger.warning(
            "rate limit %s: Redis unavailable, letting the request through: %s", scope, exc
        )
        return False
    return int(count) > limit


def _failure_keys(scope: str, subjects: dict[str, str], window_seconds: int) -> list[str]:
    window = int(time.time() // window_seconds)
    return [f"ratelimit:{scope}:{kind}:{value}:{window}" for kind, value in subjects.items()]


def window_remaining(window_seconds: int) -> int:
    """Seconds until the current fixed window ends (when a refused person may try again)."""
    return max(1, window_seconds - int(time.time()) % window_seconds)


def failures_exceeded(
    request: HttpRequest, *, scope: str, limits: dict[str, int], subjects: dict[str, str],
    window_seconds: int,
) -> str | None:  # fmt: skip
    """The first subject (e.g. "address", "reference") that has reached its limit of counted
    events in the current window, else None. Only what failures_record counted counts (for
    the status look-up, failures: a person who gets it right is never held up). A subject
    without a limit is not checked. Fails open when Redis is unreachable."""
    if not settings.RATELIMIT_ENABLED:
        return None
    subjects = {"address": client_ip(request) or "unknown", **subjects}
    keys = _failure_keys(scope, subjects, window_seconds)
    try:
        counts = _client(settings.REDIS_URL).mget(keys)
    except redis.RedisError as exc:
        logger.warning("rate limit %s: Redis unavailable, letting the request through: %s",
                       scope, exc)  # fmt: skip
        return None
    for kind, count in zip(subjects, counts, strict=True):
        if kind in limits and int(count or 0) >= limits[kind]:
            return kind
    return None


def failures_record(
    request: HttpRequest, *, scope: str, subjects: dict[str, str], window_seconds: int
) -> None:
    """Count one failure against the client's address and each subject (or, for a public
    form, one accepted post or honeypot hit: core.guards counts what abuse looks like)."""
    if not settings.RATELIMIT_ENABLED:
        return
    subjects = {"address": client_ip(request) or "unknown", **subjects}
    try:
        pipe = _client(settings.REDIS_URL).pipeline()
        for key in _failure_keys(scope, subjects, window_seconds):
            pipe.incr(key)
            pipe.expire(key, window_seconds + 1)
        pipe.execute()
    except redis.RedisError as exc:
        logger.warning("rate limit %s: Redis unavailable, failure not counted: %s", scope, exc)


def rate_limited_key(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one request against `key` (e.g. an Open311 client's id, not the address: one
    FixMyStreet server posts for a whole city); True if it exceeded `limit` in the window.
    Fails open when Redis is unreachable, like the per-address limit."""
    if not settings.RATELIMIT_ENABLED:
        return False
    window = int(time.time() // window_seconds)
    redis_key = f"ratelimit:{scope}:key:{key}:{window}"
    try:
        pipe = _client(settings.REDIS_URL).pipeline()
        pipe.incr(redis_key)
        pipe.expire(redis_key, window_seconds + 1)
        count, _ = pipe.execute()
    except redis.RedisError as exc:
        logger.warning("rate limit %s: Redis unavailable, letting the request through: %s",
                       scope, exc)  # fmt: skip
        return False
    return int(count) > limit
