"""The GeoReport v2 updates extension that FixMyStreet uses (servicerequestupdates.{xml,json}).

GET: the status changes of published requests between start_date and end_date (at most 90
days apart; without them, the last 24 hours), oldest first. POST: a citizen's comment from the
app, authenticated by its api_key, lands on the case as a citizen reply, once per update_id.

POSTs with a valid key (here and for requests) are rate limited per client key
(RATELIMIT_OPEN311_POSTS_PER_CLIENT per RATELIMIT_WINDOW_SECONDS), not per address: one
FixMyStreet server posts for a whole city. Posts without a valid key count per address.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.guards import too_many_requests
from core.ratelimit import rate_limited, rate_limited_key
from open311 import selectors, update_selectors, update_services
from open311.models import Open311Client
from open311.renderers import render, render_errors
from open311.views import MAX_WINDOW, Open311Error, _date_param, _jurisdiction, _param, endpoint

DEFAULT_WINDOW = timedelta(hours=24)


def post_refused(request: HttpRequest, fmt: str) -> HttpResponse | None:
    """The 429 for a POST over its limit (per client key with a valid key, else per
    address), or None to go on."""
    client = selectors.client_for_key(_param(request, "api_key"))
    if client is not None:
        limited = rate_limited_key(
            scope="open311-post", key=f"client-{client.pk}",
            limit=settings.RATELIMIT_OPEN311_POSTS_PER_CLIENT,
            window_seconds=settings.RATELIMIT_WINDOW_SECONDS,
        )  # fmt: skip
        message = "Too many requests with this api_key; wait a while."
    else:
        limited = rate_limited(
            request, scope="open311-post", limit=settings.RATELIMIT_OPEN311_POSTS,
            window_seconds=settings.RATELIMIT_WINDOW_SECONDS,
        )  # fmt: skip
        message = "Too many requests from this address; wait a while."
    return too_many_requests(render_errors(fmt, 429, [message])) if limited else None


@endpoint("GET", "POST")
def service_request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _update_post(request, fmt)
    agency = _jurisdiction(request)
    start, end = _date_param(request, "start_date"), _date_param(request, "end_date")
    end = end or (start + DEFAULT_WINDOW if start else timezone.now())
    start = start or end - DEFAULT_WINDOW
    if end < start:
        raise Open311Error(400, "end_date must not be before start_date.")
    if end - start > MAX_WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days.")
    zone = ZoneInfo(agency.timezone)
    entries = [
        {
            "update_id": update.update_id,
            "service_request_id": update.case.reference,
            "status": update.status,
            "updated_datetime": update.at.astimezone(zone).isoformat(timespec="seconds"),
            "description": update.description,
            "media_url": None,
        }
        for update in update_selectors.updates_between(agency, start, end)
    ]
    return render(fmt, "service_request_updates", entries)


def _update_post(request: HttpRequest, fmt: str) -> HttpResponse:
    refused = post_refused(request, fmt)
    if refused:
        return refused
    agency = _jurisdiction(request)
    client: Open311Client | None = selectors.client_for_key(_param(request, "api_key"))
    if client is None:
        raise Open311Error(403, "Missing or invalid api_key: cannot post the update.")
    if client.agency_id != agency.pk:
        raise Open311Error(403, "This api_key is not valid for this jurisdiction_id.")
    reference = _param(request, "service_request_id")
    if not reference:
        raise Open311Error(400, "service_request_id was not provided.")
    case = update_selectors.update_case_get(agency, reference)
    if case is None:
        raise Open311Error(404, f"service_request_id '{reference}' was not found.")
    update = update_services.PostedUpdate(
        client_update_id=_param(request, "update_id") or _param(request, "update_id_ext"),
        description=_param(request, "description"),
        email=_param(request, "email")[:254],
        first_name=_param(request, "first_name")[:100],
        last_name=_param(request, "last_name")[:100],
        status=_param(request, "status")[:40],
        media_url=_param(request, "media_url"),
        updated_datetime=_param(request, "updated_datetime")[:40],
    )
    try:
        row, _created = update_services.open311_update_post(client=client, case=case,
                                                            update=update)  # fmt: skip
    except ValidationError as exc:
        descriptions = [
            f"{field}: {message}" if field != "__all__" else message
            for field, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items()
            for message in messages
        ]
        raise Open311Error(400, *descriptions) from None
    update_id = str(row.event_id or row.pk)
    return render(fmt, "service_request_updates", [{"update_id": update_id}])
