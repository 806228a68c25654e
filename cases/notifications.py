"""Emails to citizens about their case, in their language, through the outbox.

Called by services inside their transaction: the email is an outbox row that commits (or rolls
back) with the change, and is sent once after the commit.
"""

from __future__ import annotations

from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from cases import links
from cases.models import Case
from cases.presenters import public_status_label
from cases.public.selectors import case_expected_resolution, case_request_summary
from core.services import email_enqueue

KINDS = {"received", "update", "status"}
FOLLOWERS_TOPIC = "cases.followers_notify"


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


def case_notify_followers(*, case: Case, event_id: int) -> bool:
    """Queue the emails to the case's citizen followers about one event (a status change, a
    public update): one outbox message for the event, handled by `followers_email_event`,
    which emails each follower once (CaseFollowerEmail is the key). False if nobody follows."""
    from cases.models import CaseFollower
    from core.services import outbox_enqueue

    following = CaseFollower.objects.filter(
        case=case, user__isnull=True, unsubscribed_at__isnull=True
    )
    if not following.exists():
        return False
    outbox_enqueue(topic=FOLLOWERS_TOPIC, payload={"event_id": event_id})
    return True


def followers_email_event(*, event_id: int) -> int:
    """The outbox handler's work: email every citizen follower of the event's case who has
    not had this event yet, in their own language; returns how many were emailed. Runs in the
    handler's transaction: the markers and the emails commit together, so a second run (a
    requeue, a worker killed after the commit) emails nobody again."""
    from cases.models import CaseEvent, CaseFollower, CaseFollowerEmail

    event = (
        CaseEvent.objects.select_related("case__category", "case__agency")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    case = event.case
    sent = 0
    followers = (
        CaseFollower.objects.filter(case=case, user__isnull=True, unsubscribed_at__isnull=True)
        .select_related("citizen")
        .order_by("id")
    )
    requester = "" if case.updates_opted_out else (case.contact_email or "").lower()
    for follower in followers:
        if follower.email == requester:  # the requester's own email says it already
            continue
        _marker, created = CaseFollowerEmail.objects.get_or_create(follower=follower, event=event)
        if not created:
            continue
        _email_follower(case, event, follower)
        sent += 1
    return sent


def follower_language(follower: Any) -> str:
    if follower.citizen_id and follower.citizen.preferred_language:
        return follower.citizen.preferred_language
    return follower.language or settings.LANGUAGE_CODE


def _email_follower(case: Case, event: Any, follower: Any) -> None:
    """One follower's email: the request's service and reference, what happened and the text
    written for the public, and their own link to stop following. Nothing about the requester
    or other followers."""
    from cases.models import CaseEvent
    from cases.presenters import event_public_summary

    language = follower_language(follower)
    with translation.override(language):
        kind = "update" if event.kind == CaseEvent.Kind.PUBLIC_UPDATE else "status"
        context = {
            "case": case,
            "kind": kind,
            "summary": event_public_summary(event, agency_name=case.agency.name),
            "body": event.body,
            "name": follower.name,
            "category": case.category.display_name,
            "status": public_status_label(case.status),
            "agency": case.agency,
            "site_name": settings.SITE_NAME,
            "unfollow_url": links.follower_unsubscribe_url(follower.token, language),
        }
        subject = render_to_string("emails/follower_subject.txt", context).strip()
        text = render_to_string("emails/follower_message.txt", context)
    email_enqueue(to=[follower.email], subject=subject, body=text)
