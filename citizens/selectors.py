"""Reads of citizens: search, duplicate candidates, the 360° view, the merge preview."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection, transaction
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
from citizens.models import (
    CITIZEN_TRIGRAM_SET_INDEX,
    MERGE_FIELD_GROUPS,
    MERGE_GROUP_LABELS,
    Citizen,
    ConsentRecord,
)
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


@dataclass(frozen=True)
class Person:
    """What the duplicate rule compares: the normalised keys of one person's data."""

    name: str
    email: str
    phone: str
    address: str

    @classmethod
    def of(cls, data: Mapping[str, str]) -> Person:
        try:
            phone = normalise.normalise_phone(data.get("phone") or "")
        except normalise.InvalidPhoneNumber:
            phone = ""
        return cls(
            name=normalise.search_name(data.get("first_name") or "", data.get("last_name") or ""),
            email=normalise.normalise_email(data.get("email") or ""),
            phone=phone,
            address=normalise.address_key(
                data.get("address_line1") or "", data.get("postal_code") or ""
            ),
        )


def name_trigrams(names: list[str]) -> list[frozenset[str]]:
    """pg_trgm's trigram set of each name (what `similarity` compares), from the database so
    accented and non-Latin names split exactly as it splits them."""
    if not names:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT show_trgm(n) FROM unnest(%s::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i",
            [names],
        )
        return [frozenset(row[0]) for row in cursor.fetchall()]


def trigram_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """pg_trgm's `similarity` on two trigram sets: shared / all."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _trigram_frequencies() -> dict[str, float]:
    """How common each trigram is among citizens' names (the planner's statistics on the
    trigram-set index); trigrams it does not list are rarer than any it does."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = %s",
            [CITIZEN_TRIGRAM_SET_INDEX],
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        return {}
    return dict(zip(row[0], row[1], strict=False))


def name_probe(trigrams: frozenset[str], frequencies: Mapping[str, float], min_similarity: float):
    """The fewest of a name's trigrams that every name at least `min_similarity` alike shares
    one of (prefix filtering): a name B that alike shares at least ceil(t·|A|) of A's |A|
    trigrams, so it holds one of any |A| - ceil(t·|A|) + 1 of them: the rarest are taken,
    whose index entries are short."""
    needed = math.ceil(min_similarity * len(trigrams) - 1e-9)
    size = len(trigrams) - max(needed, 1) + 1
    return sorted(trigrams, key=lambda t: (frequencies.get(t, 0.0), t))[:size]


# Each person's best candidates, scored in SQL by the formula above; {name} is the name
# branch: the trigram-set index probed with the rarest trigrams, or pg_trgm's `%`.
_MANY_SQL = """
SELECT v.i, c.id, c.raw_score, c.name_similarity, c.same_email, c.same_phone, c.same_address
FROM unnest(%(i)s::int[], %(name)s::text[], %(email)s::text[], %(phone)s::text[],
            %(address)s::text[], %(probe)s::text[]) AS v(i, name, email, phone, address, probe)
CROSS JOIN LATERAL (
    SELECT s.* FROM (
        SELECT c.id, m.sim AS name_similarity,
               coalesce(c.email = v.email, false) AS same_email,
               coalesce(c.phone = v.phone, false) AS same_phone,
               coalesce(c.address_key = v.address, false) AS same_address,
               least(100.0, %(name_weight)s * m.sim
                     + CASE WHEN c.email = v.email THEN %(email_bonus)s ELSE 0 END
                     + CASE WHEN c.phone = v.phone THEN %(phone_bonus)s ELSE 0 END
                     + CASE WHEN c.address_key = v.address THEN %(address_bonus)s ELSE 0 END
               ) AS raw_score
        FROM citizens_citizen c
        CROSS JOIN LATERAL (SELECT CASE WHEN v.name = '' THEN 0.0
                                   ELSE similarity(c.search_name, v.name) END AS sim) m
        -- Written so that no index serves it: the four branches below are the way in.
        WHERE coalesce(c.merged_into_id, 0) = 0
          AND ({name} OR c.email = v.email OR c.phone = v.phone OR c.address_key = v.address)
    ) s
    WHERE s.raw_score >= %(min_raw)s
    ORDER BY s.raw_score DESC, s.id
    LIMIT %(limit)s
) c
"""
_MANY_COLUMNS = ("i", "name", "email", "phone", "address", "probe")
_PROBE_BRANCH = "show_trgm(c.search_name) && string_to_array(v.probe, chr(31))"
_PERCENT_BRANCH = "c.search_name %% v.name"
# A probe whose trigrams are on more names than this goes through `%` instead (a common name:
# its rarest trigrams are common too, and `%` needs several of them at once).
PROBE_MAX_ROWS = 2000


