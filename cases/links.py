"""Links to a case: the signed ones a citizen gets by email (follow a case, stop update emails,
add a request to their record, agree to a survey; no account needed), and the staff case
page's path that notices and timelines point to."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from core.links import SignedLink
from core.links import absolute as absolute  # for the emails

# The status link is the one way back for a requester who gave no email: it works for two
# years from when it was made (cases can stay open a long time; README says so).
STATUS_LINK_YEARS = 2
STATUS_LINK_MAX_AGE = 60 * 60 * 24 * 365 * STATUS_LINK_YEARS
STATUS = SignedLink("cases.status-link", "request_status_link", max_age=STATUS_LINK_MAX_AGE)
UNSUBSCRIBE = SignedLink("cases.unsubscribe-updates", "request_unsubscribe")

# "Is this you? Add this request to your record": in the receipt, to the address the request
# gave, when a record has it. Carries [reference, citizen id, email]: the click proves the address.
CITIZEN_CONFIRM_MAX_AGE = 60 * 60 * 24 * 90
CITIZEN_CONFIRM = SignedLink(
    "cases.citizen-confirm", "request_citizen_confirm", value_type=list,
    max_age=CITIZEN_CONFIRM_MAX_AGE,
)  # fmt: skip
# "May we email you a short survey?": in the receipt of a request whose channel did not ask.
SURVEY_CONSENT = SignedLink(
    "cases.survey-consent", "request_survey_consent", max_age=STATUS_LINK_MAX_AGE
)

status_token, reference_from_status_token, status_url = STATUS.functions
citizen_confirm_token, citizen_confirm_value, citizen_confirm_url = CITIZEN_CONFIRM.functions
survey_consent_token, reference_from_survey_consent_token, survey_consent_url = (
    SURVEY_CONSENT.functions
)
unsubscribe_token, reference_from_unsubscribe_token, unsubscribe_url = UNSUBSCRIBE.functions


_STAFF_CASE_PATH: list[str] = []


def staff_case_url(reference: str) -> str:
    """The staff case page's path (the pattern is resolved once per process; settings without
    the staff pages, such as the benchmark's, get the standard path)."""
    if not _STAFF_CASE_PATH:
        try:
            _STAFF_CASE_PATH.append(reverse("cases:detail", kwargs={"reference": "CRM-MARKER"}))
        except NoReverseMatch:
            _STAFF_CASE_PATH.append("/staff/cases/CRM-MARKER/")
    return _STAFF_CASE_PATH[0].replace("CRM-MARKER", reference)


def follower_unsubscribe_url(token: str, language: str) -> str:
    """A citizen follower's own link to stop following (the secret token is the key: no
    account, no email typed)."""
    from django.utils import translation

    with translation.override(language):
        return absolute(reverse("case_unfollow", args=[token]))
