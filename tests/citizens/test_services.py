"""Writers: create, update and consent keep data normalised, history complete and audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from citizens.models import Citizen, ConsentRecord
from citizens.services import citizen_consent_set, citizen_create, citizen_merge, citizen_update
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _audit(action, citizen):
    return AuditEvent.objects.filter(
        action=action, object_type="citizens.citizen", object_id=str(citizen.pk)
    )


def test_create_normalises_contact_data_and_audits_it(agent):
    citizen = citizen_create(
        actor=agent,
        first_name=" José ",
        last_name="Muñoz",
        email="Jose.Munoz@Example.ORG",
        phone="(312) 555-0142",
        address_line1="12 Oak St.",
        postal_code="62701",
    )

    citizen.refresh_from_db()
    assert (citizen.first_name, citizen.email, citizen.phone) == (
        "José",
        "jose.munoz@example.org",
        "+13125550142",
    )
    assert citizen.search_name == "jose munoz"
    event = _audit("citizen.created", citizen).get()
    assert event.actor_user == agent
    # The record is shared; the action is the acting staff member's agency's (issue 13).
    assert event.agency_id == agent.staff_profile.agency_id
    assert event.changes["email"] == [None, "jose.munoz@example.org"]


def test_names_typed_with_combining_accents_are_stored_composed(agent):
    citizen = citizen_create(actor=agent, first_name="Jose\u0301", last_name="Mun\u0303oz")

    assert Citizen.objects.get(pk=citizen.pk).full_name == "José Muñoz"  # composed forms


def test_create_refuses_a_bad_phone_number_and_writes_nothing(agent):
    with pytest.raises(ValidationError) as error:
        citizen_create(actor=agent, first_name="Ana", last_name="Ruiz", phone="555-12")

    assert "phone" in error.value.message_dict
    assert not Citizen.objects.exists()
    assert not AuditEvent.objects.exists()


def test_create_needs_a_name(agent):
    with pytest.raises(ValidationError):
        citizen_create(actor=agent, first_name="", last_name="  ")


def test_consent_given_at_creation_is_recorded_in_the_history(agent):
    citizen = citizen_create(
        actor=agent, first_name="Ana", last_name="Ruiz", consent_contact=True, consent_surveys=False
    )

    citizen.refresh_from_db()
    assert citizen.consent_contact is True and citizen.consent_contact_at is not None
    assert citizen.consent_surveys is False and citizen.consent_surveys_at is not None
    history = {(r.kind, r.granted, r.recorded_by) for r in citizen.consent_records.all()}
    assert history == {("contact", True, agent), ("surveys", False, agent)}


def test_update_changes_only_what_changed_and_audits_before_and_after(agent, make_citizen):
    citizen = make_citizen("John", "Smith", phone="+13125550142", city="Springfield")

    updated = citizen_update(
        citizen=citizen,
        actor=agent,
        data={"last_name": "Smyth", "phone": "312 555 0143", "city": "Springfield"},
    )

    assert updated.search_name == "john smyth"
    assert Citizen.objects.get(pk=citizen.pk).phone == "+13125550143"
    event = _audit("citizen.updated", citizen).get()
    assert event.changes == {
        "last_name": ["Smith", "Smyth"],
        "phone": ["+13125550142", "+13125550143"],
    }


def test_update_without_changes_writes_nothing(agent, make_citizen):
    citizen = make_citizen("John", "Smith")

    citizen_update(citizen=citizen, actor=agent, data={"first_name": "John"})

    assert not _audit("citizen.updated", citizen).exists()


def test_a_merged_away_record_cannot_be_edited(agent, supervisor, make_citizen):
    survivor, other = make_citizen("John", "Smith"), make_citizen("Jon", "Smith")
    citizen_merge(survivor=survivor, other=other, actor=supervisor)

    with pytest.raises(ValidationError):
        citizen_update(citizen=other, actor=agent, data={"first_name": "Johnny"})


def test_consent_changes_keep_every_statement_with_source_and_time(agent, make_citizen):
    citizen = make_citizen("Ana", "Ruiz")
    earlier = timezone.now() - timedelta(days=10)

    citizen_consent_set(citizen=citizen, kind="surveys", granted=True, source="web", at=earlier)
    citizen_consent_set(citizen=citizen, kind="surveys", granted=False, source="email-unsubscribe")
    citizen_consent_set(citizen=citizen, kind="contact", granted=True, source="staff", actor=agent)

    citizen.refresh_from_db()
    assert citizen.consent_surveys is False
    assert citizen.consent_surveys_at > earlier
    assert citizen.consent_contact is True
    history = list(
        citizen.consent_records.order_by("at", "id").values_list(
            "kind", "granted", "source", "recorded_by"
        )
    )
    assert history == [
        ("surveys", True, "web", None),
        ("surveys", False, "email-unsubscribe", None),
        ("contact", True, "staff", agent.pk),
    ]


def test_consent_changes_are_audited_with_the_citizen_or_staff_as_actor(agent, make_citizen):
    citizen = make_citizen("Ana", "Ruiz")

    citizen_consent_set(citizen=citizen, kind="surveys", granted=False, source="email-unsubscribe")
    citizen_consent_set(citizen=citizen, kind="contact", granted=True, source="staff", actor=agent)

    by_citizen, by_staff = _audit("citizen.consent_set", citizen).order_by("id")
    assert by_citizen.actor_type == AuditEvent.ActorType.CITIZEN
    assert by_citizen.changes["consent_surveys"] == [None, False]
    assert by_staff.actor_user == agent
    assert by_staff.changes["consent_contact"] == [None, True]


def test_consent_sent_to_a_merged_away_record_applies_to_the_survivor(supervisor, make_citizen):
    survivor, other = make_citizen("Ana", "Ruiz"), make_citizen("Ana", "Ruis")
    citizen_merge(survivor=survivor, other=other, actor=supervisor)

    record = citizen_consent_set(
        citizen=other, kind="surveys", granted=False, source="email-unsubscribe"
    )

    assert record.citizen_id == survivor.pk
    survivor.refresh_from_db()
    assert survivor.consent_surveys_at is not None and survivor.consent_surveys is False
    assert not ConsentRecord.objects.filter(citizen=other).exists()
