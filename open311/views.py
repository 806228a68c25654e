"""The Open311 GeoReport v2 endpoints (/open311/v2/…), XML or JSON by the URL's suffix.

Views parse the spec's parameters, call a selector or service and render; every failure is the
spec's error list in the requested format: 400 bad or missing input, 403 api_key missing,
unknown, revoked or of another jurisdiction, 404 unknown jurisdiction, service or request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from agencies.models import Agency
from cases.models import ServiceCategory
from open311 import selectors, serializers, services, tokens
from open311.renderers import render, render_errors

MAX_WINDOW = timedelta(days=90)  # GeoReport v2: a date range "may not span more than 90 days"
ATTRIBUTE_PARAM = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# Our field names in validation errors → the parameter the client sent.
PARAM_NAMES = {"latitude": "lat", "longitude": "long", "address": "address_string",
               "reporter_email": "email", "reporter_name": "first_name"}  # fmt: skip


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)


def endpoint(*methods: str) -> Callable:
    """Method check, no caching, and Open311Error → the error list in the requested format.

    CSRF does not apply (an API of api_keys, not a browser form): a POST to a resource that
    only answers GET gets the spec's 405 error list, not Django's HTML CSRF page, which
    clients such as FixMyStreet report as a bad key.
    """
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: Callable) -> Callable:
        @never_cache
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = render_errors(fmt, 405, [f"Method {request.method} is not allowed."])
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return render_errors(fmt, exc.status, exc.descriptions)

        return csrf_exempt(wrapper)

    return decorate


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the form body (POST) or the query string; empty = not given."""
    value = request.POST.get(name) if request.method == "POST" else None
    if value is None:
        value = request.GET.get(name)
    return (value or "").strip()


def _jurisdiction(request: HttpRequest) -> Agency:
    slug = _param(request, "jurisdiction_id")
    if slug:
        agency = selectors.jurisdiction_get(slug)
        if agency is None:
            raise Open311Error(404, f"jurisdiction_id '{slug}' was not found.")
        return agency
    agency = selectors.jurisdiction_only()
    if agency is not None:
        return agency
    if selectors.jurisdiction_count() == 0:
        raise Open311Error(404, "No jurisdiction is configured on this server.")
    raise Open311Error(
        400, "jurisdiction_id was not provided: this endpoint serves several jurisdictions."
    )


# --- discovery and services -----------------------------------------------------------------


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    slug = _param(request, "jurisdiction_id")
    agency = _jurisdiction(request) if slug else selectors.jurisdiction_only()
    contact = "Contact the agency that runs this service."
    if agency is not None:
        ways = [w for w in (agency.contact_email, agency.contact_phone) if w]
        contact = f"{agency.name}: {', '.join(ways)}" if ways else agency.name
    data = serializers.discovery(
        changeset=selectors.services_changeset(),
        contact=contact,
        production=settings.PRODUCTION,
    )
    return render(fmt, "discovery", data)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    agency = _jurisdiction(request)
    entries = [serializers.service_entry(c) for c in selectors.services_for(agency)]
    return render(fmt, "services", entries)


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    agency = _jurisdiction(request)
    category = selectors.service_get(agency, service_code)
    if category is None:
        raise Open311Error(404, f"service_code '{service_code}' was not found.")
    return render(fmt, "service_definition", serializers.service_definition(category))


# --- requests -------------------------------------------------------------------------------


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt)
    agency = _jurisdiction(request)
    ids = _list_param(request, "service_request_id")
    if ids:  # "This overrides all other arguments."
        cases = selectors.requests_by_ids(agency, ids)
    else:
        cases = selectors.requests_search(agency, _request_query(request))
    return render(fmt, "service_requests", [serializers.request_entry(c) for c in cases])


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    agency = _jurisdiction(request)
    case = selectors.request_get(agency, service_request_id)
    if case is None:
        raise Open311Error(404, f"service_request_id '{service_request_id}' was not found.")
    return render(fmt, "service_requests", [serializers.request_entry(case)])


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    agency = _jurisdiction(request)
    reference = tokens.reference_from_token(token)
    case = selectors.request_get(agency, reference) if reference else None
    if case is None:
        raise Open311Error(404, f"token '{token}' was not found.")
    return render(fmt, "service_requests", [serializers.token_entry(case, token)])


@endpoint("GET", "POST")
def not_found(request: HttpRequest, fmt: str) -> HttpResponse:
    raise Open311Error(404, "There is no such Open311 resource.")


@csrf_exempt
def not_found_any(request: HttpRequest, path: str) -> HttpResponse:
    """Anything else under /open311/v2/: a 404 error list (JSON if the path asks for it)."""
    return not_found(request, fmt="json" if path.endswith(".json") else "xml")


def _list_param(request: HttpRequest, name: str) -> list[str]:
    return [item.strip() for item in _param(request, name).split(",") if item.strip()]


