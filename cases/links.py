"""Signed links a citizen gets by email: follow a case, stop update emails. No account needed."""

from __future__ import annotations

from core.links import SignedLink
from core.links import absolute as absolute  # for the emails

# The status link is the one way back for a requester who gave no email: it works for two
# years from when it was made (cases can stay open a long time; README says so).
STATUS_LINK_YEARS = 2
STATUS_LINK_MAX_AGE = 60 * 60 * 24 * 365 * STATUS_LINK_YEARS
STATUS = SignedLink("cases.status-link", "request_status_link", max_age=STATUS_LINK_MAX_AGE)
UNSUBSCRIBE = SignedLink("cases.unsubscribe-updates", "request_unsubscribe")

status_token, reference_from_status_token, status_url = STATUS.functions
unsubscribe_token, reference_from_unsubscribe_token, unsubscribe_url = UNSUBSCRIBE.functions
