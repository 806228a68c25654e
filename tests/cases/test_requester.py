"""Issue 17: every requester matched to the citizen records, safely; consent asked at intake.

A contact detail nobody proved never links a request to an existing record by itself: the
record is suggested, and staff confirm or reject it from the case page, or the citizen confirms
through the link in the receipt (which went to that address). Nobody matches: a new record.
The survey question's answer is kept in the consent history with where it was given.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from cases import citizen_services, links
from cases.models import Case
from citizens.models import Citizen, ConsentRecord
from citizens.services import citizen_consent_set, citizen_create, citizen_match_requester
from core.models import AuditEvent, OutboxMessage

pytestmark = pytest.mark.django_db


def _url(category, language: str = "en") -> str:
    return f"/{language}/requests/new/{category.agency.slug}/{category.code}/"


def _web_request(client, world, **contact) -> Case:
    data = {"attr_size": "large", "description": "Deep hole by the school", "website": ""}
    data.update(contact)
    response = client.post(
        _url(world.pothole), data, REMOTE_ADDR=f"2001:db8::{uuid.uuid4().hex[:4]}"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.select_related("citizen", "suggested_citizen").latest("id")


def _receipt(case: Case) -> dict:
    [message] = [
        m.payload
        for m in OutboxMessage.objects.filter(topic="core.email")
        if case.reference in m.payload["subject"]
    ]
    return message


def _link_in(text: str, path_part: str) -> str:
    """The path of the link to `path_part` in an email's text."""
    match = re.search(rf"(/[a-z]{{2}}{path_part}[^/\s]+/)", text)
    assert match, f"no {path_part} link in: {text}"
    return match.group(1)


@pytest.fixture
def ana(world) -> Citizen:
    """An existing record: the person whose address someone else may type."""
    return citizen_create(
        actor=world.agent, first_name="Ana", last_name="García", email="ana@example.org",
        phone="+13125550142",
    )  # fmt: skip


# --- the public form ------------------------------------------------------------------------


def test_a_new_web_requester_gets_a_record_with_the_consent_they_gave(client, world):
    case = _web_request(
        client, world, contact_name="Rosa Díaz López", contact_email="Rosa@Example.org",
        consent_surveys="on",
    )  # fmt: skip

    citizen = case.citizen
    assert (citizen.first_name, citizen.last_name) == ("Rosa", "Díaz López")
    assert citizen.email == "rosa@example.org" and citizen.preferred_language == "en"
    assert case.consent_surveys is True and citizen.consent_surveys is True
    [record] = ConsentRecord.objects.filter(citizen=citizen)
    assert (record.kind, record.granted, record.source) == ("surveys", True, "web")
    assert record.recorded_by is None  # the citizen said it, not staff
    created = AuditEvent.objects.get(action="citizen.created", object_id=str(citizen.pk))
    assert created.actor_type == "citizen"
    # The record is an ordinary one: found by search and by the duplicate check.
    assert citizen.pk in {c.pk for c in Citizen.objects.filter(search_name__contains="rosa")}


def test_a_box_left_unticked_on_a_new_record_is_recorded_as_not_given(client, world):
    case = _web_request(client, world, contact_name="Rosa Díaz", contact_email="rosa@example.org")

    assert case.consent_surveys is False
    [record] = ConsentRecord.objects.filter(citizen=case.citizen)
    assert (record.granted, record.source) == (False, "web")


def test_the_survey_box_needs_an_email_address(client, world):
    response = client.post(
        _url(world.pothole),
        {"attr_size": "large", "description": "Hole", "website": "", "consent_surveys": "on"},
        REMOTE_ADDR="2001:db8::5:5",
    )
    assert response.status_code == 200
    assert "Enter your email address to get the survey." in response.content.decode()
    assert not Case.objects.exists()


