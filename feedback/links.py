"""Signed links in survey emails: answer the survey, stop surveys. No account needed.

A token names the invitation and is signed with the deployment's secret: changing one
character makes it worthless. It carries no expiry of its own; the invitation's state decides
(answered once, expired after SURVEY_EXPIRY_DAYS).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

SURVEY_SALT = "feedback.survey-link"
UNSUBSCRIBE_SALT = "feedback.survey-unsubscribe"


def survey_token(invitation_id: int) -> str:
    return signing.dumps(invitation_id, salt=SURVEY_SALT)


def invitation_id_from_survey_token(token: str) -> int | None:
    return _load(token, SURVEY_SALT)


def unsubscribe_token(invitation_id: int) -> str:
    return signing.dumps(invitation_id, salt=UNSUBSCRIBE_SALT)


def invitation_id_from_unsubscribe_token(token: str) -> int | None:
    return _load(token, UNSUBSCRIBE_SALT)


def _load(token: str, salt: str) -> int | None:
    try:
        value = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def survey_url(invitation_id: int, language: str) -> str:
    with translation.override(language):
        return absolute(reverse("survey", args=[survey_token(invitation_id)]))


def unsubscribe_url(invitation_id: int, language: str) -> str:
    with translation.override(language):
        return absolute(reverse("survey_unsubscribe", args=[unsubscribe_token(invitation_id)]))
