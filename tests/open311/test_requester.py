"""Issue 17 for Open311: the reporter matched to the citizen records, and the survey question
(the consent_survey parameter, or the link in the receipt when the app did not ask)."""

from __future__ import annotations

import re

import pytest

from cases.models import Case
from citizens.models import Citizen, ConsentRecord
from citizens.services import citizen_create
from core.models import OutboxMessage
from tests.open311.conftest import errors, url
from tests.open311.test_post_requests import created_reference, form


def _receipt_body(case: Case) -> str:
    [message] = [
        m.payload["body"]
        for m in OutboxMessage.objects.filter(topic="core.email")
        if case.reference in m.payload["subject"]
    ]
    return message


def test_consent_survey_true_is_recorded_with_the_open311_source(o311, api):
    data = form(o311, email="lu@example.org", first_name="Lu", last_name="Chen",
                consent_survey="true")  # fmt: skip
    response = api.post(url("requests.json"), data)
    case = Case.objects.get(reference=created_reference(response, "json"))

    assert case.consent_surveys is True and case.citizen.consent_surveys is True
    record = ConsentRecord.objects.get(citizen=case.citizen)
    assert (record.kind, record.granted, record.source) == ("surveys", True, "open311")
    assert "/requests/survey/" not in _receipt_body(case)  # asked already


def test_an_unproved_email_never_links_nor_changes_the_existing_record(o311, api):
    known = citizen_create(actor=None, first_name="Ana", last_name="García",
                           email="ana@example.org")  # fmt: skip
    data = form(o311, email="ana@example.org", first_name="Someone", consent_survey="yes")
    response = api.post(url("requests.json"), data)
    case = Case.objects.get(reference=created_reference(response, "json"))

    assert case.citizen is None and case.suggested_citizen == known
    known.refresh_from_db()
    assert known.consent_surveys is False and not ConsentRecord.objects.filter(citizen=known)
    assert case.consent_surveys is True  # applied if staff or the citizen confirm the link
    assert "/en/requests/mine/" in _receipt_body(case)


def test_an_unproved_phone_is_a_suggestion_too(o311, api):
    known = citizen_create(actor=None, first_name="Ana", last_name="García",
                           phone="+13125550142")  # fmt: skip
    before = Citizen.objects.count()
    data = form(o311, phone="312-555-0142", first_name="Someone")
    case = Case.objects.get(
        reference=created_reference(api.post(url("requests.json"), data), "json")
    )
    assert case.citizen is None and case.suggested_citizen == known
    assert Citizen.objects.count() == before


def test_without_the_parameter_the_receipt_asks_through_a_link(o311, api, client):
    data = form(o311, email="lu@example.org", first_name="Lu")
    case = Case.objects.get(
        reference=created_reference(api.post(url("requests.json"), data), "json")
    )
    assert case.consent_surveys is None
    assert not ConsentRecord.objects.filter(citizen=case.citizen).exists()
    path = re.search(r"(/en/requests/survey/[^/\s]+/)", _receipt_body(case)).group(1)

    assert "Yes, you may send me a survey" in client.get(path).content.decode()
    case.refresh_from_db()
    assert case.consent_surveys is None  # a GET changes nothing
    client.post(path)

    case.refresh_from_db()
    assert case.consent_surveys is True and case.citizen.consent_surveys is True
    record = ConsentRecord.objects.get(citizen=case.citizen)
    assert (record.granted, record.source) == (True, "email-link")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_consent_survey_that_is_not_a_boolean_is_400(o311, api, fmt):
    response = api.post(url(f"requests.{fmt}"), form(o311, consent_survey="maybe"))
    assert response.status_code == 400
    assert errors(response, fmt) == [
        {"code": 400, "description": "consent_survey must be true or false."}
    ]
    assert not Case.objects.exists()
