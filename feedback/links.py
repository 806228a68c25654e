"""Signed links in survey emails: answer the survey, stop surveys. No account needed.

A token names the invitation (its id) and carries no expiry of its own; the invitation's
state decides (answered once, expired after SURVEY_EXPIRY_DAYS).
"""

from __future__ import annotations

from core.links import SignedLink
from core.links import absolute as absolute  # for the emails

SURVEY = SignedLink("feedback.survey-link", "survey", value_type=int, compress=False)
UNSUBSCRIBE = SignedLink(
    "feedback.survey-unsubscribe", "survey_unsubscribe", value_type=int, compress=False
)

survey_token, invitation_id_from_survey_token, survey_url = SURVEY.functions
unsubscribe_token, invitation_id_from_unsubscribe_token, unsubscribe_url = UNSUBSCRIBE.functions
