"""Reads for the citizen's pages (no account): the service list, one category, the receipt,
the status page, and what the receipt email repeats.

Texts stored in the database are translated here, in the active language, so templates and the
client-side search see exactly the same words the server-side ?q= filter matched.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import links, presenters
from cases import selectors as case_selectors
from cases.models import Case, ServiceCategory
from cases.presenters import PublicTimelineEntry
from cases.selectors import case_public_timeline, categories_public
from cases.sla import business_time
from cases.sla.engine import CalendarCache
from core.translated import translate


def search_fold(text: str) -> str:
    """Lower-case without accents: "Señal" and "senal" match (the script does the same)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class PublicCategory:
    category: ServiceCategory
    name: str
    description: str
    search_text: str

    @property
    def agency_slug(self) -> str:
        return self.category.agency.slug

    @property
    def code(self) -> str:
        return self.category.code


@dataclass
class PublicCategoryGroup:
    title: str
    agency_name: str
    categories: list[PublicCategory] = field(default_factory=list)


@dataclass
class PublicCatalogue:
    groups: list[PublicCategoryGroup]
    total: int  # public categories before the search filter
    shown: int
    several_agencies: bool


def _search_text(category: ServiceCategory) -> str:
    """Name and description in every language, the group and the keywords."""
    parts = [
        *(category.name or {}).values(),
        *(category.description or {}).values(),
        *(category.group or {}).values(),
        category.keywords.replace(",", " "),
    ]
    return search_fold(" ".join(p for p in parts if p))


def _matches(search_text: str, query: str) -> bool:
    return all(word in search_text for word in search_fold(query).split())


def categories_public_catalogue(query: str = "") -> PublicCatalogue:
    """Active public categories grouped by (agency, translated group), filtered by `query`."""
    categories = list(categories_public())
    several_agencies = len({c.agency_id for c in categories}) > 1
    groups: dict[tuple[int, str], PublicCategoryGroup] = {}
    shown = 0
    for category in categories:
        entry = PublicCategory(
            category=category,
            name=translate(category.name) or category.code,
            description=translate(category.description),
            search_text=_search_text(category),
        )
        if query and not _matches(entry.search_text, query):
            continue
        title = translate(category.group) or _("Other services")
        key = (category.agency_id, title)
        if key not in groups:
            groups[key] = PublicCategoryGroup(title=title, agency_name=category.agency.name)
        groups[key].categories.append(entry)
        shown += 1
    return PublicCatalogue(
        groups=list(groups.values()),
        total=len(categories),
        shown=shown,
        several_agencies=several_agencies,
    )


def category_public_get(agency_slug: str, code: str) -> ServiceCategory:
    """An active public category with its questions; 404 for anything else."""
    return get_object_or_404(
        categories_public().select_related("agency", "owning_team"),
        agency__slug=agency_slug,
        code=code,
    )


@dataclass(frozen=True)
class ExpectedResolution:
    """When the citizen may expect the request dealt with.

    `state`: "due" (by `day`), "late" (`day` has passed and the case is still open), "paused"
    (waiting for the citizen's reply: the SLA clock is stopped, there is no date until they
    answer) or "" (nothing to promise: resolved, closed, or a service without a target).
    """

    state: str = ""
    day: date | None = None

    @property
    def text(self) -> str:
        return presenters.expected_resolution_text(self.state, self.day)


def case_expected_resolution(case: Case, *, now: datetime | None = None) -> ExpectedResolution:
    """The resolution deadline as a business day of the case's SLA calendar, rounded up
    (`cases.sla.business_time.deadline_day`); reads the case's team, calendar and policy."""
    if case.status in (Case.Status.RESOLVED, Case.Status.CLOSED):
        return ExpectedResolution()
    has_target = bool(case.sla_policy_id and case.sla_policy.resolution_minutes)
    if case.status == Case.Status.WAITING_ON_CITIZEN:
        return ExpectedResolution("paused" if has_target else "")
    if case.resolution_due_at is None:
        return ExpectedResolution()
    calendar = CalendarCache().for_case(case)
    day = business_time.deadline_day(calendar, case.resolution_due_at)
    today = timezone.localtime(now or timezone.now(), calendar.tzinfo).date()
    return ExpectedResolution("late" if day < today else "due", day)


