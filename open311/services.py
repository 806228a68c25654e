"""Writers of the Open311 adapter: API keys of client applications, and service requests.

A service request is an ordinary case (channel "open311") made by
`cases.citizen_services.case_create_for_requester`, with a citizen created from the contact
fields (a record with the same, unproved, email or phone is only suggested to staff); the whole
request is one transaction, so bad input writes nothing. Every change writes an AuditEvent.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from cases.citizen_services import Requester, case_create_for_requester
from cases.models import Case, ServiceCategory
from citizens.models import ConsentSource
from citizens.normalise import InvalidPhoneNumber, normalise_phone
from core.services import audit_record
from open311 import selectors
from open311.models import Open311Client

KEY_PREFIX = "o311_"
MAX_DESCRIPTION = 4000  # GeoReport v2: "free form text limited to 4,000 characters"
MAX_MEDIA_URL = 500


# --- API keys -------------------------------------------------------------------------------


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def open311_client_create(*, name: str, agency: Agency, actor: Any) -> tuple[Open311Client, str]:
    """A new client with a new key. Returns (client, raw key): show the key once, it is not kept."""
    raw = _new_key()
    client = Open311Client(
        name=(name or "").strip(),
        agency=agency,
        key_hash=selectors.key_hash(raw),
        key_prefix=raw[: len(KEY_PREFIX) + 6],
    )
    client.full_clean()
    client.save()
    audit_record(
        action="open311_client.created", obj=client, actor=actor, agency_id=agency.pk,
        changes={"name": (None, client.name), "key_prefix": (None, client.key_prefix)},
    )  # fmt: skip
    return client, raw


@transaction.atomic
def open311_client_revoke(*, client: Open311Client, actor: Any) -> Open311Client:
    """Switch the key off for good (a new key means a new client); revoking twice is a no-op."""
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    if not client.active:
        return client
    client.active = False
    client.revoked_at = timezone.now()
    client.save(update_fields=["active", "revoked_at"])
    audit_record(
        action="open311_client.revoked", obj=client, actor=actor, agency_id=client.agency_id,
        changes={"active": (True, False)},
    )  # fmt: skip
    return client


# --- service requests -----------------------------------------------------------------------


@dataclass(frozen=True)
class RequestContact:
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    device_id: str = ""
    account_id: str = ""
    # The extension parameter consent_survey: None when the app did not ask (the receipt
    # email then offers the question through a link).
    consent_surveys: bool | None = None


def _check_media_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > MAX_MEDIA_URL:
        raise ValidationError({"media_url": [f"Keep media_url under {MAX_MEDIA_URL} characters."]})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"media_url": ["media_url must be an http or https URL."]}) from None
    return url


def _phone_checked(contact: RequestContact) -> tuple[RequestContact, str]:
    """(contact, phone as given if it is not a number we can read). An app's optional phone
    in another format must not reject the whole report: it is kept as given and flagged."""
    if not contact.phone:
        return contact, ""
    try:
        normalise_phone(contact.phone)
    except InvalidPhoneNumber:
        return replace(contact, phone=""), contact.phone[:50]
    return contact, ""


def _flag_phone_as_given(case: Case, phone: str, actor: str) -> None:
    from cases.services import case_note_add

    case_note_add(
        case=case, actor=actor,
        body=_("Phone number from the app, kept as given (not a number we could read): %(phone)s")
        % {"phone": phone},
    )  # fmt: skip


@transaction.atomic
def open311_request_create(
    *,
    client: Open311Client,
    category: ServiceCategory,
    description: str,
    attributes: Mapping[str, Any],
    contact: RequestContact,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    media_url: str = "",
    media_urls: Sequence[str] = (),
) -> Case:
    """File a service request from an Open311 client as a case of `category`. `media_urls`:
    every media_url the app sent (kept in order, shown to staff as links, never fetched).

    Raises ValidationError (keyed by field or attribute code) for bad input; nothing is kept.
    """
    if category.agency_id != client.agency_id:
        raise ValidationError("This key does not belong to the service's jurisdiction.")
    given = [media_url, *media_urls]
    media_urls = [url for url in (_check_media_url(url) for url in given) if url]
    media_url = media_urls[0] if media_urls else ""
    if contact.email:
        try:
            EmailValidator()(contact.email)
        except ValidationError:
            raise ValidationError({"email": ["Enter a valid email address."]}) from None
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {"description": [f"Keep the description under {MAX_DESCRIPTION} characters."]}
        )
    actor = f"open311:{client.name}"
    contact, phone_as_given = _phone_checked(contact)
    # An app's email or phone is not proved: a record that has it is only suggested to staff;
    # nobody has it: a new record when there is a name (cases.citizen_services).
    requester = Requester(
        first_name=contact.first_name, last_name=contact.last_name, email=contact.email,
        phone=contact.phone, consent_surveys=contact.consent_surveys,
    )  # fmt: skip
    case = case_create_for_requester(
        requester=requester,
        source=ConsentSource.OPEN311,
        category=category,
        # The spec makes description optional; a case needs one, so the service names it.
        description=description or category.display_name or category.code,
        channel=Case.Channel.OPEN311,
        actor=actor,
        attributes=attributes,
        address=address,
        latitude=latitude,
        longitude=longitude,
        media_url=media_url,
        media_urls=media_urls,
        address_public=True,  # an app's report is public by the app's own terms
    )
    if phone_as_given:
        _flag_phone_as_given(case, phone_as_given, actor)
    citizen = case.citizen
    now = timezone.now()
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
    audit_record(
        action="open311.request_created", obj=case, actor=actor, agency_id=case.agency_id,
        changes={
            "client": (None, client.name),
            "media_url": (None, " ".join(media_urls) or None),
            "device_id": (None, contact.device_id or None),
            "account_id": (None, contact.account_id or None),
            "citizen": (None, citizen.pk if citizen is not None else None),
        },
    )  # fmt: skip
    return case
