"""Subject access: everything the caller's agency holds on one citizen, as data.

Like the timeline, higher apps contribute sections through providers they register in their
AppConfig.ready() (`citizens` cannot import them):

    register_subject_access_provider(case_subject_access)  # (citizen, user) -> [Section]

A provider returns what the caller's agency holds (and may read), in full: texts, notes,
contact details. Other agencies' records are listed as counts (from the timeline providers),
so the person knows whom else to ask; never their content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.selectors import staff_agency
from citizens.models import Citizen
from citizens.selectors import citizen_consent_history, citizen_merged_records
from core.registry import Registry

PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "address_line1",
                   "address_line2", "city", "region", "postal_code", "preferred_language",
                   "preferred_channel", "consent_contact", "consent_contact_at",
                   "consent_surveys", "consent_surveys_at", "created_at", "updated_at",
                   "anonymised_at")  # fmt: skip


@dataclass
class Section:
    title: str
    records: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SubjectAccess:
    citizen_id: int
    generated_at: datetime
    generated_by: str
    agency: str
    sections: list[Section]
    other_agencies: list[dict[str, Any]]

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


SubjectAccessProvider = Callable[[Any, Any], list[Section]]
subject_access_providers: Registry[SubjectAccessProvider] = Registry("subject access providers")
register_subject_access_provider = subject_access_providers.register


def _record(citizen: Citizen) -> dict[str, Any]:
    return {"id": citizen.pk, **{name: getattr(citizen, name) for name in PERSONAL_FIELDS}}


def citizen_subject_access(*, citizen: Citizen, user: Any) -> SubjectAccess:
    """The export for `citizen` as `user`'s agency holds it (a read: the view audits it)."""
    from citizens.timeline import citizen_timeline

    sections = [
        Section(_("Citizen record"), [_record(citizen)]),
        Section(
            _("Consent history"),
            [
                {"kind": row.kind, "granted": row.granted, "at": row.at, "source": row.source}
                for row in citizen_consent_history(citizen=citizen)
            ],
        ),
        Section(
            _("Duplicate records merged into this one"),
            [_record(other) for other in citizen_merged_records(citizen=citizen)],
        ),
    ]
    for provider in subject_access_providers:
        sections.extend(provider(citizen, user))
    others = citizen_timeline(citizen=citizen, user=user).other_agencies
    agency = staff_agency(user)
    return SubjectAccess(
        citizen_id=citizen.pk,
        generated_at=timezone.now(),
        generated_by=user.get_username(),
        agency=agency.name if agency else "",
        sections=sections,
        other_agencies=[
            {"agency": other.agency_name, "what": other.label, "count": other.count}
            for other in others
        ],
    )
