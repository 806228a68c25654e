"""Saved replies: inserted in the citizen's language and filled from the case, edited before
sending, counted when sent; another agency's never offered."""

import pytest
from django.urls import reverse

from cases.models import CannedReply
from cases.services import case_assign
from citizens.models import Citizen

pytestmark = pytest.mark.django_db

BODY = {
    "en": "Hello {first_name}, {service} {reference} is booked for {expected_date}. {agent_name}",
    "es": "Hola {first_name}, {service} {reference} está prevista para el {expected_date}. "
    "{agent_name}",
}


@pytest.fixture
def reply(world):
    return CannedReply.objects.create(agency=world.agency, title="Booked", body=BODY)


def _insert(client, case, reply_id):
    url = reverse("cases:update", args=[case.reference])
    return client.post(url, {"update-reply": reply_id, "update-body": "", "update-insert": "1"})


def test_insert_fills_the_citizens_language_and_sends_nothing(client, world, new_case, reply):
    new_case.citizen = Citizen.objects.create(first_name="Lucía", last_name="Gómez",
                                              preferred_language="es")  # fmt: skip
    new_case.save()
    case_assign(case=new_case, assignee=world.agent, actor=world.agent)
    client.force_login(world.agent)

    page = _insert(client, new_case, reply.pk)

    assert page.status_code == 200
    html = page.content.decode()
    assert f"Hola Lucía, Graffiti (es) {new_case.reference} está prevista para el" in html
    assert "Alex" in html  # the agent's name
    assert not new_case.events.filter(kind="public_update").exists()

    data = {"update-body": "Hola Lucía, edited", "update-used_reply": reply.pk}
    sent = client.post(reverse("cases:update", args=[new_case.reference]), data)
    assert sent.status_code == 302
    event = new_case.events.get(kind="public_update")
    assert event.body == "Hola Lucía, edited" and event.data == {"canned_reply": reply.pk}


def test_a_missing_language_version_is_said(client, world, new_case):
    english_only = CannedReply.objects.create(agency=world.agency, title="EN", body={"en": "Hi"})
    new_case.language = "es"
    new_case.save()
    client.force_login(world.agent)

    html = _insert(client, new_case, english_only.pk).content.decode()

    assert "no version in the citizen&#x27;s language (Spanish)" in html or (
        "no version in the citizen's language (Spanish)" in html
    )


def test_only_the_cases_agency_and_fitting_replies_are_offered(client, world, new_case, reply):
    CannedReply.objects.create(agency=world.other_agency, title="Tax answer", body={"en": "x"})
    CannedReply.objects.create(agency=world.agency, title="Roads only", team=world.roads,
                               body={"en": "x"})  # fmt: skip
    client.force_login(world.agent)

    html = client.get(reverse("cases:detail", args=[new_case.reference])).content.decode()

    assert "Booked" in html
    assert "Tax answer" not in html and "Roads only" not in html  # a parks case