def test_the_form_asks_about_surveys_unticked_in_the_citizens_language(client, world):
    english = client.get(_url(world.pothole)).content.decode()
    box = re.search(r'<input type="checkbox" name="consent_surveys"[^>]*>', english).group(0)
    assert "checked" not in box
    assert "You may email me a short survey" in english
    spanish = client.get(_url(world.pothole, "es")).content.decode()
    assert "Pueden enviarme por correo una breve encuesta" in spanish


def test_an_unproved_email_of_an_existing_record_never_links_the_request(client, world, ana):
    before = Citizen.objects.count()
    case = _web_request(
        client, world, contact_name="Someone Else", contact_email="ANA@example.org",
        consent_surveys="on",
    )  # fmt: skip

    assert case.citizen is None and case.suggested_citizen == ana
    assert Citizen.objects.count() == before  # no second record for the same address
    assert not ana.cases.exists()
    ana.refresh_from_db()
    assert ana.consent_surveys is False  # nothing of her record changes on an unproved claim
    assert not ConsentRecord.objects.filter(citizen=ana).exists()
    assert case.consent_surveys is True  # kept on the case until it is linked
    # The receipt goes to the address given, with the link that proves it.
    receipt = _receipt(case)
    assert receipt["to"] == ["ana@example.org"]
    assert "Add this request to your record" in receipt["body"]
    assert "/en/requests/mine/" in receipt["body"] and "/en/requests/mine/" in receipt["html"]


def test_an_unproved_phone_of_an_existing_record_is_a_suggestion_too(world, ana):
    match = citizen_match_requester(
        actor="citizen (web)", source="web", name="Someone", phone="(312) 555-0142"
    )
    assert match.citizen is None and match.suggested == ana


def test_no_name_or_no_contact_makes_no_record(world):
    assert citizen_match_requester(actor=None, source="web", email="x@example.org").citizen is None
    assert citizen_match_requester(actor=None, source="web", name="Rosa").citizen is None
    assert not Citizen.objects.exists()


def test_the_queue_shows_who_the_requester_is(client, world, ana):
    _web_request(client, world, contact_name="Someone Else", contact_email="ana@example.org")
    _web_request(client, world, contact_name="Rosa Díaz", contact_email="rosa@example.org")
    client.force_login(world.agent)

    html = client.get(reverse("cases:queue") + "?queue=all").content.decode()

    assert "Rosa Díaz" in html  # a new record
    assert re.search(r"Someone Else\s*<span[^>]*>\(not linked\)", html)


# --- the case page: confirm, reject, link to…, create ----------------------------------------


def _suggested_case(client, world, ana, **extra) -> Case:
    return _web_request(
        client, world, contact_name="Ana G", contact_email="ana@example.org", **extra
    )


def test_the_case_page_shows_the_suggestion_and_its_actions(client, world, ana):
    case = _suggested_case(client, world, ana)
    client.force_login(world.agent)

    html = client.get(reverse("cases:detail", args=[case.reference])).content.decode()

    assert "Not linked to a citizen record" in html
    assert f"Record {ana.pk}, Ana García, has the email address this request gave" in html
    assert reverse("cases:link_suggested_citizen", args=[case.reference]) in html
    assert reverse("cases:reject_suggested_citizen", args=[case.reference]) in html
    assert "Link to another citizen record…" in html
    assert "Create a citizen record for the requester" in html


def test_staff_confirm_the_suggestion_and_the_consent_given_joins_the_record(client, world, ana):
    case = _suggested_case(client, world, ana, consent_surveys="on")
    client.force_login(world.agent)

    response = client.post(reverse("cases:link_suggested_citizen", args=[case.reference]))

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.citizen == ana and case.suggested_citizen is None
    event = AuditEvent.objects.get(action="case.citizen_linked", object_id=str(case.pk))
    assert event.actor_user == world.agent
    assert event.changes == {"citizen": [None, ana.pk], "suggested_citizen": [ana.pk, None]}
    ana.refresh_from_db()
    assert ana.consent_surveys is True
    record = ConsentRecord.objects.get(citizen=ana)
    assert (record.source, record.at) == ("web", case.created_at)  # where and when given
    # The case is now on her 360° page.
    html = client.get(reverse("citizens:detail", args=[ana.pk])).content.decode()
    assert case.reference in html


