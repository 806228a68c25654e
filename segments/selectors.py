"""Who is in a segment. Membership is decided by the citizen record (shared) and by what the
segment's own agency holds: its cases, feedback and survey answers; another agency's records
never count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.models import Case
from citizens.models import Citizen
from core.geo import distance_metres, within_box_q
from core.scoping import get_scoped_object_or_404, scope_queryset
from feedback.models import FeedbackSubmission, SurveyInvitation
from segments.models import Segment

_ONE_DAY = timedelta(days=1)
DEFINITION_KEYS = (
    "languages",
    "postal_code",
    "city",
    "categories",
    "statuses",
    "channels",
    "case_from",
    "case_to",
    "near",
    "has_feedback",
    "answered_survey",
    "consent",
)


def segments_visible_to(user: Any) -> QuerySet[Segment]:
    return scope_queryset(Segment.objects.all(), user)


def segment_get(user: Any, *, pk: int) -> Segment:
    return get_scoped_object_or_404(Segment.objects.select_related("agency"), user, pk=pk)


def _day_start(value: str | date, zone: ZoneInfo) -> datetime:
    day = value if isinstance(value, date) else date.fromisoformat(value)
    return datetime.combine(day, time(0), tzinfo=zone)


def segment_members(*, agency: Any, definition: dict[str, Any]) -> QuerySet[Citizen]:
    """Live citizen records matching `definition` for `agency`, by name."""
    people = Citizen.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
    d = definition
    if d.get("languages"):
        people = people.filter(preferred_language__in=d["languages"])
    if d.get("postal_code"):
        people = people.filter(postal_code__istartswith=d["postal_code"].strip())
    if d.get("city"):
        people = people.filter(city__iexact=d["city"].strip())
    case_filter = Q()
    if d.get("categories"):
        case_filter &= Q(category_id__in=d["categories"])
    if d.get("statuses"):
        case_filter &= Q(status__in=d["statuses"])
    if d.get("channels"):
        case_filter &= Q(channel__in=d["channels"])
    zone = ZoneInfo(agency.timezone)
    if d.get("case_from"):
        case_filter &= Q(created_at__gte=_day_start(d["case_from"], zone))
    if d.get("case_to"):
        end = _day_start(d["case_to"], zone)
        case_filter &= Q(created_at__lt=end + _ONE_DAY)
    near = d.get("near") or {}
    if near:
        # A case of ours located within the distance of the point (citizen records hold no
        # coordinates; where they reported is what places them).
        case_filter &= within_box_q(near["latitude"], near["longitude"], near["metres"])
    if case_filter:
        cases = Case.objects.filter(case_filter, agency_id=agency.pk, citizen_id=OuterRef("pk"))
        if near:
            cases = cases.alias(
                distance=distance_metres(near["latitude"], near["longitude"])
            ).filter(distance__lte=near["metres"])
        people = people.filter(Exists(cases))
    if d.get("has_feedback"):
        people = people.filter(
            Exists(
                FeedbackSubmission.objects.filter(agency_id=agency.pk, citizen_id=OuterRef("pk"))
            )
        )
    if d.get("answered_survey"):
        people = people.filter(
            Exists(
                SurveyInvitation.objects.filter(
                    agency_id=agency.pk, citizen_id=OuterRef("pk"), answered_at__isnull=False
                )
            )
        )
    if d.get("consent") == "surveys":
        people = people.filter(consent_surveys=True)
    elif d.get("consent") == "contact":
        people = people.filter(consent_contact=True)
    return people.order_by("last_name", "first_name", "pk")


def latest_closed_case(segment: Segment, citizen: Citizen) -> Case | None:
    """The member's most recent closed case of the segment's agency (matching the segment's
    case filters when it has any): what a campaign's survey asks about."""
    d = segment.definition
    cases = Case.objects.filter(agency_id=segment.agency_id, citizen=citizen, status="closed")
    if d.get("categories"):
        cases = cases.filter(category_id__in=d["categories"])
    if d.get("channels"):
        cases = cases.filter(channel__in=d["channels"])
    return cases.select_related("citizen", "category", "agency").order_by("-closed_at").first()
