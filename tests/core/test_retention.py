"""The retention policy: old personal data goes, statistics and recent records stay."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from cases import services as case_services
from cases.models import Attachment, Case
from citizens.models import Citizen
from citizens.selectors import citizens_search
from citizens.services import citizen_create, citizen_update
from core.models import AuditEvent
from feedback.models import FeedbackSubmission

pytestmark = pytest.mark.django_db
LONG_AGO = timezone.now() - timedelta(days=3000)  # past the 7-year default (2555 days)


def _closed_long_ago(world, citizen, description: str) -> Case:
    case = case_services.case_create(
        category=world.graffiti, description=description, channel="phone", citizen=citizen,
        actor=world.agent, address="12 Elm Street", reporter_email="rosa@example.org",
    )  # fmt: skip
    case_services.case_note_add(case=case, body="Rosa says her neighbour did it", actor=world.agent)
    case_services.case_attach(
        case=case, upload=SimpleUploadedFile("id.txt", b"Rosa's ID"), actor=world.agent
    )
    Case.objects.filter(pk=case.pk).update(
        status="closed", opened_at=LONG_AGO, resolved_at=LONG_AGO, closed_at=LONG_AGO,
        resolution_code="resolved", created_at=LONG_AGO,
    )  # fmt: skip
    return case


def _age(citizen: Citizen) -> None:
    Citizen.objects.filter(pk=citizen.pk).update(updated_at=LONG_AGO)


def _retention(*args: str) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_old_cases_feedback_and_citizens_lose_their_personal_data(world):
    rosa = citizen_create(actor=world.agent, first_name="Rosa", last_name="Parks",
                          email="rosa@example.org", phone="+13125550142")  # fmt: skip
    citizen_update(citizen=rosa, actor=world.agent, data={"city": "Chicago"})
    case = _closed_long_ago(world, rosa, "Graffiti on my garage, call me at 555-0142")
    old_feedback = FeedbackSubmission.objects.create(
        agency=world.agency, kind="complaint", message="I am Rosa, nobody came",
        contact_email="rosa@example.org", citizen=rosa,
    )  # fmt: skip
    FeedbackSubmission.objects.filter(pk=old_feedback.pk).update(created_at=LONG_AGO)
    _age(rosa)

    report = _retention()

    assert "closed cases: 1 anonymised" in report and "citizens: 1 anonymised" in report
    case.refresh_from_db()
    assert case.description == case_services.ANONYMISED_TEXT
    assert (case.address, case.reporter_email, case.attributes) == ("", "", {})
    assert not case.events.exclude(body="").exists()
    assert not Attachment.objects.filter(case=case).exists()
    # Statistics stay whole.
    assert (case.status, case.category, case.team, case.channel) == (
        "closed",
        world.graffiti,
        world.parks,
        "phone",
    )
    assert case.closed_at is not None and case.citizen_id == rosa.pk
    old_feedback.refresh_from_db()
    assert (old_feedback.contact_email, old_feedback.kind) == ("", "complaint")
    assert "Rosa" not in old_feedback.message
    rosa.refresh_from_db()
    assert rosa.anonymised_at is not None
    assert (rosa.first_name, rosa.email, rosa.phone, rosa.city) == ("", "", "", "")
    assert not citizens_search(user=world.agent, query="Rosa Parks").exists()
    # Her record's history keeps what happened, not what it said.
    history = AuditEvent.objects.filter(object_type="citizens.citizen", object_id=str(rosa.pk))
    assert "rosa@example.org" not in str(list(history.values_list("changes", flat=True)))
    assert history.filter(action="citizen.anonymised", actor_label="retention policy").exists()
    assert AuditEvent.objects.filter(action="case.anonymised", object_id=str(case.pk)).exists()


def test_recent_and_still_open_work_is_kept(world):
    ben = citizen_create(actor=world.agent, first_name="Ben", last_name="Okafor")
    old = _closed_long_ago(world, ben, "Old request")
    recent = case_services.case_create(category=world.graffiti, description="New tags",
                                       channel="web", citizen=ben)  # fmt: skip
    _age(ben)

    _retention()

    old.refresh_from_db()
    recent.refresh_from_db()
    ben.refresh_from_db()
    assert old.anonymised_at is not None
    assert recent.description == "New tags" and recent.anonymised_at is None
    assert ben.first_name == "Ben"  # an open case still needs him


def test_a_dry_run_changes_nothing_and_a_second_run_finds_nothing(world):
    ana = citizen_create(actor=world.agent, first_name="Ana", last_name="Ruiz")
    case = _closed_long_ago(world, ana, "Tags")
    _age(ana)

    assert "closed cases: 1 would be anonymised" in _retention("--dry-run")
    case.refresh_from_db()
    assert case.description == "Tags"

    _retention()
    second = _retention()
    assert "closed cases: 0 anonymised" in second and "citizens: 0 anonymised" in second
    assert AuditEvent.objects.filter(action="case.anonymised").count() == 1
