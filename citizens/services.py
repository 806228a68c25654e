"""Writers of citizens: the only code that creates or changes a citizen record.

Every function is keyword-only, atomic, and writes one AuditEvent (with the acting staff
member's agency, so each agency reads its own actions on the shared record). Bad input raises
django.core.exceptions.ValidationError with a message for staff; nothing is half-written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, ForeignObjectRel, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citizens import normalise
from citizens.hooks import run_contact_changed_hooks
from citizens.models import (
    MERGE_FIELD_GROUPS,
    Citizen,
    ConsentKind,
    ConsentRecord,
    ConsentSource,
)
from citizens.selectors import citizen_with_contact, mergeable_relations
from core.scoping import user_agency_id
from core.services import audit_record, email_enqueue

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "preferred_language",
    "preferred_channel",
)


def _cleaned(data: Mapping[str, Any]) -> dict[str, Any]:
    """Trimmed strings, normalised email and phone; ValidationError on bad input."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable citizen fields: {sorted(unknown)}")
    cleaned = {
        key: (unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value)
        for key, value in data.items()
    }
    if "email" in cleaned:
        cleaned["email"] = normalise.normalise_email(cleaned["email"] or "")
    if "phone" in cleaned:
        try:
            cleaned["phone"] = normalise.normalise_phone(cleaned["phone"] or "")
        except normalise.InvalidPhoneNumber:
            raise ValidationError(
                {"phone": _("Enter a valid phone number, for example +1 312 555 0142.")}
            ) from None
    return cleaned


def _validate(citizen: Citizen) -> None:
    if not (citizen.first_name or citizen.last_name):
        raise ValidationError(_("Enter a first name or a last name."))
    citizen.refresh_derived_fields()
    citizen.clean_fields(exclude=["merged_into", "merged_by", "search_name", "address_key"])


def _locked(citizen: Citizen) -> Citizen:
    """A fresh copy of the row, locked until the end of the transaction; tombstones refused."""
    locked = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if locked.is_tombstone:
        raise ValidationError(
            _("This record was merged into record %(pk)s: change that one instead.")
            % {"pk": locked.merged_into_id}
        )
    return locked


def _apply_consent(
    citizen: Citizen,
    *,
    kind: str,
    granted: bool,
    source: str,
    actor: Any,
    at: datetime,
) -> ConsentRecord:
    """Set the flag and its timestamp on the (locked) citizen and append the history row."""
    setattr(citizen, f"consent_{kind}", granted)
    setattr(citizen, f"consent_{kind}_at", at)
    return ConsentRecord.objects.create(
        citizen=citizen,
        kind=kind,
        granted=granted,
        at=at,
        source=source,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def citizen_create(
    *,
    actor: Any,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    address_line1: str = "",
    address_line2: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    preferred_language: str = "",
    preferred_channel: str = "",
    consent_contact: bool | None = None,
    consent_surveys: bool | None = None,
    consent_source: str = ConsentSource.STAFF,
) -> Citizen:
    """Create a citizen record; consent given or refused now is recorded with its history.

    Duplicate detection is the caller's job before this (citizen_duplicate_candidates): a
    person may really share a name, an email or an address with someone else.
    """
    data = _cleaned(
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "phone": phone,
            "address_line1": address_line1,
            "address_line2": address_line2,
            "city": city,
            "region": region,
            "postal_code": postal_code,
            "preferred_channel": preferred_channel,
        }
    )
    citizen = Citizen(**data)
    if preferred_language:
        citizen.preferred_language = preferred_language
    _validate(citizen)
    citizen.save()
    now = timezone.now()
    changes: dict[str, tuple[Any, Any]] = {
        field: (None, getattr(citizen, field))
        for field in EDITABLE_FIELDS
        if getattr(citizen, field)
    }
    for kind, granted in (
        (ConsentKind.CONTACT, consent_contact),
        (ConsentKind.SURVEYS, consent_surveys),
    ):
        if granted is not None:
            _apply_consent(
                citizen, kind=kind, granted=granted, source=consent_source, actor=actor, at=now
            )
            changes[f"consent_{kind}"] = (None, granted)
    if consent_contact is not None or consent_surveys is not None:
        citizen.save(
            update_fields=[
                "consent_contact",
                "consent_contact_at",
                "consent_surveys",
                "consent_surveys_at",
            ]
        )
    audit_record(action="citizen.created", obj=citizen, actor=actor, changes=changes)
    return citizen