def _date_param(request: HttpRequest, name: str) -> datetime | None:
    text = _param(request, name)
    if not text:
        return None
    try:
        parsed = parse_datetime(text.replace(" ", "+"))  # an unescaped "+" arrives as a space
        if parsed is None:
            day = parse_date(text)
            parsed = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(400, f"{name} must be a W3C date-time, e.g. 2010-01-01T00:00:00Z.")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _request_query(request: HttpRequest) -> selectors.RequestQuery:
    start, end = _date_param(request, "start_date"), _date_param(request, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_WINDOW
    if end is None:
        end = start + MAX_WINDOW
    if end < start:
        raise Open311Error(400, "end_date must not be before start_date.")
    if end - start > MAX_WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days.")
    statuses = tuple(s.lower() for s in _list_param(request, "status"))
    wrong = [s for s in statuses if s not in ("open", "closed")]
    if wrong:
        raise Open311Error(400, f"status must be open or closed, not '{wrong[0]}'.")
    return selectors.RequestQuery(
        start=start,
        end=end,
        service_codes=tuple(_list_param(request, "service_code")),
        statuses=statuses,
    )


# --- POST requests --------------------------------------------------------------------------


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    from open311.updates import post_refused  # per client key (or address without one)

    refused = post_refused(request, fmt)
    if refused:
        return refused
    agency = _jurisdiction(request)
    client = selectors.client_for_key(_param(request, "api_key"))
    if client is None:
        raise Open311Error(403, "Missing or invalid api_key: cannot create the request.")
    if client.agency_id != agency.pk:
        raise Open311Error(403, "This api_key is not valid for this jurisdiction_id.")
    service_code = _param(request, "service_code")
    if not service_code:
        raise Open311Error(400, "service_code was not provided.")
    category = selectors.service_get(agency, service_code)
    if category is None:
        raise Open311Error(404, f"service_code '{service_code}' was not found.")
    latitude, longitude = _location(request)
    contact = services.RequestContact(
        email=_param(request, "email"),
        phone=_param(request, "phone"),
        first_name=_param(request, "first_name")[:100],
        last_name=_param(request, "last_name")[:100],
        device_id=_param(request, "device_id")[:200],
        account_id=_param(request, "account_id")[:200],
        consent_surveys=_consent(request),
    )
    attributes = _attributes(request)
    try:
        case = services.open311_request_create(
            client=client,
            category=category,
            description=_param(request, "description"),
            attributes=attributes,
            contact=contact,
            address=_param(request, "address_string") or _address_id_text(request),
            latitude=latitude,
            longitude=longitude,
            media_urls=_media_urls(request),
        )
    except ValidationError as exc:
        raise Open311Error(400, *_error_descriptions(exc, category, attributes)) from None
    return render(fmt, "service_requests", [serializers.created_entry(case, contact.account_id)])


CONSENT_VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _consent(request: HttpRequest) -> bool | None:
    """The extension parameter consent_survey: did the reporter agree to a short survey by
    email after the request is closed? Absent: not asked (None)."""
    raw = _param(request, "consent_survey").lower()
    if not raw:
        return None
    if raw not in CONSENT_VALUES:
        raise Open311Error(400, "consent_survey must be true or false.")
    return CONSENT_VALUES[raw]


MAX_MEDIA_URLS = 10


def _media_urls(request: HttpRequest) -> list[str]:
    """Every media_url given (an app may send one per photo), in order, empty ones skipped."""
    source = request.POST if request.method == "POST" and "media_url" in request.POST else None
    values = (source or request.GET).getlist("media_url")
    urls = [value.strip() for value in values if value.strip()]
    if len(urls) > MAX_MEDIA_URLS:
        raise Open311Error(400, f"Send at most {MAX_MEDIA_URLS} media_url values.")
    return urls


def _address_id_text(request: HttpRequest) -> str:
    address_id = _param(request, "address_id")
    return f"address_id {address_id}" if address_id else ""


def _coordinate(request: HttpRequest, name: str, limit: int) -> Decimal | None:
    text = _param(request, name)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not -limit <= value <= limit:
        raise Open311Error(400, f"{name} must be a number between -{limit} and {limit}.")
    return value.quantize(Decimal("0.000001"))


def _location(request: HttpRequest) -> tuple[Decimal | None, Decimal | None]:
    latitude = _coordinate(request, "lat", 90)
    longitude = _coordinate(request, "long", 180)
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, "lat and long must be sent together.")
    if latitude is None and not (
        _param(request, "address_string") or _param(request, "address_id")
    ):
        raise Open311Error(
            400, "A location is required: lat and long, address_string or address_id."
        )
    return latitude, longitude


def _attributes(request: HttpRequest) -> dict[str, Any]:
    """attribute[code]=value, and attribute[code][]=value repeated for a multi-value list."""
    values: dict[str, Any] = {}
    for key, items in request.POST.lists():
        match = ATTRIBUTE_PARAM.match(key)
        if match is None:
            continue
        code, many = match.group(1), bool(match.group(2))
        if many:
            previous = values.get(code, [])
            values[code] = [*(previous if isinstance(previous, list) else [previous]), *items]
        else:
            values[code] = items[-1] if len(items) == 1 else list(items)
    return values


def _error_descriptions(
    exc: ValidationError, category: ServiceCategory, attributes: dict[str, Any]
) -> list[str]:
    """One description per message, naming the parameter (attribute[code] for answers)."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    codes = {definition.code for definition in category.attributes.all()} | set(attributes)
    descriptions = []
    for field, errors in exc.message_dict.items():
        name = f"attribute[{field}]" if field in codes else PARAM_NAMES.get(field, field)
        if field == "__all__":
            descriptions += errors
            continue
        descriptions += [f"{name}: {message}" for message in errors]
    return descriptions
