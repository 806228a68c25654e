"""The signed unsubscribe link of outreach emails (core.links: never change the salt)."""

from core.links import SignedLink

UNSUBSCRIBE = SignedLink(
    salt="segments.outreach-unsubscribe", url_name="outreach_unsubscribe", value_type=int
)
unsubscribe_token, unsubscribe_citizen_id, unsubscribe_url = UNSUBSCRIBE.functions