# --- requesters: who a request from outside comes from ----------------------------------------


@dataclass(frozen=True)
class RequesterMatch:
    """Who a requester is: `citizen`, a record made for them now (they matched nobody), or
    `suggested`, an existing record with the contact detail they gave. The detail is not proved
    (anyone can type an address), so a suggestion is never a link: staff confirm it, or the
    citizen does through the link emailed to that address. Both None: no name or no contact."""

    citizen: Citizen | None = None
    suggested: Citizen | None = None

    @property
    def created(self) -> bool:
        return self.citizen is not None


@transaction.atomic
def citizen_match_requester(
    *,
    actor: Any,
    source: str,
    name: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "",
    consent_surveys: bool | None = None,
) -> RequesterMatch:
    """Match a requester of the public form, an Open311 app or the feedback form to the
    citizen records (DESIGN.md "Matching requesters to citizens").

    - A live record with the email (else the phone): suggested, never linked, and nothing of
      it is changed (its consent neither: the person has not proved who they are).
    - Nobody: a new record with the name and contact details, and the answer to the survey
      question (`consent_surveys`, None when the channel did not ask) in its consent history
      with `source`. It is an ordinary record: the duplicate check and merge find it.
    - No email or phone, or no name: nothing (a record needs a name and a way to reach them).
    """
    if source not in ConsentSource.values:
        raise ValueError(f"unknown consent source {source!r}")
    if name and not (first_name or last_name):
        first_name, last_name = normalise.split_name(name)
    try:
        phone = normalise.normalise_phone(phone or "")
    except normalise.InvalidPhoneNumber:
        phone = ""  # kept as typed where the request keeps it; not a way to match or reach
    email = normalise.normalise_email(email or "")
    if not (email or phone):
        return RequesterMatch()
    found = citizen_with_contact(email=email, phone=phone)
    if found is not None:
        return RequesterMatch(suggested=found)
    if not ((first_name or "").strip() or (last_name or "").strip()):
        return RequesterMatch()
    citizen = citizen_create(
        actor=actor,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        preferred_language=language if language in dict(settings.LANGUAGES) else "",
        consent_surveys=consent_surveys,
        consent_source=source,
    )
    return RequesterMatch(citizen=citizen)


class CitizenChanged(ValidationError):
    """The record changed since the caller read it (API: 412 Precondition Failed)."""


@transaction.atomic
def citizen_update(
    *,
    citizen: Citizen,
    actor: Any,
    data: Mapping[str, Any],
    if_unchanged_since: datetime | None = None,
) -> Citizen:
    """Change contact data (EDITABLE_FIELDS). Returns the saved record; no change, no write.

    `if_unchanged_since` (the `updated_at` the caller read) is checked on the locked row, so
    a write that committed after the caller's read is never silently overwritten.
    """
    cleaned = _cleaned(data)
    citizen = _locked(citizen)
    if if_unchanged_since is not None and citizen.updated_at != if_unchanged_since:
        raise CitizenChanged(_("Someone changed this record since you read it: read it again."))
    changes = {
        field: (getattr(citizen, field), value)
        for field, value in cleaned.items()
        if getattr(citizen, field) != value
    }
    if not changes:
        return citizen
    for field, (_before, after) in changes.items():
        setattr(citizen, field, after)
    _validate(citizen)
    citizen.save(update_fields=list(changes))
    audit_record(action="citizen.updated", obj=citizen, actor=actor, changes=changes)
    run_contact_changed_hooks(citizen, user_agency_id(actor), changes, actor)
    _tell_previous_address(citizen, changes)
    return citizen


def _tell_previous_address(citizen: Citizen, changes: Mapping[str, tuple[Any, Any]]) -> None:
    """The email on file before a change hears of it (which fields, never the new values), so a
    record changed by someone else, or another agency, never redirects the person silently."""
    previous = changes["email"][0] if "email" in changes else citizen.email
    if not previous:
        return
    language = citizen.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "fields": [str(Citizen._meta.get_field(name).verbose_name) for name in changes],
            "email_changed": "email" in changes,
            "site_name": settings.SITE_NAME,
        }
        subject = render_to_string("emails/citizen_changed_subject.txt", context).strip()
        body = render_to_string("emails/citizen_changed_message.txt", context)
    email_enqueue(to=[previous], subject=subject, body=body)


