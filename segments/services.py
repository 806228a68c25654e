"""Writers of segments: saving one, a survey campaign to its members, an outreach email to its
members. Each is atomic and audited; a campaign's audit row carries the segment's definition
and the counts."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.scoping import user_agency_id
from core.services import audit_record, email_enqueue
from feedback import selectors as feedback_selectors
from feedback.survey_services import survey_invite
from segments import links, selectors
from segments.models import Segment


def _as_text(definition: dict[str, Any]) -> str:
    return json.dumps(definition, sort_keys=True, ensure_ascii=False)


def _clean_definition(definition: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in definition.items() if k in selectors.DEFINITION_KEYS and v}


@transaction.atomic
def segment_create(*, name: str, definition: dict[str, Any], actor: Any) -> Segment:
    agency_id = user_agency_id(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the segment a name.")})
    if Segment.objects.filter(agency_id=agency_id, name=name).exists():
        raise ValidationError({"name": _("Your agency already has a segment with this name.")})
    segment = Segment.objects.create(
        agency_id=agency_id, name=name, created_by=actor, definition=_clean_definition(definition)
    )
    size = selectors.segment_members(agency=segment.agency, definition=segment.definition).count()
    audit_record(
        action="segment.created",
        obj=segment,
        actor=actor,
        agency_id=agency_id,
        changes={"definition": (None, _as_text(segment.definition)), "size": (None, size)},
    )
    return segment


@transaction.atomic
def segment_update(
    *, segment: Segment, name: str, definition: dict[str, Any], actor: Any
) -> Segment:
    """Rename a segment or change its filter; campaigns already sent keep the definition and
    count they were sent with (in their audit rows)."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the segment a name.")})
    taken = Segment.objects.filter(agency_id=segment.agency_id, name=name).exclude(pk=segment.pk)
    if taken.exists():
        raise ValidationError({"name": _("Your agency already has a segment with this name.")})
    before = (segment.name, _as_text(segment.definition))
    segment.name, segment.definition = name, _clean_definition(definition)
    segment.save(update_fields=["name", "definition"])
    size = selectors.segment_members(agency=segment.agency, definition=segment.definition).count()
    changes = {"size": (None, size)}
    if before[0] != segment.name:
        changes["name"] = (before[0], segment.name)
    if before[1] != _as_text(segment.definition):
        changes["definition"] = (before[1], _as_text(segment.definition))
    audit_record(action="segment.updated", obj=segment, actor=actor,
                 agency_id=segment.agency_id, changes=changes)  # fmt: skip
    return segment


@transaction.atomic
def segment_survey_campaign(
    *, segment: Segment, survey: Any, actor: Any, now: datetime | None = None
) -> Counter:
    """Invite the segment's members to `survey` about their latest closed case here, under
    the survey fatigue rules (consent, email, one invitation per case and survey, the
    recontact window: so one per person). Returns the counts, "invited" and each refusal."""
    now = now or timezone.now()
    if survey.agency_id != segment.agency_id or not survey.active:
        raise ValidationError({"survey": _("Choose an active survey of your agency.")})
    counts: Counter = Counter()
    members = selectors.segment_members(agency=segment.agency, definition=segment.definition)
    for citizen in members.iterator(chunk_size=500):
        case = selectors.latest_closed_case(segment, citizen)
        if case is None:
            counts["no closed case to ask about"] += 1
            continue
        refusal = feedback_selectors.invitation_refusal(case, survey=survey, now=now)
        if refusal is not None:
            counts[refusal] += 1
            continue
        if survey_invite(case=case, survey=survey, actor=actor, now=now) is not None:
            counts["invited"] += 1
    audit_record(
        action="segment.survey_campaign",
        obj=segment,
        actor=actor,
        agency_id=segment.agency_id,
        changes={
            "definition": (None, _as_text(segment.definition)),
            "survey": (None, survey.name),
            "members": (None, sum(counts.values())),
            **{k: (None, v) for k, v in counts.items()},
        },
    )
    return counts


@transaction.atomic
def segment_outreach_send(
    *, segment: Segment, subject: dict[str, str], body: dict[str, str], actor: Any
) -> Counter:
    """Email the members who agreed to be contacted, each in their language (the text in it,
    else the default language's), with a link to stop these emails; through the outbox."""
    default = settings.LANGUAGE_CODE
    if not (subject.get(default) or "").strip() or not (body.get(default) or "").strip():
        raise ValidationError(_("Write at least the subject and the message in English."))
    counts: Counter = Counter()
    members = selectors.segment_members(agency=segment.agency, definition=segment.definition)
    for citizen in members.iterator(chunk_size=500):
        if not citizen.consent_contact:
            counts["not agreed to be contacted"] += 1
            continue
        if not citizen.email:
            counts["no email address"] += 1
            continue
        language = citizen.preferred_language
        if not (subject.get(language) and body.get(language)):
            language = default
        with translation.override(language):
            footer = _(
                "You receive this because you agreed to be contacted by %(agency)s. "
                "To stop these emails: %(url)s"
            ) % {
                "agency": segment.agency.name,
                "url": links.unsubscribe_url(citizen.pk, language),
            }
        email_enqueue(
            to=[citizen.email],
            subject=subject[language].strip(),
            body=f"{body[language].strip()}\n\n--\n{footer}\n",
        )
        counts["sent"] += 1
    audit_record(
        action="segment.outreach_sent",
        obj=segment,
        actor=actor,
        agency_id=segment.agency_id,
        changes={
            "definition": (None, _as_text(segment.definition)),
            "subject": (None, subject[default]),
            "members": (None, sum(counts.values())),
            **{k: (None, v) for k, v in counts.items()},
        },
    )
    return counts