@dataclass(frozen=True)
class RequestSummary:
    """What the citizen reported, in words: the confirmation page, the receipt email and the
    status page repeat it (never the description or the contact details)."""

    service: str
    answers: list[tuple[str, str]]
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    photos: int

    @property
    def photos_text(self) -> str:
        return presenters.photo_count_text(self.photos)

    @property
    def has_location(self) -> bool:
        return bool(self.address) or self.latitude is not None


def case_request_summary(case: Case) -> RequestSummary:
    """Dates among the answers are in the agency's time zone. Photos: the images that came
    with the request (files staff attach later have an uploader)."""
    photos = case.attachments.filter(
        uploaded_by__isnull=True, content_type__startswith="image/"
    ).count()
    return RequestSummary(
        service=case.category.display_name,
        answers=presenters.case_answers(case, ZoneInfo(case.agency.timezone)),
        address=case.address,
        latitude=case.latitude,
        longitude=case.longitude,
        photos=photos,
    )


@dataclass(frozen=True)
class StatusPage:
    case: Case
    status: str  # in the citizen's words
    summary: RequestSummary
    expected: ExpectedResolution
    events: list[PublicTimelineEntry]


def case_status_page(case: Case) -> StatusPage:
    """Everything the citizen's status page shows about `case` (public events only)."""
    case = (
        Case.objects.select_related("category", "agency", "team__calendar", "sla_policy")
        .prefetch_related("category__attributes")
        .get(pk=case.pk)
    )
    return StatusPage(
        case=case,
        status=presenters.public_status_label(case.status),
        summary=case_request_summary(case),
        expected=case_expected_resolution(case),
        events=case_public_timeline(case),
    )


@dataclass(frozen=True)
class RequestReceipt:
    reference: str
    email_given: bool
    summary: RequestSummary | None = None
    expected: ExpectedResolution = ExpectedResolution()


def request_receipt(reference: str) -> RequestReceipt:
    """What the confirmation page says: the reference, whether an email was given, what was
    reported and when to expect an answer.

    A reference with no case behind it (a submission the honeypot caught and dropped) gets the
    same page without the summary: a bot learns nothing it did not send.
    """
    case = (
        Case.objects.select_related("category", "agency", "team__calendar", "sla_policy")
        .prefetch_related("category__attributes")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        return RequestReceipt(reference=reference, email_given=False)
    return RequestReceipt(
        reference=reference,
        email_given=bool(case.contact_email),
        summary=case_request_summary(case),
        expected=case_expected_resolution(case),
    )


@dataclass(frozen=True)
class NearbyReport:
    """An open report near a place, as another citizen may see it: its service, status, the
    day it was made and how far away; nothing about who made it or what they wrote."""

    token: str  # the signed status link's token: the way to follow it
    service: str
    status: str
    reported_on: date
    distance: str


NEARBY_REPORTS_SHOWN = 5


def nearby_reports(category: ServiceCategory, latitude: Any, longitude: Any) -> list[NearbyReport]:
    """Open reports of this service within POSSIBLE_DUPLICATE_METERS of the place, nearest
    first (cases.selectors.nearby_open_cases: an index scan)."""
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return []
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return []
    found = case_selectors.nearby_open_cases(
        category, latitude, longitude, settings.POSSIBLE_DUPLICATE_METERS
    ).only("reference", "status", "created_at", "latitude", "longitude")[:NEARBY_REPORTS_SHOWN]
    zone = ZoneInfo(category.agency.timezone)
    # "Waiting for your reply" speaks to the requester; to anyone else the work is under way.
    shown_status = {Case.Status.WAITING_ON_CITIZEN: Case.Status.IN_PROGRESS}
    return [
        NearbyReport(
            token=links.status_token(case.reference),
            service=category.display_name,
            status=presenters.public_status_label(shown_status.get(case.status, case.status)),
            reported_on=case.created_at.astimezone(zone).date(),
            distance=presenters.distance_text(case.distance_m),
        )
        for case in found
    ]
