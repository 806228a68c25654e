"""The guard of public POSTs (no account): a rate limit per address, then the honeypot.

Every public form that files something from an anonymous person (a request, feedback) passes
its POST through `public_post_refusal` before reading it. The survey needs its signed
single-use link instead. The status look-up counts only failed tries (a person who gets it
right is never held up) and, like Open311's POSTs, refuses with `too_many_requests`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.ratelimit import rate_limited

logger = logging.getLogger(__name__)

HONEYPOT = "website"  # the field of templates/core/_honeypot.html


def public_post_refusal(
    request: HttpRequest, form, *, scope: str, page: Callable[..., HttpResponse],
    decoy: Callable[[], HttpResponse],
) -> HttpResponse | None:  # fmt: skip
    """The answer that ends a public form's POST before it is read, or None to go on.

    - More than RATELIMIT_PUBLIC_FORMS posts from this address in the window: `page(form,
      too_many=minutes)`, the form again as typed (not judged: nothing was read) with a notice,
      as a 429 with Retry-After.
    - The honeypot filled: `decoy()`, what success looks like, having stored nothing.
    """
    if rate_limited(
        request,
        scope=scope,
        limit=settings.RATELIMIT_PUBLIC_FORMS,
        window_seconds=settings.RATELIMIT_WINDOW_SECONDS,
    ):
        form.as_typed()
        minutes = max(1, settings.RATELIMIT_WINDOW_SECONDS // 60)
        return too_many_requests(page(form, too_many=minutes))
    if (request.POST.get(HONEYPOT) or "").strip():
        logger.info("%s: a post dropped by the honeypot", scope)
        return decoy()
    return None


def too_many_requests(response: HttpResponse) -> HttpResponse:
    """A refusal for sending too often: 429, and when to try again."""
    response.status_code = 429
    response["Retry-After"] = str(settings.RATELIMIT_WINDOW_SECONDS)
    return response
