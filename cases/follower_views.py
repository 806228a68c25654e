"""The citizen follower's one public page: stop following a request, from the secret link in
every follower email (no account, nothing typed). A GET asks (mail scanners follow links), a
POST stops. It names the request's reference and service only: nothing about its requester
or other followers."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases.follower_services import case_follower_unsubscribe, follower_for_token


@never_cache
@require_http_methods(["GET", "POST"])
def case_unfollow(request: HttpRequest, token: str) -> HttpResponse:
    follower = follower_for_token(token)
    if follower is None:
        raise Http404("This link is not valid.")
    if request.method == "POST":
        case_follower_unsubscribe(follower=follower)
        follower.refresh_from_db(fields=["unsubscribed_at"])
    response = render(
        request,
        "cases/follower_unfollow.html",
        {
            "reference": follower.case.reference,
            "category": follower.case.category.display_name,
            "done": follower.unsubscribed_at is not None,
        },
    )
    response["Cache-Control"] = "no-store"
    return response
