"""Citizen emails: sent once after the change commits, never when it rolls back."""

import pytest
from django.db import transaction

from cases.links import reference_from_status_token, reference_from_unsubscribe_token
from cases.services import (
    case_create,
    case_note_add,
    case_public_update,
    case_updates_unsubscribe,
)
from core.models import OutboxMessage
from tests.conftest import wait_until


def _emails() -> list[dict]:
    return [m.payload for m in OutboxMessage.objects.filter(topic="core.email").order_by("id")]


@pytest.mark.django_db(transaction=True)
def test_confirmation_and_update_emails_arrive_once_over_real_smtp(world, celery_worker, smtp_sink):
    with transaction.atomic():
        case = case_create(category=world.graffiti, description="Tags on the wall",
                           channel="web", reporter_email="Resident@Example.org")  # fmt: skip
    assert wait_until(lambda: len(smtp_sink.messages) == 1)

    case_public_update(case=case, body="A crew is booked for Tuesday.", actor=world.agent)
    assert wait_until(lambda: len(smtp_sink.messages) == 2)

    received, update = smtp_sink.messages
    assert received["To"] == "resident@example.org"
    assert case.reference in received["Subject"]
    assert update["Subject"] == f"An update on your request {case.reference}"
    text = update.get_payload()[0].get_payload(decode=True).decode()
    assert "A crew is booked for Tuesday." in text
    assert "/en/requests/status/" in text
    wait_until(lambda: not OutboxMessage.objects.exclude(status="done").exists())
    assert len(smtp_sink.messages) == 2


@pytest.mark.django_db
def test_no_email_when_the_change_rolls_back(world, new_case):
    before = len(_emails())

    with pytest.raises(RuntimeError), transaction.atomic():
        case_public_update(case=new_case, body="We fixed it", actor=world.agent)
        raise RuntimeError("the request failed after the update")

    assert len(_emails()) == before
    assert not new_case.events.filter(kind="public_update").exists()


@pytest.mark.django_db
def test_internal_notes_never_email_the_citizen(world, new_case):
    before = len(_emails())

    case_note_add(case=new_case, body="Caller sounded upset; check CCTV", actor=world.agent)

    assert len(_emails()) == before


@pytest.mark.django_db
def test_emails_follow_the_citizens_language_and_carry_working_links(world):
    case = case_create(category=world.graffiti, description="Pintadas", channel="web",
                       reporter_email="vecina@example.org", language="es")  # fmt: skip

    email = _emails()[-1]

    assert email["subject"] == f"Hemos recibido su solicitud {case.reference}"
    status_link = next(w for w in email["body"].split() if "/es/requests/status/" in w)
    unsubscribe_link = next(w for w in email["body"].split() if "/unsubscribe/" in w)
    assert reference_from_status_token(status_link.rstrip("/").rsplit("/", 1)[1]) == case.reference
    assert (
        reference_from_unsubscribe_token(unsubscribe_link.rstrip("/").rsplit("/", 1)[1])
        == case.reference
    )


@pytest.mark.django_db
def test_after_unsubscribing_updates_are_not_emailed(world, new_case):
    assert case_updates_unsubscribe(case=new_case) is True
    assert case_updates_unsubscribe(case=new_case) is False  # one-click, idempotent
    before = len(_emails())

    case_public_update(case=new_case, body="Done", actor=world.agent)

    assert len(_emails()) == before