@transaction.atomic
def citizen_consent_set(
    *,
    citizen: Citizen,
    kind: str,
    granted: bool,
    source: str,
    actor: Any = None,
    at: datetime | None = None,
) -> ConsentRecord:
    """Record consent given or withdrawn. Each statement is kept, even one that repeats.

    `actor` is the staff member recording it, or None when the citizen did it themselves
    (public form, unsubscribe link). An old link to a merged-away record applies to the
    record it was merged into: the person's wish counts, not which copy they had.
    """
    if kind not in ConsentKind.values:
        raise ValueError(f"unknown consent kind {kind!r}")
    if source not in ConsentSource.values:
        raise ValueError(f"unknown consent source {source!r}")
    target = Citizen.objects.select_for_update().get(pk=citizen.pk)
    while target.is_tombstone:
        target = Citizen.objects.select_for_update().get(pk=target.merged_into_id)
    before = getattr(target, f"consent_{kind}") if getattr(target, f"consent_{kind}_at") else None
    record = _apply_consent(
        target, kind=kind, granted=granted, source=source, actor=actor, at=at or timezone.now()
    )
    target.save(update_fields=[f"consent_{kind}", f"consent_{kind}_at"])
    audit_record(
        action="citizen.consent_set",
        obj=target,
        actor=actor if actor is not None else f"citizen #{target.pk} ({source})",
        changes={f"consent_{kind}": (before, granted), "consent_source": (None, source)},
    )
    return record


# --- merge ----------------------------------------------------------------------------------


def _move_relation(relation: ForeignObjectRel, *, source: Citizen, target: Citizen) -> int:
    """Point `relation`'s rows at `target` instead of `source`; returns the rows moved.

    - foreign key: every row is updated;
    - many-to-many: through rows move, except where `target` already has the same partner
      (that row of `source` is deleted, so no duplicate pair appears);
    - one-to-one: the row moves if `target` has none; otherwise `target` keeps its own and
      the row stays with the tombstone.
    """
    if relation.many_to_many:
        through = relation.through._base_manager
        to_citizen = relation.field.m2m_reverse_field_name()
        partner = relation.field.m2m_field_name()
        target_partners = through.filter(**{to_citizen: target.pk}).values(partner)
        through.filter(**{to_citizen: source.pk, f"{partner}__in": target_partners}).delete()
        return through.filter(**{to_citizen: source.pk}).update(**{to_citizen: target.pk})
    rows = relation.related_model._base_manager
    column = relation.field.attname
    source_value = getattr(source, relation.field_name)
    target_value = getattr(target, relation.field_name)
    if relation.one_to_one and rows.filter(**{column: target_value}).exists():
        return 0
    return rows.filter(**{column: source_value}).update(**{column: target_value})


