"""Tokens of GET tokens/{token}: a request's reference, signed.

Requests are created in real time (POST answers with the service_request_id, and the spec says a
server returns one or the other), so a token only ever stands for an existing request.
"""

from __future__ import annotations

from django.core import signing

# A signing salt, not a secret; kept from when the app lived in `cases`, so issued tokens work.
TOKEN_SALT = "cases.open311.token"  # noqa: S105


def request_token(reference: str) -> str:
    return signing.Signer(salt=TOKEN_SALT).sign(reference)


def reference_from_token(token: str) -> str | None:
    try:
        return signing.Signer(salt=TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
