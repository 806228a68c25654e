"""Signed links a citizen gets by email: follow a case, stop update emails. No account needed."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

STATUS_SALT = "cases.status-link"
UNSUBSCRIBE_SALT = "cases.unsubscribe-updates"
STATUS_LINK_MAX_AGE = 60 * 60 * 24 * 365 * 2  # two years: cases can stay open a long time


def status_token(reference: str) -> str:
    return signing.dumps(reference, salt=STATUS_SALT, compress=True)


def reference_from_status_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=STATUS_SALT, max_age=STATUS_LINK_MAX_AGE)
    except signing.BadSignature:
        return None


def unsubscribe_token(reference: str) -> str:
    return signing.dumps(reference, salt=UNSUBSCRIBE_SALT, compress=True)


def reference_from_unsubscribe_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def status_url(reference: str, language: str) -> str:
    with translation.override(language):
        return absolute(reverse("request_status_link", args=[status_token(reference)]))


def unsubscribe_url(reference: str, language: str) -> str:
    with translation.override(language):
        return absolute(reverse("request_unsubscribe", args=[unsubscribe_token(reference)]))
