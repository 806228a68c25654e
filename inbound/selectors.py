"""Reads of inbound email: routed addresses, the signed reply address of a case, and which
case a reply answers."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable

from django.utils.crypto import salted_hmac

from cases.models import Case, CaseEmail, ServiceCategory
from inbound.models import InboundAddress

UNCLASSIFIED_CODE = "to-be-classified"  # each agency's placeholder service for email cases
REPLY_SALT = "inbound.reply-address"  # part of addresses already sent: never change it
REPLY_TAG = re.compile(r"^(?P<reference>crm-\d{4}-[0-9a-z]{6})\.(?P<signature>[0-9a-f]{16})$")
REFERENCE_IN_TEXT = re.compile(r"\bCRM-\d{4}-[0-9A-HJKMNP-TV-Z]{6}\b", re.IGNORECASE)


def addresses_active() -> list[InboundAddress]:
    return list(InboundAddress.objects.filter(active=True).select_related("agency", "team"))


def address_route(recipients: Iterable[str]) -> InboundAddress | None:
    """The active routed address among these recipients (a +tag is ignored), first one wins."""
    wanted = [_base(r) for r in recipients if r]
    if not wanted:
        return None
    found = {
        a.address: a
        for a in InboundAddress.objects.filter(address__in=wanted, active=True).select_related(
            "agency", "team"
        )
    }
    return next((found[w] for w in wanted if w in found), None)


def _base(address: str) -> str:
    local, _at, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def reply_signature(reference: str) -> str:
    return salted_hmac(REPLY_SALT, reference.upper()).hexdigest()[:16]


def reply_address_for(case: Case) -> str | None:
    """address+<reference>.<signature>@domain of the agency's inbound email (the case's team's
    address first), or None when the agency receives no email here."""
    addresses = InboundAddress.objects.filter(agency_id=case.agency_id, active=True)
    chosen = addresses.filter(team_id=case.team_id).first() or addresses.first()
    if chosen is None:
        return None
    local, _at, domain = chosen.address.rpartition("@")
    return f"{local}+{case.reference.lower()}.{reply_signature(case.reference)}@{domain}"


def case_from_reply_address(recipients: Iterable[str]) -> Case | None:
    """The case whose signed reply address is among the recipients (a forged one is not)."""
    for recipient in recipients:
        local = (recipient or "").strip().lower().rpartition("@")[0]
        _base_local, plus, tag = local.partition("+")
        match = REPLY_TAG.match(tag) if plus else None
        if match is None:
            continue
        reference = match["reference"].upper()
        if hmac.compare_digest(match["signature"], reply_signature(reference)):
            case = Case.objects.filter(reference=reference).first()
            if case is not None:
                return case
    return None


def case_from_message_ids(message_ids: Iterable[str]) -> Case | None:
    """The case of an email we sent whose Message-ID the reply names (In-Reply-To/References)."""
    ids = [m for m in message_ids if m]
    if not ids:
        return None
    sent = CaseEmail.objects.filter(message_id__in=ids).select_related("case").last()
    return sent.case if sent is not None else None


def references_in(text: str) -> set[str]:
    return {m.upper() for m in REFERENCE_IN_TEXT.findall(text or "")}


def unclassified_category(agency_id: int) -> ServiceCategory | None:
    """The agency's "to be classified" service, where email cases wait for an agent."""
    return ServiceCategory.objects.filter(
        agency_id=agency_id, code=UNCLASSIFIED_CODE, active=True
    ).first()
