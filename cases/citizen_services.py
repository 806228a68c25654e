"""Writers of who a case's requester is: matching a requester from outside to the citizen
records, staff confirming, rejecting or choosing the record (or making one), the citizen
confirming through the link in the receipt, and a case's contact following a change of the
shared record made by the case's own agency.

DESIGN.md "Matching requesters to citizens": an email or phone the person has not proved never
links a case to an existing record by itself; it is a suggestion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cases import services
from cases.models import Case
from cases.search import search_text_append
from cases.services import CaseRuleError, _audit, _lock
from citizens import normalise
from citizens.models import ConsentKind, ConsentSource
from citizens.services import citizen_consent_set, citizen_create, citizen_match_requester
from core.services import audit_record_many

# Where a case's requester answered the survey question, by the case's channel.
CONSENT_SOURCES = {
    Case.Channel.WEB: ConsentSource.WEB,
    Case.Channel.OPEN311: ConsentSource.OPEN311,
}
CONFIRM_LINK_ACTOR = "citizen (link in the receipt email)"


def _consent_source_for(case: Case) -> str:
    return CONSENT_SOURCES.get(case.channel, ConsentSource.STAFF)


@dataclass(frozen=True)
class Requester:
    """Who a request from outside says it comes from, as typed (nothing of it is proved)."""

    name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    language: str = ""
    consent_surveys: bool | None = None  # None: the channel did not ask

    @property
    def full_name(self) -> str:
        return self.name.strip() or f"{self.first_name} {self.last_name}".strip()


@transaction.atomic
def case_create_for_requester(
    *, requester: Requester, source: str, actor: Any = None, **case_fields: Any
) -> Case:
    """A request from the public form or an Open311 app: the requester matched to the citizen
    records (a new record when nobody has the email or phone, else that record suggested) and
    the case, in one transaction. `case_fields` are case_create's. The place is checked first
    (services.case_location_check): required by the service, inside the agency's area."""
    services.case_location_check(
        category=case_fields["category"],
        address=case_fields.get("address", ""),
        latitude=case_fields.get("latitude"),
        longitude=case_fields.get("longitude"),
    )
    match = citizen_match_requester(
        actor=actor or f"citizen ({source})",
        source=source,
        name=requester.name,
        first_name=requester.first_name,
        last_name=requester.last_name,
        email=requester.email,
        phone=requester.phone,
        language=requester.language,
        consent_surveys=requester.consent_surveys,
    )
    return services.case_create(
        actor=actor,
        citizen=match.citizen,
        suggested_citizen=match.suggested,
        consent_surveys=requester.consent_surveys,
        reporter_email=requester.email,
        reporter_name=requester.full_name,
        language=requester.language or None,
        **case_fields,
    )


def _apply_requester_consent(case: Case, citizen: Any, *, new_record: bool) -> None:
    """The survey answer given with the request joins the citizen's consent history, dated
    when and sourced where it was given. On an existing record only a "yes" counts: a box
    left unticked on one request does not withdraw what the person said elsewhere."""
    if case.consent_surveys is None or not (case.consent_surveys or new_record):
        return
    citizen_consent_set(
        citizen=citizen, kind=ConsentKind.SURVEYS, granted=case.consent_surveys,
        source=_consent_source_for(case), at=case.created_at,
    )  # fmt: skip


def _link(case: Case, citizen: Any, actor: Any, action: str, *, new_record: bool = False) -> Case:
    """Link the (locked, unlinked) case to `citizen`: the case joins the record's 360° view."""
    if citizen.is_tombstone or citizen.anonymised_at is not None:
        raise CaseRuleError(_("That citizen record can no longer be used."))
    suggested = case.suggested_citizen_id
    case.citizen = citizen
    case.suggested_citizen = None
    case.save(update_fields=["citizen", "suggested_citizen", "updated_at"])
    search_text_append(case.pk, citizen.full_name)
    _apply_requester_consent(case, citizen, new_record=new_record)
    changes: dict[str, tuple[Any, Any]] = {"citizen": (None, citizen.pk)}
    if suggested is not None:
        changes["suggested_citizen"] = (suggested, None)
    _audit(case, action, actor, changes)
    return case


def _lock_unlinked(case: Case) -> Case:
    case = _lock(case)
    if case.citizen_id is not None:
        raise CaseRuleError(_("This case is already linked to a citizen record."))
    return case