def test_an_unticked_box_does_not_withdraw_consent_given_before(client, world, ana):
    citizen_consent_set(citizen=ana, kind="surveys", granted=True, source="staff")
    case = _suggested_case(client, world, ana)  # box left unticked
    client.force_login(world.agent)

    client.post(reverse("cases:link_suggested_citizen", args=[case.reference]))

    ana.refresh_from_db()
    assert ana.consent_surveys is True
    assert ConsentRecord.objects.filter(citizen=ana).count() == 1


def test_staff_reject_the_suggestion(client, world, ana):
    case = _suggested_case(client, world, ana)
    client.force_login(world.agent)

    response = client.post(reverse("cases:reject_suggested_citizen", args=[case.reference]))

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.citizen is None and case.suggested_citizen is None
    event = AuditEvent.objects.get(action="case.citizen_suggestion_rejected")
    assert event.changes == {"suggested_citizen": [ana.pk, None]}
    assert event.actor_user == world.agent
    html = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "Create a citizen record for the requester" in html


def test_staff_link_another_record_found_by_search(client, world, ana):
    other = citizen_create(actor=None, first_name="Ana", last_name="Gómez")
    case = _suggested_case(client, world, ana)
    client.force_login(world.agent)
    page = client.get(reverse("cases:requester", args=[case.reference]) + "?q=gomez")
    assert f'name="citizen" value="{other.pk}"' in page.content.decode()

    client.post(reverse("cases:link_citizen", args=[case.reference]), {"citizen": other.pk})

    case.refresh_from_db()
    assert case.citizen == other and case.suggested_citizen is None
    assert AuditEvent.objects.filter(action="case.citizen_linked").count() == 1


