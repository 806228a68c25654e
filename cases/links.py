"""Signed links a citizen gets by email: follow a case, stop update emails. No account needed."""

from __future__ import annotations

from core.links import SignedLink
from core.links import absolute as absolute  # for the emails

STATUS_LINK_MAX_AGE = 60 * 60 * 24 * 365 * 2  # two years: cases can stay open a long time
STATUS = SignedLink("cases.status-link", "request_status_link", max_age=STATUS_LINK_MAX_AGE)
UNSUBSCRIBE = SignedLink("cases.unsubscribe-updates", "request_unsubscribe")

status_token, reference_from_status_token, status_url = STATUS.functions
unsubscribe_token, reference_from_unsubscribe_token, unsubscribe_url = UNSUBSCRIBE.functions