def _citizen_count() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'citizens_citizen'::regclass")
        return max(float(cursor.fetchone()[0]), 0.0)


def citizen_duplicate_candidates_many(
    *,
    user: Any,
    people: list[Mapping[str, str]],
    min_score: int = LIKELY_DUPLICATE_SCORE,
    limit: int = 3,
) -> list[list[DuplicateCandidate]]:
    """`citizen_duplicate_candidates` for many people in two queries (a bulk import's chunk):
    the same candidates, scores and order for each.

    A name alone reaches `min_score` only at a similarity of (min_score - 0.5) / NAME_WEIGHT
    or more, so the name branch looks only for those, through the trigram-set index probed
    with each name's rarest trigrams (see name_probe); exact email, phone and address keys come
    from their own indexes, as in the single query."""
    keys = [Person.of(data) for data in people]
    trigrams = name_trigrams([k.name for k in keys])
    frequencies = _trigram_frequencies()
    # A trigram the statistics do not list: half the rarest listed (the planner's own guess).
    unlisted = min(frequencies.values(), default=0.0) / 2
    citizens_on_file = _citizen_count()
    min_similarity = (min_score - 0.5) / NAME_WEIGHT
    groups: dict[str, dict[str, list]] = {}
    for i, (key, grams) in enumerate(zip(keys, trigrams, strict=True)):
        probe = name_probe(grams, frequencies, min_similarity) if key.name else []
        reach = sum(frequencies.get(t, unlisted) for t in probe) * citizens_on_file
        branch = _PERCENT_BRANCH if reach > PROBE_MAX_ROWS else _PROBE_BRANCH
        columns = groups.setdefault(branch, {k: [] for k in _MANY_COLUMNS})
        for column, value in (("i", i), ("name", key.name), ("email", key.email or None),
                              ("phone", key.phone or None), ("address", key.address or None),
                              ("probe", chr(31).join(probe) or None)):  # fmt: skip
            columns[column].append(value)
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        # Compiling this query costs more than running it (about a second per chunk); and the
        # planner, not knowing how short a probe's index entries are, would scan the table
        # once per person.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for branch, columns in groups.items():
            cursor.execute(_MANY_SQL.format(name=branch), {
                **columns, "name_weight": NAME_WEIGHT, "email_bonus": EMAIL_BONUS,
                "phone_bonus": PHONE_BONUS, "address_bonus": ADDRESS_BONUS,
                "min_raw": min_score - 0.5, "limit": limit,
            })  # fmt: skip
            found += cursor.fetchall()
    scored: dict[int, list[tuple[float, int, float, bool, bool, bool]]] = {}
    for i, pk, raw, similarity, same_email, same_phone, same_address in found:
        scored.setdefault(i, []).append((raw, pk, similarity, same_email, same_phone,
                                         same_address))  # fmt: skip
    best = {i: sorted(rows, key=lambda r: (-r[0], r[1]))[:limit] for i, rows in scored.items()}
    wanted = {row[1] for rows in best.values() for row in rows}
    citizens = citizens_visible(user=user).in_bulk(wanted)
    return [
        [
            DuplicateCandidate(
                citizen=citizens[pk],
                score=round(raw),
                name_similarity=sim,
                same_email=e,
                same_phone=p,
                same_address=a,
            )
            for raw, pk, sim, e, p, a in best.get(i, [])
            if pk in citizens
        ]
        for i in range(len(keys))
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
