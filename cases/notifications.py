"""Emails to citizens about their case, in their language, through the outbox.

Called by services inside their transaction: the email is an outbox row that commits (or rolls
back) with the change, and is sent once after the commit.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from cases import links
from cases.models import Case
from cases.presenters import status_label
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
            "status": status_label(case.status),  # the status page's words (cases.presenters)
            "status_url": links.status_url(case.reference, language),
            "unsubscribe_url": links.unsubscribe_url(case.reference, language),
            "agency": case.agency,
            "site_name": settings.SITE_NAME,
            **(receipt_requester_links(case, language) if kind == "received" else {}),
        }
        subject = render_to_string("emails/case_subject.txt", context).strip()
        text = render_to_string("emails/case_message.txt", context)
        html = render_to_string("emails/case_message.html", context)
    email_enqueue(to=[to], subject=subject, body=text, html=html)
    return True


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