@transaction.atomic
def case_link_citizen(*, case: Case, citizen: Any, actor: Any) -> Case:
    """Staff confirm who the requester is: the suggested record (it has the email or phone the
    request gave) or one they found ("link to…"). The case joins the record and its 360° view;
    the survey answer given with the request joins the record's consent history."""
    case = _lock_unlinked(case)
    return _link(case, citizen, actor, "case.citizen_linked")


@transaction.atomic
def case_reject_suggested_citizen(*, case: Case, actor: Any) -> Case:
    """Staff say the suggested record is not the requester (e.g. a shared family address): the
    suggestion goes; the case stays unlinked, for "link to…" or "create record"."""
    case = _lock_unlinked(case)
    if case.suggested_citizen_id is None:
        raise CaseRuleError(_("There is no suggested citizen record for this case now."))
    rejected = case.suggested_citizen_id
    case.suggested_citizen = None
    case.save(update_fields=["suggested_citizen", "updated_at"])
    _audit(case, "case.citizen_suggestion_rejected", actor, {"suggested_citizen": (rejected, None)})
    return case


@transaction.atomic
def case_create_citizen_for_requester(*, case: Case, actor: Any, data: Mapping[str, Any]) -> Case:
    """Staff make a new citizen record for the requester (from the details the request gave,
    as corrected) and link the case to it. The duplicate check is the caller's job first
    (citizens.selectors.citizen_duplicates_to_confirm), as for any new record.
    `data` takes citizens.services.citizen_create's contact fields."""
    case = _lock_unlinked(case)
    citizen = citizen_create(actor=actor, **data)
    return _link(case, citizen, actor, "case.citizen_created_and_linked", new_record=True)


@transaction.atomic
def case_confirm_citizen_by_link(*, case: Case, citizen_id: int, email: str) -> bool:
    """The citizen clicked "add this request to my record" in the receipt, which went to the
    address the request gave: they proved that address, so the case is linked to the suggested
    record that has it. Only while that still holds: the suggestion stands (staff did not
    reject it), the record still has this address and the case still mails it. True when the
    case is (now, or already) linked to that record."""
    case = _lock(case)
    if case.citizen_id is not None:
        return case.citizen_id == citizen_id
    email = normalise.normalise_email(email)
    citizen = case.suggested_citizen
    if (
        citizen is None
        or citizen.pk != citizen_id
        or not email
        or citizen.email != email
        or normalise.normalise_email(case.reporter_email) != email
        or citizen.is_tombstone
        or citizen.anonymised_at is not None
    ):
        return False
    _link(case, citizen, CONFIRM_LINK_ACTOR, "case.citizen_confirmed_by_citizen")
    return True


@transaction.atomic
def case_survey_consent_by_link(*, case: Case) -> bool:
    """The requester said yes to a survey through the link in the receipt (an Open311 app that
    did not ask). Kept on the case, and in the citizen's history when the case has a record.
    Only for a case whose requester was not asked; False if nothing changed."""
    case = _lock(case)
    if case.consent_surveys is not None:
        return False
    case.consent_surveys = True
    case.save(update_fields=["consent_surveys", "updated_at"])
    if case.citizen_id is not None:
        citizen_consent_set(
            citizen=case.citizen, kind=ConsentKind.SURVEYS, granted=True,
            source=ConsentSource.EMAIL_LINK,
        )  # fmt: skip
    _audit(case, "case.survey_consent_given", CONFIRM_LINK_ACTOR, {"consent_surveys": (None, True)})
    return True


# --- the shared citizen record changed --------------------------------------------------------


def cases_follow_contact_change(
    citizen: Any, agency_id: int | None, changes: Mapping[str, tuple[Any, Any]], actor: Any
) -> int:
    """A citizen's new email reaches the editing agency's own cases that used the old one;
    another agency's cases keep the address they were opened with (citizens.hooks). A new
    name is added to the search text of the citizen's cases."""
    if "first_name" in changes or "last_name" in changes:
        search_text_append(Case.objects.filter(citizen=citizen), citizen.full_name)
    if "email" not in changes or agency_id is None:
        return 0
    before, after = changes["email"]
    cases = list(
        Case.objects.filter(citizen=citizen, agency_id=agency_id, reporter_email=before or "").only(
            "pk", "agency_id"
        )
    )
    if not cases:
        return 0
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(reporter_email=after or "")
    audit_record_many(
        [{"action": "case.contact_changed", "obj": c, "actor": actor, "agency_id": c.agency_id,
          "changes": {"reporter_email": (before, after)}} for c in cases]
    )  # fmt: skip
    return len(cases)