def test_staff_create_a_record_after_the_duplicate_check(client, world, ana):
    case = _suggested_case(client, world, ana, consent_surveys="on")
    client.force_login(world.agent)
    url = reverse("cases:requester", args=[case.reference])
    page = client.get(url).content.decode()
    assert 'value="ana@example.org"' in page  # prefilled from the request

    data = {"new-first_name": "Ana", "new-last_name": "G", "new-email": "ana@example.org",
            "new-preferred_language": "en"}  # fmt: skip
    first = client.post(url, data)
    assert first.status_code == 400
    assert "This person may already have a record" in first.content.decode()  # same email
    seen = re.search(r'name="new-duplicates_seen" value="([^"]*)"', first.content.decode())
    response = client.post(
        url, {**data, "new-duplicates_seen": seen.group(1), "new-create_anyway": "on"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.citizen not in (None, ana) and case.citizen.email == "ana@example.org"
    record = ConsentRecord.objects.get(citizen=case.citizen)
    assert (record.granted, record.source) == (True, "web")
    assert AuditEvent.objects.filter(action="case.citizen_created_and_linked").exists()


def test_another_agencys_case_cannot_be_linked(client, world, ana):
    case = _suggested_case(client, world, ana)
    client.force_login(world.other_agent)
    for name in ("link_suggested_citizen", "reject_suggested_citizen", "link_citizen"):
        assert client.post(reverse(f"cases:{name}", args=[case.reference])).status_code == 404
    assert client.get(reverse("cases:requester", args=[case.reference])).status_code == 404
    case.refresh_from_db()
    assert case.citizen is None and case.suggested_citizen == ana


# --- the citizen confirms through the receipt ------------------------------------------------


def test_the_citizen_confirms_through_the_receipt_link(client, world, ana):
    case = _suggested_case(client, world, ana, consent_surveys="on")
    path = _link_in(_receipt(case)["body"], "/requests/mine/")

    page = client.get(path)  # a GET (a mail scanner) changes nothing
    assert page.status_code == 200
    assert "Yes, this is my request" in page.content.decode()
    case.refresh_from_db()
    assert case.citizen is None

    done = client.post(path)

    assert "is now on your record" in done.content.decode()
    case.refresh_from_db()
    assert case.citizen == ana and case.suggested_citizen is None
    event = AuditEvent.objects.get(action="case.citizen_confirmed_by_citizen")
    assert event.actor_type == "citizen"
    ana.refresh_from_db()
    assert ana.consent_surveys is True


def test_after_staff_rejected_it_the_link_does_nothing(client, world, ana):
    case = _suggested_case(client, world, ana)
    path = _link_in(_receipt(case)["body"], "/requests/mine/")
    citizen_services.case_reject_suggested_citizen(case=case, actor=world.agent)

    response = client.post(path)

    assert "We could not add request" in response.content.decode()
    case.refresh_from_db()
    assert case.citizen is None


def test_a_link_for_another_address_or_record_links_nothing(world, ana):
    case = citizen_services.case_create_for_requester(
        requester=citizen_services.Requester(name="X", email="ana@example.org"),
        source="web", category=world.graffiti, description="Tags", channel="web",
    )  # fmt: skip
    assert not citizen_services.case_confirm_citizen_by_link(
        case=case, citizen_id=ana.pk, email="someone@example.org"
    )
    assert not citizen_services.case_confirm_citizen_by_link(
        case=case, citizen_id=ana.pk + 1000, email="ana@example.org"
    )
    case.refresh_from_db()
    assert case.citizen is None


def test_a_tampered_confirmation_link_is_404(client, world, ana):
    case = _suggested_case(client, world, ana)
    token = links.citizen_confirm_token([case.reference, ana.pk, "ana@example.org"])
    assert client.get(f"/en/requests/mine/{token}x/").status_code == 404
    forged = links.status_token(case.reference)  # another link's token: not one of these
    assert client.get(f"/en/requests/mine/{forged}/").status_code == 404


def test_a_receipt_without_a_suggested_record_has_no_confirmation_link(client, world):
    case = _web_request(client, world, contact_name="Rosa", contact_email="rosa@example.org")
    assert "/requests/mine/" not in _receipt(case)["body"]
    assert "/requests/survey/" not in _receipt(case)["body"]  # the form asked already


# --- staff intake asks too -------------------------------------------------------------------


def _intake(client, world, **extra):
    client.force_login(world.agent)
    data = {"category": world.graffiti.pk, "description": "Tags on the wall", "channel": "phone",
            "action": "create", **extra}  # fmt: skip
    return client.post(reverse("cases:intake"), data)


def test_intake_records_the_consent_of_a_new_citizen_as_given_to_staff(client, world):
    response = _intake(client, world, **{"new-first_name": "Lu", "new-last_name": "Chen",
                                         "new-preferred_language": "en",
                                         "consent_surveys": "on"})  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.consent_surveys is True and case.citizen.consent_surveys is True
    record = ConsentRecord.objects.get(citizen=case.citizen)
    assert (record.source, record.recorded_by) == ("staff", world.agent)


def test_intake_records_a_yes_for_an_existing_citizen(client, world, ana):
    _intake(client, world, citizen=ana.pk, consent_surveys="on")
    ana.refresh_from_db()
    assert ana.consent_surveys is True
    assert ConsentRecord.objects.get(citizen=ana).source == "staff"


def test_intake_asks_unticked(client, world):
    client.force_login(world.agent)
    html = client.get(reverse("cases:intake")).content.decode()
    box = re.search(r'<input type="checkbox" name="consent_surveys"[^>]*>', html).group(0)
    assert "checked" not in box


def test_retention_removes_a_suggestion_with_the_reporters_details(client, world, ana):
    from datetime import timedelta

    from django.utils import timezone

    from cases.services import cases_anonymise

    case = _suggested_case(client, world, ana)
    Case.objects.filter(pk=case.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=4000),
        resolved_at=timezone.now() - timedelta(days=4001), resolution_code="resolved",
    )  # fmt: skip

    cases_anonymise(cutoff=timezone.now() - timedelta(days=3000))

    case.refresh_from_db()
    assert (case.reporter_email, case.suggested_citizen) == ("", None)
