"""Our catalogue and cases as GeoReport v2 entries (plain data, rendered by `renderers`).

Request entries carry only what DESIGN.md "Publication" allows: service, status, dates, a
location (the street address only when the citizen gave it for publication, else coordinates
rounded to about 100 m), and status notes only from notes written for the public feed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from cases.models import AttributeDefinition, Case, ServiceCategory
from core.translated import translate
from open311.selectors import open311_status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def _datetime(value: datetime | None, timezone: str) -> str | None:
    """W3C date-time with the offset (the spec requires a time zone), in the agency's zone."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def service_entry(category: ServiceCategory) -> dict[str, Any]:
    keywords = [word.strip() for word in category.keywords.split(",") if word.strip()]
    return {
        "service_code": category.code,
        "service_name": translate(category.name) or category.code,
        "description": translate(category.description) or None,
        "metadata": bool(category.attributes.all()),
        "type": "realtime",
        "keywords": ", ".join(keywords) or None,
        "group": translate(category.group) or None,
    }


def attribute_entry(definition: AttributeDefinition, order: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "variable": definition.variable,
        "code": definition.code,
        "datatype": definition.datatype,
        "required": definition.required,
        # Clients show `description` as the question; our help text explains the answer.
        "datatype_description": translate(definition.description) or None,
        "order": order,  # unique and from 1, as the spec wants (ours may repeat or start at 0)
        "description": translate(definition.label) or definition.code,
    }
    if definition.datatype in (
        AttributeDefinition.Datatype.SINGLEVALUELIST,
        AttributeDefinition.Datatype.MULTIVALUELIST,
    ):
        entry["values"] = [{"key": key, "name": name} for key, name in definition.choices()]
    return entry


def service_definition(category: ServiceCategory) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            attribute_entry(definition, order)
            for order, definition in enumerate(category.attributes.all(), start=1)
        ],
    }


def public_description(case: Case) -> str | None:
    """GET is public: only text written for a public Open311 app is shown. What a citizen told
    an agent, wrote in an email or on our own form may hold personal details; it stays inside."""
    return case.description if case.channel == Case.Channel.OPEN311 else None


# Three decimals of a degree: about 110 m of latitude, enough to find the street, not the door.
PUBLIC_COORDINATE = Decimal("0.001")


def public_location(case: Case) -> tuple[str | None, float | None, float | None]:
    """(address, lat, long) as published: the exact place only when the citizen gave it for
    publication (an Open311 app's report, or ticked on our form); otherwise rounded."""
    if case.channel == Case.Channel.OPEN311 or case.address_public:
        return case.address or None, _float(case.latitude), _float(case.longitude)
    if case.latitude is None or case.longitude is None:
        return None, None, None
    return (
        None,
        float(Decimal(case.latitude).quantize(PUBLIC_COORDINATE)),
        float(Decimal(case.longitude).quantize(PUBLIC_COORDINATE)),
    )


def request_entry(case: Case) -> dict[str, Any]:
    timezone = case.agency.timezone
    closed = open311_status(case) == "closed"
    updated = (case.closed_at or case.resolved_at) if closed else None
    address, latitude, longitude = public_location(case)
    return {
        "service_request_id": case.reference,
        "status": open311_status(case),
        "status_notes": getattr(case, "public_status_notes", None) or None,
        "service_name": translate(case.category.name) or case.category.code,
        "service_code": case.category.code,
        "description": public_description(case),
        "agency_responsible": case.team.name if case.team_id else case.agency.name,
        "service_notice": None,
        "requested_datetime": _datetime(case.created_at, timezone),
        "updated_datetime": _datetime(updated or case.updated_at, timezone),
        "expected_datetime": _datetime(case.resolution_due_at, timezone) if not closed else None,
        "address": address,
        "address_id": None,
        "zipcode": None,
        "lat": latitude,
        "long": longitude,
        "media_url": case.media_url or None,
    }


def created_entry(case: Case, account_id: str = "") -> dict[str, Any]:
    return {
        "service_request_id": case.reference,
        "service_notice": None,
        "account_id": account_id or None,
    }


def token_entry(case: Case, token: str) -> dict[str, Any]:
    return {"service_request_id": case.reference, "token": token}


def discovery(*, changeset: datetime | None, contact: str, production: bool) -> dict[str, Any]:
    stamp = (
        changeset.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ") if changeset else ""
    )
    url = settings.SITE_URL + reverse("open311:discovery", kwargs={"fmt": "xml"}).rsplit("/", 1)[0]
    return {
        "changeset": stamp,
        "contact": contact,
        "key_service": "API keys are issued by the agency's administrators "
        "(Django admin: Open311 clients, or `manage.py open311_key create`).",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": stamp,
                "type": "production" if production else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
