"""The cases' part of a subject access export (registered in CasesConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent
from cases.selectors import cases_visible
from citizens.subject_access import Section


def case_subject_access(citizen: Any, user: Any) -> list[Section]:
    """Every case of the citizen the caller's agency may read, with its whole timeline
    (internal notes included: the person is entitled to them) and its files' names."""
    cases = (
        cases_visible(user)
        .filter(citizen=citizen)
        .select_related("agency", "category", "team")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.order_by("created_at", "id")),
            "attachments",
        )
        .order_by("created_at", "id")
    )
    from cases.models import CaseFollower

    followed = (
        CaseFollower.objects.filter(citizen=citizen, case__in=cases_visible(user))
        .select_related("case__category")
        .order_by("created_at", "id")
    )
    sections = [Section(_("Cases"), [_case(case) for case in cases])]
    if followed:
        sections.append(Section(_("Cases followed"), [_followed(f) for f in followed]))
    return sections


def _followed(follower: Any) -> dict[str, Any]:
    return {
        "reference": follower.case.reference,
        "service": follower.case.category.display_name,
        "name": follower.name,
        "email": follower.email,
        "language": follower.language,
        "agrees_to_a_survey": follower.consent_surveys,
        "source": follower.source,
        "since": follower.created_at,
        "stopped_at": follower.unsubscribed_at,
    }


def _case(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "agency": case.agency.name,
        "service": case.category.display_name,
        "team": case.team.name if case.team_id else None,
        "status": case.status,
        "channel": case.channel,
        "created_at": case.created_at,
        "closed_at": case.closed_at,
        "description": case.description,
        "address": case.address,
        "latitude": case.latitude,
        "longitude": case.longitude,
        "answers": case.attributes,
        "reporter_name": case.reporter_name,
        "reporter_email": case.reporter_email,
        "resolution_code": case.resolution_code,
        "timeline": [
            {
                "at": event.created_at,
                "kind": event.kind,
                "text": event.body,
                "public": event.is_public,
            }
            for event in case.events.all()
        ],
        "files": [attachment.original_name for attachment in case.attachments.all()],
    }
