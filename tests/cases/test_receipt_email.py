"""The receipt email: it repeats what was reported (service, answers, location, photos), the
expected date, and the status link with how long it works, in the requester's language."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.links import reference_from_status_token
from cases.public.selectors import case_request_summary
from cases.services import case_attach, case_create, case_take, case_transition
from core.models import OutboxMessage
from tests.cases.sla.support import make_policy

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _emails() -> list[dict]:
    return [m.payload for m in OutboxMessage.objects.filter(topic="core.email").order_by("id")]


@pytest.fixture
def reported(world, clock):
    """A pothole reported on Monday 2 March 2026 09:00 Chicago, due in five business days."""
    make_policy(world, first_response_minutes=None, resolution_minutes=5 * 8 * 60)

    def report(language: str = "en"):
        return case_create(
            category=world.pothole, description="A deep hole by the school gate", channel="web",
            attributes={"size": "large"}, address="5 School Lane", latitude="41.878113",
            longitude="-87.629799", reporter_email="rosa@example.org", reporter_name="Rosa",
            language=language,
        )  # fmt: skip

    return report


def test_the_receipt_repeats_what_was_reported_and_when_to_expect_an_answer(reported):
    case = reported()

    email = _emails()[-1]

    assert email["subject"] == f"We received your request {case.reference}"
    for body in (email["body"], email["html"]):
        for fact in ("What you reported", "Pothole", "Size", "Large", "5 School Lane",
                     "Latitude 41.878113, longitude -87.629799", "Photos", "None",
                     "Expected by Friday 6 March 2026", "The link works for 2 years.",
                     "Keep it private"):  # fmt: skip
            assert fact in body, fact
        # Not the description (the requester wrote it; the email may be forwarded).
        assert "A deep hole by the school gate" not in body
    text = email["body"]
    assert "Service: Pothole\nSize: Large\nLocation: 5 School Lane · Latitude 41.878113" in text
    link = re.search(r"http\S+/en/requests/status/(\S+)/", text)
    assert reference_from_status_token(link.group(1)) == case.reference


def test_the_receipt_is_in_the_requesters_language(reported):
    case = reported(language="es")

    email = _emails()[-1]

    assert email["subject"] == f"Hemos recibido su solicitud {case.reference}"
    for fact in ("Lo que nos comunicó", "Servicio: Pothole (es)", "Ubicación: 5 School Lane",
                 "Latitud 41.878113, longitud -87.629799", "Fotos: Ninguna",
                 "Prevista para el viernes 6 de marzo de 2026",
                 "El enlace funciona durante 2 años."):  # fmt: skip
        assert fact in email["body"], fact
    assert "/es/requests/status/" in email["body"]


def test_a_receipt_without_a_place_or_a_target_says_so(world):
    case_create(category=world.graffiti, description="Tags", channel="web",
                reporter_email="rosa@example.org")  # fmt: skip

    body = _emails()[-1]["body"]

    assert "Location: Not given" in body
    assert "Expected by" not in body


def test_only_the_receipt_repeats_the_report(reported, world):
    case = reported()
    case_take(case=case, actor=world.agent)
    case_transition(case=case, to_status="waiting_on_citizen", actor=world.agent,
                    note="Which side of the gate?")  # fmt: skip

    email = _emails()[-1]

    assert email["subject"] == f"Your request {case.reference} is now: Waiting for your reply"
    assert "Which side of the gate?" in email["body"]
    assert "What you reported" not in email["body"]


def test_photos_are_the_images_that_came_with_the_request(world, settings, tmp_path, reported):
    settings.MEDIA_ROOT = tmp_path
    case = reported()
    for name, actor in [("a.png", None), ("b.png", None), ("crew.png", world.agent)]:
        case_attach(case=case, upload=SimpleUploadedFile(name, PNG, "image/png"), actor=actor)
    case_attach(case=case, upload=SimpleUploadedFile("n.txt", b"notes", "text/plain"), actor=None)

    summary = case_request_summary(case)

    assert summary.photos == 2
    assert summary.photos_text == "2 photos"
