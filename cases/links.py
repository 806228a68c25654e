"""Signed links a citizen gets by email: follow a case, stop update emails, add a request to
their record, agree to a survey. No account needed."""

from __future__ import annotations

from core.links import SignedLink
from core.links import absolute as absolute  # for the emails

STATUS_LINK_MAX_AGE = 60 * 60 * 24 * 365 * 2  # two years: cases can stay open a long time
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
