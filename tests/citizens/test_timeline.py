"""The timeline registry: providers of higher apps contribute items and other-agency counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from citizens.services import citizen_consent_set, citizen_merge
from citizens.timeline import (
    TimelineContribution,
    TimelineItem,
    citizen_timeline,
    register_timeline_provider,
    timeline_providers,
    unregister_timeline_provider,
)

pytestmark = pytest.mark.django_db


def test_registering_twice_adds_a_provider_once():
    def provider(citizen, user):
        return TimelineContribution()

    try:
        register_timeline_provider(provider)
        register_timeline_provider(provider)
        assert timeline_providers().count(provider) == 1
    finally:
        unregister_timeline_provider(provider)
    assert provider not in timeline_providers()


def test_counts_are_summed_per_agency_and_label_and_named(
    agent, agency, other_agency, make_citizen, timeline_provider
):
    citizen = make_citizen()
    timeline_provider(
        lambda c, u: TimelineContribution(other_agency_counts={other_agency.pk: 2}, label="Cases")
    )
    timeline_provider(
        lambda c, u: TimelineContribution(
            other_agency_counts={other_agency.pk: 1, agency.pk: 4}, label="Cases"
        )
    )
    timeline_provider(
        lambda c, u: TimelineContribution(
            other_agency_counts={other_agency.pk: 5}, label="Feedback"
        )
    )

    counts = citizen_timeline(citizen=citizen, user=agent).other_agencies

    assert [(c.agency_name, c.label, c.count) for c in counts] == [
        ("Springfield Revenue Department", "Cases", 3),
        ("Springfield Revenue Department", "Feedback", 5),
    ]


def test_citizens_own_provider_lists_consent_and_merges_newest_first(
    agent, supervisor, make_citizen
):
    survivor, other = make_citizen("Ana", "Ruiz"), make_citizen("Ana", "Ruis")
    long_ago = timezone.now() - timedelta(days=400)
    citizen_consent_set(citizen=survivor, kind="contact", granted=True, source="web", at=long_ago)
    citizen_consent_set(citizen=other, kind="surveys", granted=False, source="staff", actor=agent)
    citizen_merge(survivor=survivor, other=other, actor=supervisor)

    items = citizen_timeline(citizen=survivor, user=agent).items

    assert [(i.kind, i.title) for i in items] == [
        ("merge", f"Record {other.pk} (Ana Ruis) merged into this record"),
        ("consent", "Consent to surveys refused or withdrawn"),
        ("consent", "Consent to contact given"),
    ]
    assert items[0].detail == "By sam"
    assert items[1].detail == "Recorded by staff, by alex"
    assert items[2].when == long_ago


def test_items_of_all_providers_are_merged_by_time(agent, make_citizen, timeline_provider):
    citizen = make_citizen()
    now = timezone.now()
    citizen_consent_set(
        citizen=citizen, kind="contact", granted=True, source="web", at=now - timedelta(days=5)
    )
    timeline_provider(
        lambda c, u: TimelineContribution(
            items=[
                TimelineItem(when=now - timedelta(days=1), kind="case", title="Case closed"),
                TimelineItem(when=now - timedelta(days=9), kind="case", title="Case opened"),
            ]
        )
    )

    titles = [i.title for i in citizen_timeline(citizen=citizen, user=agent).items]

    assert titles == ["Case closed", "Consent to contact given", "Case opened"]
