"""The public feedback form: anonymous allowed, honeypot, rate limit, both languages."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse
from django.utils import translation

from core.models import AuditEvent
from feedback.models import FeedbackSubmission

pytestmark = pytest.mark.django_db
_addresses = (f"198.51.100.{n}" for n in itertools.count(10))


def _url(language: str = "en") -> str:
    with translation.override(language):
        return reverse("feedback")


def _data(world, **extra) -> dict:
    return {"kind": "complaint", "about": f"c{world.pothole.pk}",
            "message": "The pothole on Main St is still there.", **extra}  # fmt: skip


def test_the_form_in_english_and_spanish(client, world):
    english = client.get(_url("en")).content.decode()
    assert "Give feedback" in english
    assert "Public Works: in general" in english
    assert "Pothole" in english
    assert 'name="website"' in english  # the honeypot is there, hidden
    spanish = client.get(_url("es")).content.decode()
    assert '<html lang="es">' in spanish
    assert "Pothole (es)" in spanish  # database texts in the page's language


def test_anonymous_feedback_is_stored_and_confirmed(client, world):
    response = client.post(_url(), _data(world))

    assert response.status_code == 302
    assert response["Location"] == reverse("feedback_thanks")
    assert "Thank you for your feedback" in client.get(response["Location"]).content.decode()
    feedback = FeedbackSubmission.objects.get()
    assert (feedback.agency, feedback.category, feedback.kind) == (world.agency, world.pothole,
                                                                    "complaint")  # fmt: skip
    assert feedback.is_anonymous and not feedback.consent_contact
    assert feedback.language == "en"
    event = AuditEvent.objects.get(action="feedback.submitted")
    assert event.actor_type == "citizen"


def test_spanish_submission_keeps_its_language(client, world):
    client.post(_url("es"), _data(world, kind="compliment", about=f"a{world.agency.pk}"))
    feedback = FeedbackSubmission.objects.get()
    assert (feedback.language, feedback.category, feedback.agency) == ("es", None, world.agency)


def test_contact_details_and_consent(client, world):
    client.post(_url(), _data(world, contact_name="Ana Ruiz", contact_email="Ana@Example.org",
                              contact_phone="312 555 0142", consent_contact="on"))  # fmt: skip
    feedback = FeedbackSubmission.objects.get()
    assert (feedback.contact_email, feedback.consent_contact) == ("ana@example.org", True)


def test_consent_without_a_way_to_reach_them_is_an_error(client, world):
    response = client.post(_url(), _data(world, consent_contact="on"))
    assert response.status_code == 200
    assert "Give an email address or a phone number so we can reply." in response.content.decode()
    assert FeedbackSubmission.objects.count() == 0


def test_missing_fields_are_listed_and_nothing_is_stored(client, world):
    response = client.post(_url(), {"message": ""})
    page = response.content.decode()
    assert "Choose what kind of feedback this is." in page
    assert "Write your feedback." in page
    assert 'href="#id_kind_0"' in page  # the summary links to the field
    assert FeedbackSubmission.objects.count() == 0


def test_a_case_reference_links_the_case_of_that_agency_only(client, world, new_case):
    client.post(_url(), _data(world, about=f"c{world.graffiti.pk}",
                              case_reference=new_case.reference.lower()))  # fmt: skip
    client.post(_url(), _data(world, about=f"c{world.other_category.pk}",
                              case_reference=new_case.reference))  # fmt: skip
    client.post(_url(), _data(world, case_reference="CRM-2026-ZZZZZZ"))

    own, other, unknown = FeedbackSubmission.objects.order_by("id")
    assert own.case == new_case
    assert (other.case, other.case_reference) == (None, new_case.reference)
    assert (unknown.case, unknown.case_reference) == (None, "CRM-2026-ZZZZZZ")


def test_general_feedback_with_a_reference_goes_to_the_agency_of_the_case(client, world, new_case):
    client.post(_url(), _data(world, about=f"a{world.other_agency.pk}",
                              case_reference=new_case.reference))  # fmt: skip
    feedback = FeedbackSubmission.objects.get()
    assert (feedback.agency, feedback.case) == (world.agency, new_case)


def test_the_honeypot_looks_like_success_and_stores_nothing(client, world):
    response = client.post(_url(), _data(world, website="http://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == reverse("feedback_thanks")
    assert FeedbackSubmission.objects.count() == 0
    assert AuditEvent.objects.filter(action="feedback.submitted").count() == 0


def test_rate_limit_answers_429_stores_nothing_and_another_address_still_works(
    client, world, settings
):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_PUBLIC_FORMS = 2
    settings.RATELIMIT_PUBLIC_FORMS_WINDOW_SECONDS = 600
    noisy, quiet = next(_addresses), next(_addresses)

    statuses = [client.post(_url(), _data(world), REMOTE_ADDR=noisy).status_code
                for _ in range(3)]  # fmt: skip

    assert statuses == [302, 302, 429]
    assert FeedbackSubmission.objects.count() == 2
    limited = client.post(_url(), _data(world), REMOTE_ADDR=noisy)
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 600
    assert "Too many messages" in limited.content.decode()
    assert FeedbackSubmission.objects.count() == 2

    assert client.post(_url(), _data(world), REMOTE_ADDR=quiet).status_code == 302
    assert FeedbackSubmission.objects.count() == 3
