"""Writers of who a case's requester is: staff confirming a suggested citizen record, and a
case's contact following a change of the shared record made by the case's own agency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Case
from cases.search import search_text_append
from cases.services import CaseRuleError, _audit, _lock
from core.services import audit_record_many


@transaction.atomic
def case_link_citizen(*, case: Case, citizen: Any, actor: Any) -> Case:
    """Staff confirm that the requester is this citizen (e.g. the record suggested because it
    has the email the report gave): the case joins the record and its 360° view."""
    case = _lock(case)
    if case.citizen_id is not None:
        raise CaseRuleError(_("This case is already linked to a citizen record."))
    if citizen.is_tombstone or citizen.anonymised_at is not None:
        raise CaseRuleError(_("That citizen record can no longer be used."))
    case.citizen = citizen
    case.suggested_citizen = None
    case.save(update_fields=["citizen", "suggested_citizen", "updated_at"])
    search_text_append(case.pk, citizen.full_name)
    _audit(case, "case.citizen_linked", actor, {"citizen": (None, citizen.pk)})
    return case


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
