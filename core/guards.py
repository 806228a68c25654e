"""The guard of public POSTs (no account): rate limits, then the honeypot.

Every public form that files something from an anonymous person (a request, feedback, a
walk-in check-in) passes its POST through `public_post_refusal` before reading it, and calls
`public_post_accepted` once it has stored what was sent. What counts towards the limits is
what abuse looks like: accepted posts and honeypot hits. A person who gets a field wrong and
tries again is never held up by their own mistakes.

- Per address: RATELIMIT_PUBLIC_FORMS counted posts per RATELIMIT_PUBLIC_FORMS_WINDOW_SECONDS,
  generous, because a library PC or a mobile carrier puts many people behind one address.
- Per email address given in the form: RATELIMIT_PUBLIC_FORMS_PER_EMAIL accepted posts in the
  same window (one person filing again and again, from whatever address).

The survey needs its signed single-use link instead. The status look-up counts only failed
tries and, like Open311's POSTs, refuses with `too_many_requests`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core import ratelimit

logger = logging.getLogger(__name__)

HONEYPOT = "website"  # the field of templates/core/_honeypot.html


def _email(request: HttpRequest, email_field: str | None) -> str:
    if not email_field:
        return ""
    return (request.POST.get(email_field) or "").strip().lower()[:254]


def _limit(request: HttpRequest, scope: str, email: str = "") -> dict:
    return {
        "scope": f"public-form:{scope}",
        "subjects": {"email": email} if email else {},
        "window_seconds": settings.RATELIMIT_PUBLIC_FORMS_WINDOW_SECONDS,
    }


def public_post_refusal(
    request: HttpRequest, form, *, scope: str, page: Callable[..., HttpResponse],
    decoy: Callable[[], HttpResponse], email_field: str | None = "contact_email",
) -> HttpResponse | None:  # fmt: skip
    """The answer that ends a public form's POST before it is read, or None to go on.

    - This address, or the email address typed in `email_field`, has reached its limit in
      the window: `page(form, too_many=minutes, too_many_reason="address"|"email")`, the form
      again with everything as typed (not judged: nothing was read) and a notice, as a 429
      with Retry-After. Nothing is counted for it.
    - The honeypot filled: counted against the address, then `decoy()`, what success looks
      like, having stored nothing.
    """
    email = _email(request, email_field)
    limits = {
        "address": settings.RATELIMIT_PUBLIC_FORMS,
        "email": settings.RATELIMIT_PUBLIC_FORMS_PER_EMAIL,
    }
    reached = ratelimit.failures_exceeded(request, limits=limits, **_limit(request, scope, email))
    if reached:
        form.as_typed()
        seconds = ratelimit.window_remaining(settings.RATELIMIT_PUBLIC_FORMS_WINDOW_SECONDS)
        minutes = max(1, -(-seconds // 60))
        response = page(form, too_many=minutes, too_many_reason=reached)
        return too_many_requests(response, retry_after=seconds)
    if (request.POST.get(HONEYPOT) or "").strip():
        logger.info("%s: a post dropped by the honeypot", scope)
        ratelimit.failures_record(request, **_limit(request, scope))
        return decoy()
    return None


def public_post_accepted(
    request: HttpRequest, *, scope: str, email_field: str | None = "contact_email"
) -> None:
    """Count an accepted post against the address and the email address it gave."""
    ratelimit.failures_record(request, **_limit(request, scope, _email(request, email_field)))


def too_many_requests(response: HttpResponse, retry_after: int | None = None) -> HttpResponse:
    """A refusal for sending too often: 429, and when to try again."""
    response.status_code = 429
    response["Retry-After"] = str(
        retry_after if retry_after is not None else settings.RATELIMIT_WINDOW_SECONDS
    )
    return response
