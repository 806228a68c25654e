"""Rate limits key on the client address, honour trusted proxies, and fail open without Redis."""

import uuid

import pytest
from django.test import RequestFactory

from core.ratelimit import rate_limited


@pytest.fixture
def limits_on(settings):
    settings.RATELIMIT_ENABLED = True


def _request(ip="203.0.113.9", forwarded=None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/en/requests/new/", **extra)


def test_the_limit_counts_posts_per_address(limits_on):
    scope = f"test-{uuid.uuid4()}"
    results = [rate_limited(_request(), scope=scope, limit=3, window_seconds=60) for _ in range(5)]

    assert results == [False, False, False, True, True]
    assert rate_limited(_request("198.51.100.1"), scope=scope, limit=3, window_seconds=60) is False


def test_a_spoofed_forwarded_header_is_ignored_without_trusted_proxies(limits_on, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    scope = f"test-{uuid.uuid4()}"
    for n in range(3):
        rate_limited(_request(forwarded=f"10.0.0.{n}"), scope=scope, limit=2, window_seconds=60)

    assert rate_limited(_request(forwarded="10.0.0.99"), scope=scope, limit=2, window_seconds=60)


def test_behind_one_trusted_proxy_the_forwarded_client_is_the_key(limits_on, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    scope = f"test-{uuid.uuid4()}"
    proxy = "192.0.2.1"
    for _ in range(2):
        rate_limited(_request(proxy, "203.0.113.5"), scope=scope, limit=2, window_seconds=60)

    assert rate_limited(_request(proxy, "203.0.113.5"), scope=scope, limit=2, window_seconds=60)
    assert not rate_limited(_request(proxy, "203.0.113.6"), scope=scope, limit=2, window_seconds=60)


def test_fails_open_when_redis_is_down(limits_on, settings, own_redis):
    settings.REDIS_URL = own_redis.url
    own_redis.stop()

    assert not any(
        rate_limited(_request(), scope="down", limit=1, window_seconds=60) for _ in range(5)
    )


def test_limits_are_off_unless_turned_on():
    assert not any(
        rate_limited(_request(), scope="off", limit=0, window_seconds=60) for _ in range(3)
    )