@transaction.atomic
def citizen_merge(
    *,
    survivor: Citizen,
    other: Citizen,
    actor: Any,
    keep_from_other: Collection[str] = (),
) -> Citizen:
    """Merge `other` into `survivor`; `other` becomes a tombstone pointing at `survivor`.

    `keep_from_other` names the MERGE_FIELD_GROUPS whose value staff chose from `other`;
    every other field keeps the survivor's value. Every relation to Citizen moves to the
    survivor (see _move_relation), tombstones of `other` are re-pointed at the survivor so
    old links take one hop, and one AuditEvent records the before/after. All or nothing.
    """
    unknown = set(keep_from_other) - set(MERGE_FIELD_GROUPS)
    if unknown:
        raise ValueError(f"unknown merge field groups: {sorted(unknown)}")
    if survivor.pk == other.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    locked = {
        c.pk: c
        for c in Citizen.objects.select_for_update()
        .filter(pk__in=[survivor.pk, other.pk])
        .order_by("pk")
    }
    survivor, other = locked[survivor.pk], locked[other.pk]
    for citizen in (survivor, other):
        if citizen.is_tombstone:
            raise ValidationError(
                _("Record %(pk)s has already been merged into another record.") % {"pk": citizen.pk}
            )

    now = timezone.now()
    changes: dict[str, tuple[Any, Any]] = {}
    for group in keep_from_other:
        for field in MERGE_FIELD_GROUPS[group]:
            before, after = getattr(survivor, field), getattr(other, field)
            if before != after:
                changes[field] = (before, after)
                setattr(survivor, field, after)
    for kind in ConsentKind.values:
        flag, at = f"consent_{kind}", f"consent_{kind}_at"
        if (flag in changes or at in changes) and getattr(survivor, at) is not None:
            ConsentRecord.objects.create(
                citizen=survivor,
                kind=kind,
                granted=getattr(survivor, flag),
                at=now,
                source=ConsentSource.MERGE,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    _validate(survivor)
    survivor.save()

    moved = {}
    for relation in mergeable_relations():
        count = _move_relation(relation, source=other, target=survivor)
        if count:
            moved[relation.related_model._meta.label_lower] = count
    Citizen.objects.filter(merged_into=other).update(merged_into=survivor)

    other.merged_into, other.merged_at = survivor, now
    other.merged_by = actor if getattr(actor, "is_authenticated", False) else None
    other.save(update_fields=["merged_into", "merged_at", "merged_by"])

    changes["merged_from"] = (None, other.pk)
    if moved:
        changes["moved"] = (None, ", ".join(f"{label}: {n}" for label, n in sorted(moved.items())))
    audit_record(action="citizen.merged", obj=survivor, actor=actor, changes=changes)
    return survivor


# --- retention ------------------------------------------------------------------------------

ANONYMISED_NAME = "[anonymised]"
PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "address_line1", "address_line2",
                   "city", "region", "postal_code", "preferred_channel")  # fmt: skip


def citizens_anonymise(*, cutoff: datetime, dry_run: bool = False, batch: int = 500) -> int:
    """Remove the personal data of citizens untouched since `cutoff` once nothing that still
    keeps personal data refers to them (any related model with `anonymised_at` must have
    anonymised its rows: cases, feedback…; higher apps run their step first). The record
    stays as a nameless row so counts and links keep working; the audit history of the record
    loses its values (field names stay). Idempotent; each record is audited."""
    due = Citizen.objects.filter(anonymised_at__isnull=True, updated_at__lt=cutoff)
    for relation in mergeable_relations():
        model = relation.related_model
        if model is Citizen or not any(f.name == "anonymised_at" for f in model._meta.fields):
            continue
        still_kept = model._default_manager.filter(
            **{relation.field.name: OuterRef("pk"), "anonymised_at__isnull": True}
        )
        due = due.exclude(Exists(still_kept))
    due = due.order_by("id")
    if dry_run:
        return due.count()
    done = 0
    while ids := list(due.values_list("id", flat=True)[:batch]):
        with transaction.atomic():
            done += _anonymise_citizens(ids)
    return done


def _anonymise_citizens(ids: list[int]) -> int:
    from core.models import AuditEvent
    from core.retention import RETENTION_ACTOR
    from core.services import audit_record_many

    citizens = list(
        Citizen.objects.select_for_update(skip_locked=True).filter(pk__in=ids, anonymised_at=None)
    )
    now = timezone.now()
    for citizen in citizens:
        for name in PERSONAL_FIELDS:
            setattr(citizen, name, "")
        citizen.last_name = ANONYMISED_NAME
        citizen.anonymised_at = now
        citizen.save()  # derived fields (search name, address key) follow
    label = Citizen._meta.label_lower
    history = AuditEvent.objects.filter(
        object_type=label, object_id__in=[str(citizen.pk) for citizen in citizens]
    )
    for event in history:
        if event.changes:
            event.changes = dict.fromkeys(event.changes, "[removed]")
            event.save(update_fields=["changes"])
    audit_record_many(
        [
            {
                "action": "citizen.anonymised",
                "obj": citizen,
                "actor": RETENTION_ACTOR,
                "changes": {"personal_data": ("kept", "removed")},
            }
            for citizen in citizens
        ]
    )
    return len(citizens)


def citizen_subject_access_exported(*, citizen: Citizen, actor: Any, fmt: str) -> None:
    """Record that everything held on `citizen` was disclosed (a subject access export)."""
    audit_record(
        action="citizen.subject_access_exported",
        obj=citizen,
        actor=actor,
        changes={"format": (None, fmt)},
    )
