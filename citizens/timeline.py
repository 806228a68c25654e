"""The 360° view's timeline, assembled from providers that higher apps register.

`citizens` cannot import `cases` or `feedback` (DESIGN.md: lower apps never import higher
ones), so each of them registers a provider in its AppConfig.ready():

    from citizens.timeline import TimelineContribution, TimelineItem, register_timeline_provider

    def case_timeline(citizen, user) -> TimelineContribution:
        ...  # the caller's agency's cases as items; other agencies' only as counts
        return TimelineContribution(
            items=[TimelineItem(when=..., kind="case", title=..., detail=..., url=...)],
            other_agency_counts={agency_id: n, ...},
            label=gettext("Cases"),
        )

    register_timeline_provider(case_timeline)

A provider is called with (citizen, user) for the live record being viewed. It returns
content only for what `user` may open (their own agency's, or shared records); of another
agency's records it returns how many there are, never what they say.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext

from agencies.models import Agency
from citizens.models import ConsentKind
from citizens.selectors import citizen_consent_history, citizen_merged_records
from core.registry import Registry
from core.scoping import user_agency_id

TimelineProvider = Callable[[Any, Any], "TimelineContribution"]


@dataclass(frozen=True)
class TimelineItem:
    when: datetime
    kind: str  # machine name: "consent", "merge", "case", "feedback", …
    title: str
    detail: str = ""
    url: str | None = None
    kind_label: str = ""  # shown in the item's tag; the kind itself if empty


@dataclass(frozen=True)
class TimelineContribution:
    items: Sequence[TimelineItem] = ()
    other_agency_counts: Mapping[int, int] = field(default_factory=dict)  # agency id → count
    label: str = ""  # what the counts count, e.g. "Cases"


@dataclass(frozen=True)
class OtherAgencyCount:
    agency_id: int
    agency_name: str
    label: str
    count: int


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem]
    other_agencies: list[OtherAgencyCount]


timeline_providers_registry: Registry[TimelineProvider] = Registry("timeline providers")
register_timeline_provider = timeline_providers_registry.register
unregister_timeline_provider = timeline_providers_registry.unregister


def timeline_providers() -> tuple[TimelineProvider, ...]:
    return tuple(timeline_providers_registry)


def citizen_timeline(*, citizen: Any, user: Any) -> Timeline:
    """Every provider's items, newest first, and the other agencies' counts with their names."""
    own_agency = user_agency_id(user)
    items: list[TimelineItem] = []
    counts: dict[tuple[int, str], int] = {}
    for provider in timeline_providers_registry:
        contribution = provider(citizen, user)
        items.extend(contribution.items)
        for agency_id, count in contribution.other_agency_counts.items():
            if count and agency_id != own_agency:
                key = (agency_id, str(contribution.label))
                counts[key] = counts.get(key, 0) + count
    names = (
        dict(
            Agency.objects.filter(pk__in={agency_id for agency_id, _ in counts}).values_list(
                "pk", "name"
            )
        )
        if counts
        else {}
    )
    other_agencies = sorted(
        (
            OtherAgencyCount(
                agency_id=agency_id,
                agency_name=names.get(agency_id, ""),
                label=label,
                count=count,
            )
            for (agency_id, label), count in counts.items()
        ),
        key=lambda c: (c.agency_name, c.label),
    )
    items.sort(key=lambda item: item.when, reverse=True)
    return Timeline(items=items, other_agencies=other_agencies)


# --- the provider of citizens itself: consent changes and merges -----------------------------


def citizen_record_history(citizen: Any, user: Any) -> TimelineContribution:
    """Consent statements and merges: part of the shared record, so every agency sees them."""
    items = []
    for record in citizen_consent_history(citizen=citizen):
        if record.kind == ConsentKind.CONTACT:
            title = (
                gettext("Consent to contact given")
                if record.granted
                else gettext("Consent to contact refused or withdrawn")
            )
        else:
            title = (
                gettext("Consent to surveys given")
                if record.granted
                else gettext("Consent to surveys refused or withdrawn")
            )
        detail = str(record.get_source_display())
        if record.recorded_by is not None:
            detail = gettext("%(source)s, by %(user)s") % {
                "source": detail,
                "user": record.recorded_by.get_username(),
            }
        items.append(
            TimelineItem(
                when=record.at,
                kind="consent",
                title=title,
                detail=detail,
                kind_label=gettext("Consent"),
            )
        )
    for tombstone in citizen_merged_records(citizen=citizen):
        title = gettext("Record %(pk)s (%(name)s) merged into this record") % {
            "pk": tombstone.pk,
            "name": tombstone.full_name,
        }
        detail = (
            gettext("By %(user)s") % {"user": tombstone.merged_by.get_username()}
            if tombstone.merged_by is not None
            else ""
        )
        items.append(
            TimelineItem(
                when=tombstone.merged_at,
                kind="merge",
                title=title,
                detail=detail,
                kind_label=gettext("Merge"),
            )
        )
    return TimelineContribution(items=items)
