"""Emails to citizens about their case, in their language, through the outbox.

Called by services inside their transaction: the email is an outbox row that commits (or rolls
back) with the change, and is sent once after the commit.
"""

from __future__ import annotations

from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from cases import links
from cases.models import Case
from cases.presenters import public_status_label
from cases.public.selectors import case_expected_resolution, case_request_summary
from core.services import email_enqueue

KINDS = {"received", "update", "status"}


def case_email_language(case: Case) -> str:
    if case.citizen_id and case.citizen.preferred_language:
        return case.citizen.preferred_language
    return case.language or settings.LANGUAGE_CODE


def case_notify_citizen(*, case: Case, kind: str, body: str = "") -> bool:
    """Queue an email about `case`; False if there is nobody to tell or they opted out of
    updates (the receipt of a new case always goes: it carries the reference)."""
    assert kind in KINDS
    to = case.contact_email
    if not to or (case.updates_opted_out and kind != "received"):
        return False
    language = case_email_language(case)
    with translation.override(language):
        context = {
            "case": case,
            "kind": kind,
            "body": body,
            "category": case.category.display_name,
            "status": public_status_label(case.status),  # the status page's words
            "status_url": links.status_url(case.reference, language),
            "unsubscribe_url": links.unsubscribe_url(case.reference, language),
            "agency": case.agency,
            "site_name": settings.SITE_NAME,
            "link_years": links.STATUS_LINK_YEARS,
            **(receipt_requester_links(case, language) if kind == "received" else {}),
        }
        if kind == "received":
            context["receipt"] = _receipt(case)
        subject = render_to_string("emails/case_subject.txt", context).strip()
        text = render_to_string("emails/case_message.txt", context)
        html = render_to_string("emails/case_message.html", context)
    email_enqueue(to=[to], subject=subject, body=text, html=html, **_reply_headers(case, kind))
    return True


def _reply_headers(case: Case, kind: str) -> dict:
    """Our Message-ID, kept for the case (a reply naming it in In-Reply-To lands there), and
    the signed reply-to address of the agency's inbound email, when it has one."""
    from cases.hooks import reply_address_for
    from cases.models import CaseEmail

    message_id = make_msgid(domain=_message_id_domain())
    CaseEmail.objects.create(case=case, message_id=message_id, kind=kind)
    return {"headers": {"Message-ID": message_id}, "reply_to": reply_address_for(case)}


def _message_id_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def _receipt(case: Case) -> dict:
    """What the receipt repeats, as the confirmation page says it (dates among the answers in
    the agency's time zone). Rendered now, in the transaction that creates the case: what is
    attached to the case after `case_create` returns is not counted."""
    return {
        "summary": case_request_summary(case),
        "expected": case_expected_resolution(case),
    }


def receipt_requester_links(case: Case, language: str) -> dict[str, str]:
    """The receipt's own links about the requester (a small block of its own in the email):
    - "Is this you? Add this request to your record" when the record suggested for the case
      has the address the receipt goes to: a click proves the address
      (cases.citizen_services.case_confirm_citizen_by_link);
    - "May we email you a short survey?" when nobody asked: the request's channel did not,
      and the citizen's record (if any) has no answer yet."""
    found: dict[str, str] = {}
    to = (case.contact_email or "").strip().lower()
    if not to:
        return found
    suggested = case.suggested_citizen if case.citizen_id is None else None
    if suggested is not None and suggested.email == to:
        found["citizen_confirm_url"] = links.citizen_confirm_url(
            [case.reference, suggested.pk, to], language
        )
    answered = case.citizen_id is not None and case.citizen.consent_surveys_at is not None
    if case.consent_surveys is None and not answered:
        found["survey_consent_url"] = links.survey_consent_url(case.reference, language)
    return found
