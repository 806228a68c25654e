"""Reads of citizens: search, duplicate candidates, the 360° view, the merge preview."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    ForeignObjectRel,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Least
from django.utils import formats
from django.utils.translation import gettext

from citizens import normalise
from citizens.models import MERGE_FIELD_GROUPS, MERGE_GROUP_LABELS, Citizen, ConsentRecord
from core.scoping import get_scoped_object_or_404, scope_queryset

# --- search ---------------------------------------------------------------------------------


def citizens_visible(*, user: Any) -> QuerySet[Citizen]:
    """Live citizen records (no tombstones) the user may see: all of them, for staff."""
    return scope_queryset(Citizen.objects.filter(merged_into__isnull=True), user)


def citizens_search(*, user: Any, query: str) -> QuerySet[Citizen]:
    """Citizens matching `query`, best first. Every branch is answered from an index.

    - text with "@": exact (normalised) email;
    - text that is a phone number: exact E.164 phone;
    - anything else: fuzzy name. `%` (trigram similarity ≥ 0.3) catches typos in full names
      ("jonh smith"), `%>` (word similarity ≥ 0.6) catches a part of a name ("garcia" in
      "maria jose garcia lopez"). Both use the GIN trigram index on the accent-folded
      `search_name`, so "Muñoz" finds "Munoz" and word order does not matter.
    """
    query = (query or "").strip()
    citizens = citizens_visible(user=user).filter(anonymised_at__isnull=True)
    if not query:
        return citizens.none()
    if "@" in query:
        return citizens.filter(email=normalise.normalise_email(query)).order_by(
            "last_name", "first_name", "pk"
        )
    if normalise.looks_like_phone(query):
        try:
            phone = normalise.normalise_phone(query)
        except normalise.InvalidPhoneNumber:
            return citizens.none()
        return citizens.filter(phone=phone).order_by("last_name", "first_name", "pk")
    folded = normalise.fold(query)
    return (
        citizens.filter(
            Q(search_name__trigram_similar=folded) | Q(search_name__trigram_word_similar=folded)
        )
        .annotate(
            word_similarity=TrigramWordSimilarity(folded, "search_name"),
            similarity=TrigramSimilarity("search_name", folded),
        )
        .order_by("-word_similarity", "-similarity", "pk")
    )


def citizens_recent(*, user: Any, limit: int = 25) -> QuerySet[Citizen]:
    """Most recently changed live records (the search page before anything is typed)."""
    return citizens_visible(user=user).order_by("-updated_at")[:limit]


# --- duplicates -----------------------------------------------------------------------------

# Score of a duplicate candidate, 0 to 100:
#   60 * trigram similarity of the folded full names (0 to 1; word order, accents ignored)
# + 30 if the same email, + 30 if the same phone, + 15 if the same postal address
#   (first line without punctuation + postal code), capped at 100.
# A candidate scoring LIKELY_DUPLICATE_SCORE or more is shown before a record is created.
# So: a near-identical name alone (similarity ≥ 0.5, e.g. "Jonh Smith"/"John Smith" = 0.57)
# flags; the same email or phone alone flags; a shared address alone does not.
NAME_WEIGHT = 60
EMAIL_BONUS = 30
PHONE_BONUS = 30
ADDRESS_BONUS = 15
LIKELY_DUPLICATE_SCORE = 30


def duplicate_score(
    *, name_similarity: float, same_email: bool, same_phone: bool, same_address: bool
) -> int:
    """The formula above, for explanations and tests (the query computes the same in SQL)."""
    raw = (
        NAME_WEIGHT * name_similarity
        + EMAIL_BONUS * same_email
        + PHONE_BONUS * same_phone
        + ADDRESS_BONUS * same_address
    )
    return round(min(100.0, raw))


@dataclass(frozen=True)
class DuplicateCandidate:
    citizen: Citizen
    score: int
    name_similarity: float
    same_email: bool
    same_phone: bool
    same_address: bool


def citizen_duplicate_candidates(
    *,
    user: Any,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    address_line1: str = "",
    postal_code: str = "",
    exclude_pk: int | None = None,
    min_score: int = LIKELY_DUPLICATE_SCORE,
    limit: int = 10,
) -> list[DuplicateCandidate]:
    """Live records that may be the same person as the given data, best first (one query).

    Rows are found through indexes (trigram `%` on the name, exact email, phone and address
    key) and scored in the database with the formula above.
    """
    name = normalise.search_name(first_name, last_name)
    email = normalise.normalise_email(email)
    try:
        phone = normalise.normalise_phone(phone)
    except normalise.InvalidPhoneNumber:
        phone = ""
    address = normalise.address_key(address_line1, postal_code)

    found = Q(search_name__trigram_similar=name) if name else Q(pk__in=[])
    if email:
        found |= Q(email=email)
    if phone:
        found |= Q(phone=phone)
    if address:
        found |= Q(address_key=address)
    candidates = citizens_visible(user=user).filter(found)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)

    def exact(field: str, value: str, bonus: int) -> Case:
        if not value:
            return Value(0.0)
        return Case(When(**{field: value}, then=Value(float(bonus))), default=Value(0.0))

    def flag(field: str, value: str) -> ExpressionWrapper | Value:
        if not value:
            return Value(False)
        return ExpressionWrapper(Q(**{field: value}), output_field=BooleanField())

    name_similarity = TrigramSimilarity("search_name", name) if name else Value(0.0)
    rows = (
        candidates.annotate(
            name_similarity=ExpressionWrapper(name_similarity, output_field=FloatField()),
            same_email=flag("email", email),
            same_phone=flag("phone", phone),
            same_address=flag("address_key", address),
        )
        .annotate(
            raw_score=Least(
                Value(100.0),
                NAME_WEIGHT * F("name_similarity")
                + exact("email", email, EMAIL_BONUS)
                + exact("phone", phone, PHONE_BONUS)
                + exact("address_key", address, ADDRESS_BONUS),
                output_field=FloatField(),
            )
        )
        .filter(raw_score__gte=min_score - 0.5)  # the score shown is rounded
        .order_by("-raw_score", "pk")[:limit]
    )
    return [
        DuplicateCandidate(
            citizen=row,
            score=round(row.raw_score),
            name_similarity=row.name_similarity,
            same_email=row.same_email,
            same_phone=row.same_phone,
            same_address=row.same_address,
        )
        for row in rows
    ]


def citizen_duplicates_to_confirm(
    *, user: Any, data: Mapping[str, Any], seen: Collection[int], create_anyway: bool
) -> list[DuplicateCandidate]:
    """The possible duplicates a person must look at before a new record is made (the one rule
    of intake and the new-citizen page): every candidate, unless all of them were shown and
    "create anyway" was ticked. A candidate that appeared since (after an edit) asks again."""
    keys = ("first_name", "last_name", "email", "phone", "address_line1", "postal_code")
    candidates = citizen_duplicate_candidates(
        user=user, **{key: data.get(key) or "" for key in keys}
    )
    unseen = {c.citizen.pk for c in candidates} - set(seen)
    return candidates if candidates and (unseen or not create_anyway) else []


def citizen_duplicates_of(
    *, user: Any, citizen: Citizen, limit: int = 10
) -> list[DuplicateCandidate]:
    """Possible duplicates of an existing record (the 360° page's on-demand panel)."""
    return citizen_duplicate_candidates(
        user=user,
        first_name=citizen.first_name,
        last_name=citizen.last_name,
        email=citizen.email,
        phone=citizen.phone,
        address_line1=citizen.address_line1,
        postal_code=citizen.postal_code,
        exclude_pk=citizen.pk,
        limit=limit,
    )


# --- one record -----------------------------------------------------------------------------


def citizen_get_for_view(*, user: Any, pk: int) -> Citizen:
    """The record with this id, tombstone or not (404 if the user may not see it)."""
    return get_scoped_object_or_404(Citizen.objects.all(), user, pk=pk)


def citizen_survivor(citizen: Citizen) -> Citizen:
    """The live record a tombstone was merged into (itself for a live record)."""
    seen = {citizen.pk}
    while citizen.merged_into_id is not None:
        citizen = Citizen.objects.get(pk=citizen.merged_into_id)
        if citizen.pk in seen:  # a cycle cannot be written by citizen_merge; do not loop on one
            break
        seen.add(citizen.pk)
    return citizen


def citizen_with_contact(*, email: str = "", phone: str = "") -> Citizen | None:
    """The live record that has this email, else this phone (the oldest, if several share it):
    the person a requester's contact detail points at. None for no match or no detail."""
    email = normalise.normalise_email(email or "")
    try:
        phone = normalise.normalise_phone(phone or "")
    except normalise.InvalidPhoneNumber:
        phone = ""
    live = Citizen.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
    for field, value in (("email", email), ("phone", phone)):
        if value:
            found = live.filter(**{field: value}).order_by("pk").first()
            if found is not None:
                return found
    return None


def citizen_latest_consent(*, citizen: Citizen) -> dict[str, ConsentRecord]:
    """The latest consent statement of each kind (what the 360° page says where it came from)."""
    latest: dict[str, ConsentRecord] = {}
    for record in citizen.consent_records.order_by("-at", "-id"):
        latest.setdefault(record.kind, record)
    return latest


def citizen_consent_history(*, citizen: Citizen, limit: int | None = None) -> list[ConsentRecord]:
    records = citizen.consent_records.select_related("recorded_by").order_by("-at", "-id")
    return list(records[:limit] if limit else records)


def citizen_merged_records(*, citizen: Citizen) -> QuerySet[Citizen]:
    """Tombstones merged into this record, newest merge first."""
    return citizen.merged_from.select_related("merged_by").order_by("-merged_at", "-pk")


# --- merge preview --------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeFieldChoice:
    group: str
    label: str
    survivor_value: str
    other_value: str
    differs: bool


def merge_group_display(citizen: Citizen, group: str) -> str:
    """How a merge field group reads to staff, e.g. the address on one line."""
    if group == "address":
        return ", ".join(citizen.address_lines)
    if group == "phone":
        return citizen.phone_display
    if group in ("consent_contact", "consent_surveys"):
        granted, at = getattr(citizen, group), getattr(citizen, f"{group}_at")
        return consent_status_text(granted, at)
    if group in ("preferred_language", "preferred_channel"):
        return str(getattr(citizen, f"get_{group}_display")())
    return str(getattr(citizen, group))


def consent_status_text(granted: bool, at: Any) -> str:
    if at is None:
        return gettext("Not recorded")
    when = formats.date_format(at, "SHORT_DATETIME_FORMAT")
    if granted:
        return gettext("Given on %(when)s") % {"when": when}
    return gettext("Refused or withdrawn on %(when)s") % {"when": when}


def citizen_merge_preview(*, survivor: Citizen, other: Citizen) -> list[MergeFieldChoice]:
    """Every merge field group with both records' values and whether they differ."""
    rows = []
    for group, fields in MERGE_FIELD_GROUPS.items():
        differs = any(getattr(survivor, f) != getattr(other, f) for f in fields)
        rows.append(
            MergeFieldChoice(
                group=group,
                label=str(MERGE_GROUP_LABELS[group]),
                survivor_value=merge_group_display(survivor, group),
                other_value=merge_group_display(other, group),
                differs=differs,
            )
        )
    return rows


def mergeable_relations() -> list[ForeignObjectRel]:
    """Every relation pointing at Citizen, which a merge moves to the survivor.

    That is Citizen._meta.related_objects, plus foreign keys hidden with related_name="+"
    (which related_objects leaves out), minus the tombstone link itself (`merged_into`, which
    the merge rewrites on purpose) and minus the foreign keys of many-to-many through tables
    (their rows move with the many-to-many relation, without creating duplicate pairs).
    """
    relations = [
        field
        for field in Citizen._meta.get_fields(include_hidden=True)
        if field.is_relation and field.auto_created and not field.concrete
    ]
    throughs = {relation.through for relation in relations if relation.many_to_many}
    return [
        relation
        for relation in relations
        if not (relation.related_model is Citizen and relation.field.name == "merged_into")
        and (relation.many_to_many or relation.related_model not in throughs)
    ]


@dataclass(frozen=True)
class RelatedCount:
    label: str
    count: int


def citizen_related_counts(*, citizen: Citizen) -> list[RelatedCount]:
    """What a merge would move: rows of each relation to this citizen (one query each)."""
    counts = []
    for relation in mergeable_relations():
        model = relation.related_model
        if relation.many_to_many:
            count = relation.through._base_manager.filter(
                **{relation.field.m2m_reverse_field_name(): citizen.pk}
            ).count()
        else:
            count = model._base_manager.filter(**{relation.field.attname: citizen.pk}).count()
        if count:
            counts.append(RelatedCount(label=str(model._meta.verbose_name_plural), count=count))
    return counts
