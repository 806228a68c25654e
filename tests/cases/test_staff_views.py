"""The staff case pages: intake, the case page and its actions, attachment downloads, scoping."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import AttributeDefinition, Case, CaseEvent
from cases.services import (
    case_attach,
    case_create,
    case_note_add,
    case_public_update,
    case_refer,
)
from citizens.models import Citizen
from citizens.services import citizen_create

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64

ACTIONS = [
    "note", "update", "contact", "status", "take", "assign", "unassign", "transfer", "refer",
    "priority", "category", "attach",
]  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def agent_client(client, world):
    client.force_login(world.agent)
    return client


def detail_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.reference])


def action_url(case: Case, action: str) -> str:
    return reverse(f"cases:{action}", args=[case.reference])


def text(response) -> str:
    return response.content.decode()


def refreshed(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- who may open what ----------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in_from_every_page_and_action(client, new_case):
    pages = [
        reverse("cases:queue"),
        reverse("cases:intake"),
        reverse("cases:intake_citizen_search"),
        reverse("cases:intake_questions"),
        detail_url(new_case),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/staff/login/"), url
    for action in ACTIONS:
        response = client.post(action_url(new_case, action), {"note-body": "x"})
        assert response.status_code == 302, action
        assert response.url.startswith("/staff/login/")
    assert not new_case.events.filter(kind="note").exists()


def test_signed_in_users_without_a_staff_profile_are_refused(client, new_case):
    outsider = get_user_model().objects.create_user(username="visitor", password="pw-0123456789")
    client.force_login(outsider)

    assert client.get(reverse("cases:queue")).status_code == 403
    assert client.get(detail_url(new_case)).status_code == 403
    assert client.post(action_url(new_case, "note"), {"note-body": "x"}).status_code == 403


def test_another_agencys_case_is_404_on_the_page_every_action_and_its_files(
    client, world, new_case
):
    attachment = case_attach(case=new_case, upload=SimpleUploadedFile("a.png", PNG),
                             actor=world.agent)  # fmt: skip
    client.force_login(world.other_agent)

    assert client.get(detail_url(new_case)).status_code == 404
    for action in ACTIONS:
        assert client.post(action_url(new_case, action), {}).status_code == 404, action
    download = reverse("cases:attachment", args=[new_case.reference, attachment.token])
    assert client.get(download).status_code == 404
    assert refreshed(new_case).assignee_id is None
    assert new_case.events.count() == 2  # created + attachment, nothing from olga


def test_a_case_referred_away_is_readable_but_every_action_answers_404(client, world, new_case):
    case_note_add(case=new_case, body="Checked the wall", actor=world.agent)
    case_refer(case=new_case, category=world.other_category, reason="It is about tax",
               actor=world.agent)  # fmt: skip
    client.force_login(world.agent)

    page = client.get(detail_url(new_case))

    assert page.status_code == 200
    assert "Referred to Revenue — read only" in text(page)
    assert "Checked the wall" in text(page)
    assert f'action="{action_url(new_case, "note")}"' not in text(page)
    assert 'id="actions-heading"' not in text(page)
    for action in ACTIONS:
        data = {"note-body": "more", "priority-priority": "urgent"}
        assert client.post(action_url(new_case, action), data).status_code == 404, action
    case = refreshed(new_case)
    assert case.priority == "normal" and case.events.filter(kind="note").count() == 1

    client.force_login(world.other_agent)  # the receiving agency works on it
    page = client.get(detail_url(new_case))
    assert page.status_code == 200
    assert "read only" not in text(page)
    assert client.post(action_url(new_case, "take")).status_code == 302
    assert refreshed(new_case).assignee == world.other_agent


def test_the_case_is_addressed_by_its_reference_never_its_id(agent_client, new_case):
    assert agent_client.get(f"/staff/cases/{new_case.pk}/").status_code == 404
    assert agent_client.get(f"/staff/cases/{new_case.reference}/").status_code == 200


# --- the case page --------------------------------------------------------------------------


def test_the_case_page_shows_header_citizen_answers_and_one_timeline(agent_client, world):
    citizen = citizen_create(actor=world.agent, first_name="Maria", last_name="Lopez",
                             email="maria@example.org", phone="+13125550142")  # fmt: skip
    case = case_create(category=world.pothole, description="Deep hole by the school",
                       channel="phone", actor=world.agent, citizen=citizen,
                       attributes={"size": "large"}, address="1 Main St")  # fmt: skip
    case_note_add(case=case, body="Crew booked for Monday", actor=world.agent)
    case_public_update(case=case, body="A crew will come on Monday", actor=world.agent)
    attachment = case_attach(case=case, upload=SimpleUploadedFile("hole.png", PNG),
                             actor=world.agent)  # fmt: skip

    response = agent_client.get(detail_url(case))
    page = text(response)

    assert response.status_code == 200
    assert f"<h1>Case {case.reference}</h1>" in page
    assert '<span class="usa-tag crm-status crm-status--new">New</span>' in page
    for fact in ("Normal", "Pothole", "Roads", "Nobody", "Phone"):
        assert fact in page
    assert "Maria Lopez" in page and "maria@example.org" in page
    assert f'href="{reverse("citizens:detail", args=[citizen.pk])}"' in page
    assert "Deep hole by the school" in page
    assert re.search(r"<dt>Size</dt><dd>Large</dd>", page)
    # One timeline, oldest first, with who and when, notes and updates marked in words.
    timeline = page[page.index('id="timeline"') :]
    positions = [timeline.index(s) for s in ("Case created (Phone)", "Crew booked for Monday",
                                             "A crew will come on Monday", "hole.png")]  # fmt: skip
    assert positions == sorted(positions)
    note = timeline[: timeline.index("Crew booked for Monday")]
    assert note.rstrip().count(">Internal</span>") == 1
    update = timeline[timeline.index("Crew booked") : timeline.index("A crew will come")]
    assert ">Sent to citizen</span>" in update
    assert "Alex" in timeline
    assert reverse("cases:attachment", args=[case.reference, attachment.token]) in timeline


def test_the_case_page_offers_only_the_allowed_next_statuses(agent_client, new_case):
    page = text(agent_client.get(detail_url(new_case)))
    status_select = re.search(r'<select name="status-to_status".*?</select>', page, re.S).group(0)

    assert 'value="open"' in status_select
    assert 'value="resolved"' not in status_select and 'value="closed"' not in status_select


def test_adding_a_note_redirects_to_the_case_page_with_a_message(agent_client, world, new_case):
    response = agent_client.post(action_url(new_case, "note"), {"note-body": "Called the crew"})

    assert response.status_code == 302 and response.url == detail_url(new_case)
    note = new_case.events.get(kind="note")
    assert note.body == "Called the crew" and note.is_public is False
    assert note.actor == world.agent
    page = text(agent_client.get(response.url))
    assert "Internal note added." in page


def test_an_empty_note_shows_the_error_next_to_the_field_and_writes_nothing(agent_client, new_case):
    response = agent_client.post(action_url(new_case, "note"), {"note-body": "  "})

    assert response.status_code == 400
    page = text(response)
    assert '<details class="crm-action" id="action-note" open>' in page
    assert 'id="id_note-body-error"' in page
    assert not new_case.events.filter(kind="note").exists()


def test_a_public_update_is_sent_and_is_the_first_response(agent_client, new_case):
    response = agent_client.post(action_url(new_case, "update"), {"update-body": "On our list"})

    assert response.status_code == 302
    event = new_case.events.get(kind="public_update")
    assert event.is_public and event.body == "On our list"
    assert refreshed(new_case).first_response_at == event.created_at


def test_a_public_update_on_a_closed_case_shows_the_services_message(agent_client, world,
                                                                      new_case):  # fmt: skip
    services.case_take(case=new_case, actor=world.agent)
    services.case_transition(case=new_case, to_status="resolved", actor=world.agent,
                             resolution_code="resolved", citizen_contacted=True)  # fmt: skip
    services.case_close(case=new_case, actor=world.agent)

    response = agent_client.post(action_url(new_case, "update"), {"update-body": "Hello"})

    assert response.status_code == 400
    assert "Reopen the case before writing to the citizen." in text(response)
    assert not new_case.events.filter(kind="public_update").exists()


@pytest.mark.parametrize(("direction", "is_response"), [("out", True), ("in", False)])
def test_logging_a_contact(agent_client, new_case, direction, is_response):
    response = agent_client.post(
        action_url(new_case, "contact"),
        {"contact-method": "phone", "contact-direction": direction, "contact-body": "Spoke"},
    )

    assert response.status_code == 302
    event = new_case.events.get(kind="contact")
    assert event.data == {"method": "phone", "outbound": is_response}
    assert (refreshed(new_case).first_response_at is not None) is is_response


def test_an_invalid_transition_shows_the_workflows_message(agent_client, new_case):
    response = agent_client.post(
        action_url(new_case, "status"),
        {"status-to_status": "closed"},
    )

    assert response.status_code == 400
    assert "A case that is “New” cannot become “Closed”." in text(response)
    assert refreshed(new_case).status == "new"
    assert not new_case.events.filter(kind="status").exists()


def test_resolving_asks_for_the_resolution_and_whether_the_citizen_was_contacted(
    agent_client, world, new_case
):
    services.case_take(case=new_case, actor=world.agent)
    url = action_url(new_case, "status")

    missing = agent_client.post(url, {"status-to_status": "resolved"})
    assert missing.status_code == 400
    assert "Choose how the case was resolved." in text(missing)
    assert 'id="id_status-resolution_code-error"' in text(missing)
    assert refreshed(new_case).status == "open"

    no_contact = agent_client.post(
        url, {"status-to_status": "resolved", "status-resolution_code": "resolved"}
    )
    assert no_contact.status_code == 400
    assert "Say whether the citizen was contacted." in text(no_contact)

    done = agent_client.post(
        url,
        {"status-to_status": "resolved", "status-resolution_code": "no_action",
         "status-citizen_contacted": "no", "status-note": "Nothing to do"},
    )  # fmt: skip
    assert done.status_code == 302
    case = refreshed(new_case)
    assert (case.status, case.resolution_code, case.citizen_contacted) == (
        "resolved", "no_action", False,
    )  # fmt: skip
    assert "Status changed to “Resolved”." in text(agent_client.get(done.url))


def test_take_assign_and_unassign(agent_client, world, new_case):
    assert agent_client.post(action_url(new_case, "take")).status_code == 302
    case = refreshed(new_case)
    assert (case.assignee, case.status) == (world.agent, "open")

    response = agent_client.post(action_url(new_case, "assign"),
                                 {"assign-assignee": world.agent2.pk})  # fmt: skip
    assert response.status_code == 302
    assert refreshed(new_case).assignee == world.agent2

    elsewhere = agent_client.post(action_url(new_case, "assign"),
                                  {"assign-assignee": world.other_agent.pk})  # fmt: skip
    assert elsewhere.status_code == 400
    assert "Select a valid choice" in text(elsewhere)
    assert refreshed(new_case).assignee == world.agent2

    assert agent_client.post(action_url(new_case, "unassign")).status_code == 302
    assert refreshed(new_case).assignee is None


def test_the_assign_list_offers_the_agencys_staff_only(agent_client, world, new_case):
    page = text(agent_client.get(detail_url(new_case)))
    select = re.search(r'<select name="assign-assignee".*?</select>', page, re.S).group(0)

    assert "Blair" in select and "Sam" in select
    assert "Olga" not in select


def test_transfer_to_a_team_of_the_agency(agent_client, world, new_case):
    services.case_take(case=new_case, actor=world.agent)
    url = action_url(new_case, "transfer")

    other = agent_client.post(url, {"transfer-team": world.other_team.pk})
    assert other.status_code == 400
    assert refreshed(new_case).team == world.parks

    response = agent_client.post(url, {"transfer-team": world.roads.pk, "transfer-reason": "Road"})
    assert response.status_code == 302
    case = refreshed(new_case)
    assert (case.team, case.assignee) == (world.roads, None)
    assert "Case transferred to team Roads." in text(agent_client.get(response.url))


def test_refer_to_another_agency_makes_the_case_read_only_here(agent_client, world, new_case):
    url = action_url(new_case, "refer")
    no_reason = agent_client.post(url, {"refer-category": world.other_category.pk})
    assert no_reason.status_code == 400
    assert refreshed(new_case).agency == world.agency

    own = agent_client.post(url, {"refer-category": world.pothole.pk, "refer-reason": "x"})
    assert own.status_code == 400  # only other agencies' services are offered

    response = agent_client.post(
        url, {"refer-category": world.other_category.pk, "refer-reason": "About taxes"}
    )
    assert response.status_code == 302
    assert refreshed(new_case).agency == world.other_agency
    page = text(agent_client.get(response.url))
    assert "Case referred to Revenue. You can still read it." in page
    assert "Referred to Revenue — read only" in page


def test_change_priority_and_service(agent_client, world, new_case):
    assert agent_client.post(action_url(new_case, "priority"),
                             {"priority-priority": "urgent"}).status_code == 302  # fmt: skip
    bad = agent_client.post(action_url(new_case, "priority"), {"priority-priority": "asap"})
    assert bad.status_code == 400
    response = agent_client.post(action_url(new_case, "category"),
                                 {"category-category": world.pothole.pk})  # fmt: skip
    assert response.status_code == 302
    other = agent_client.post(action_url(new_case, "category"),
                              {"category-category": world.other_category.pk})  # fmt: skip
    assert other.status_code == 400

    case = refreshed(new_case)
    assert (case.priority, case.category) == ("urgent", world.pothole)
    page = text(agent_client.get(response.url))
    assert "Priority changed from Normal to Urgent" in page
    assert "Service changed from Graffiti to Pothole" in page


# --- attachments ----------------------------------------------------------------------------


def test_attach_a_file_and_download_it_with_safe_headers(agent_client, new_case):
    response = agent_client.post(
        action_url(new_case, "attach"),
        {"attach-file": SimpleUploadedFile("photo of wall.png", PNG, "text/html"),
         "attach-is_public": "on"},
    )  # fmt: skip

    assert response.status_code == 302
    attachment = new_case.attachments.get()
    assert attachment.is_public and attachment.content_type == "image/png"
    page = text(agent_client.get(detail_url(new_case)))
    download_url = reverse("cases:attachment", args=[new_case.reference, attachment.token])
    assert download_url in page

    download = agent_client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "photo of wall.png" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PNG


def test_a_refused_file_shows_the_reason_next_to_the_field_and_stores_nothing(
    agent_client, new_case
):
    response = agent_client.post(
        action_url(new_case, "attach"), {"attach-file": SimpleUploadedFile("cv.pdf", EXE)}
    )

    assert response.status_code == 400
    assert "This type of file is not accepted." in text(response)
    assert 'id="id_attach-file-error"' in text(response)
    assert not new_case.attachments.exists()


def test_downloads_need_the_right_case_and_token(client, world, new_case):
    attachment = case_attach(case=new_case, upload=SimpleUploadedFile("a.png", PNG),
                             actor=world.agent)  # fmt: skip
    other_case = case_create(category=world.pothole, description="x", channel="phone",
                             attributes={"size": "small"})  # fmt: skip
    client.force_login(world.agent)

    wrong_case = reverse("cases:attachment", args=[other_case.reference, attachment.token])
    assert client.get(wrong_case).status_code == 404
    wrong_token = reverse("cases:attachment", args=[new_case.reference, "0" * 32])
    assert client.get(wrong_token).status_code == 404


def test_the_referring_agency_can_still_download_the_cases_files(client, world, new_case):
    attachment = case_attach(case=new_case, upload=SimpleUploadedFile("a.png", PNG),
                             actor=world.agent)  # fmt: skip
    case_refer(case=new_case, category=world.other_category, reason="tax", actor=world.agent)
    client.force_login(world.agent)

    url = reverse("cases:attachment", args=[new_case.reference, attachment.token])
    assert client.get(url).status_code == 200


# --- htmx -----------------------------------------------------------------------------------


def test_action_forms_post_with_htmx_and_work_without_it(agent_client, new_case):
    page = text(agent_client.get(detail_url(new_case)))
    form = re.search(r'<form method="post" action="[^"]*/note/".*?>', page, re.S).group(0)
    assert 'hx-post="' in form and 'hx-select="#main-content"' in form
    assert "csrfmiddlewaretoken" in page

    response = agent_client.post(action_url(new_case, "note"), {"note-body": ""},
                                 HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 400
    assert 'id="main-content"' in text(response)  # the page, with the errors, to swap in


# --- intake ---------------------------------------------------------------------------------


def intake_data(world, **extra) -> dict:
    data = {
        "category": str(world.pothole.pk),
        "attr_size": "large",
        "description": "Deep hole outside number 4",
        "address": "4 Elm Street",
        "channel": "phone",
        "priority": "",
        "new-first_name": "",
        "new-last_name": "",
        "new-email": "",
        "new-phone": "",
        "new-preferred_language": "en",
    }
    data.update(extra)
    return data


def test_the_intake_page_has_a_labelled_live_search_and_services_by_group(agent_client, world):
    response = agent_client.get(reverse("cases:intake"))
    page = text(response)

    assert response.status_code == 200
    assert '<label class="usa-label" for="citizen-q">' in page
    assert 'aria-live="polite"' in page
    assert f'hx-get="{reverse("cases:intake_citizen_search")}"' in page
    assert '<optgroup label="Streets">' in page
    assert "Tax question" not in page  # another agency's service
    assert f'hx-get="{reverse("cases:intake_questions")}"' in page
    assert "Show questions for this service" in page  # without JavaScript


def test_citizen_search_as_you_type_returns_links_that_pick_the_citizen(agent_client, world):
    maria = citizen_create(actor=world.agent, first_name="María", last_name="López",
                           email="maria@example.org")  # fmt: skip

    partial = agent_client.get(reverse("cases:intake_citizen_search"), {"q": "maria lopez"})
    assert partial.status_code == 200
    assert "<html" not in text(partial)
    assert "Choose María López" in text(partial)
    assert f"?citizen={maria.pk}" in text(partial)

    # Without JavaScript the search form reloads the page with the same results.
    assert "Choose María López" in text(agent_client.get(reverse("cases:intake"), {"q": "lopez"}))

    picked = agent_client.get(reverse("cases:intake_citizen"), {"citizen": maria.pk})
    assert "Request from María López" in text(picked)
    assert f'name="citizen" value="{maria.pk}"' in text(picked)
    page = text(agent_client.get(reverse("cases:intake"), {"citizen": maria.pk}))
    assert "Request from María López" in page

    none = agent_client.get(reverse("cases:intake_citizen_search"), {"q": "zzzzqqq"})
    assert "No citizen matches" in text(none)


def test_the_questions_reload_for_the_chosen_service(agent_client, world):
    partial = agent_client.get(reverse("cases:intake_questions"),
                               {"category": world.pothole.pk})  # fmt: skip
    page = text(partial)

    assert partial.status_code == 200 and "<html" not in page
    assert '<legend class="usa-legend">Size <abbr title="required"' in page
    assert 'type="radio" name="attr_size" value="small"' in page

    other = agent_client.get(reverse("cases:intake_questions"),
                             {"category": world.other_category.pk})  # fmt: skip
    assert "attr_" not in text(other)


def test_without_javascript_show_questions_redisplays_the_form_without_errors(agent_client, world):
    response = agent_client.post(
        reverse("cases:intake"),
        {"category": world.pothole.pk, "description": "Hole", "action": "questions",
         "new-first_name": "Quentin", "new-email": "bad"},
    )  # fmt: skip

    page = text(response)
    assert response.status_code == 200
    assert 'value="Quentin"' in page and re.search(r">\s*Hole</textarea>", page)  # all kept
    assert 'name="attr_size"' in page
    assert "usa-error-message" not in page
    assert not Case.objects.exists()


def test_intake_for_an_existing_citizen_creates_the_case_in_the_categorys_team(agent_client, world):
    maria = citizen_create(actor=world.agent, first_name="Maria", last_name="Lopez")

    response = agent_client.post(reverse("cases:intake"),
                                 intake_data(world, citizen=maria.pk))  # fmt: skip

    case = Case.objects.get()
    assert response.status_code == 302 and response.url == detail_url(case)
    assert case.citizen == maria
    assert case.team == world.roads and case.agency == world.agency
    assert case.attributes == {"size": "large"}
    assert (case.channel, case.priority, case.status) == ("phone", "normal", "new")
    assert case.address == "4 Elm Street"
    assert case.events.get(kind="created").actor == world.agent
    assert f"Case {case.reference} created." in text(agent_client.get(response.url))


def test_intake_of_a_new_citizen_creates_the_record_and_the_case(agent_client, world):
    response = agent_client.post(
        reverse("cases:intake"),
        intake_data(world, **{"new-first_name": "Quentin", "new-last_name": "Zyborski",
                              "new-email": "QZ@example.org", "priority": "high",
                              "channel": "walk_in"}),
    )  # fmt: skip

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.citizen.full_name == "Quentin Zyborski"
    assert case.citizen.email == "qz@example.org"
    assert (case.priority, case.channel) == ("high", "walk_in")


def test_intake_keeps_no_new_citizen_when_the_case_is_refused(world):
    world.pothole.active = False
    world.pothole.save()

    with pytest.raises(services.CaseRuleError):
        services.case_intake(
            actor=world.agent,
            new_citizen={"first_name": "Quentin", "last_name": "Zyborski"},
            category=world.pothole,
            description="Deep hole",
            channel="phone",
        )

    assert not Citizen.objects.exists() and not Case.objects.exists()


def test_intake_reports_a_bad_new_citizen_on_the_citizens_fields(world):
    with pytest.raises(services.NewCitizenInvalid) as refused:
        services.case_intake(
            actor=world.agent,
            new_citizen={"first_name": "Quentin", "last_name": "Zyborski", "phone": "12"},
            category=world.pothole,
            description="Deep hole",
            channel="phone",
        )

    assert "phone" in refused.value.message_dict
    assert not Citizen.objects.exists() and not Case.objects.exists()


def test_a_new_citizen_who_may_exist_shows_the_duplicate_warning_first(agent_client, world):
    john = citizen_create(actor=world.agent, first_name="John", last_name="Smith",
                          email="john@example.org")  # fmt: skip
    data = intake_data(world, **{"new-first_name": "Jonh", "new-last_name": "Smith"})

    warned = agent_client.post(reverse("cases:intake"), data)

    assert warned.status_code == 400
    page = text(warned)
    assert "This person may already have a record" in page
    assert f'name="use_citizen" value="{john.pk}"' in page
    assert "I have checked the possible duplicates" in page
    assert Citizen.objects.count() == 1 and not Case.objects.exists()
    seen = re.search(r'name="new-duplicates_seen" value="([^"]*)"', page).group(1)
    assert seen == str(john.pk)

    # Submitting again without ticking "create anyway" still creates nothing.
    again = agent_client.post(reverse("cases:intake"), {**data, "new-duplicates_seen": seen})
    assert again.status_code == 400 and not Case.objects.exists()

    created = agent_client.post(
        reverse("cases:intake"),
        {**data, "new-duplicates_seen": seen, "new-create_anyway": "on"},
    )
    assert created.status_code == 302
    assert Citizen.objects.count() == 2
    assert Case.objects.get().citizen.first_name == "Jonh"


def test_choosing_a_duplicate_candidate_keeps_what_was_typed(agent_client, world):
    john = citizen_create(actor=world.agent, first_name="John", last_name="Smith")
    data = intake_data(world, **{"new-first_name": "John", "new-last_name": "Smith"})

    response = agent_client.post(reverse("cases:intake"), {**data, "use_citizen": john.pk})

    page = text(response)
    assert response.status_code == 200
    assert "Request from John Smith" in page
    assert "Deep hole outside number 4" in page
    assert not Case.objects.exists()
    created = agent_client.post(reverse("cases:intake"), {**data, "citizen": john.pk})
    assert created.status_code == 302
    assert Case.objects.get().citizen == john and Citizen.objects.count() == 1


def test_an_anonymous_request_has_no_citizen(agent_client, world):
    assert agent_client.post(reverse("cases:intake"), intake_data(world)).status_code == 302
    assert Case.objects.get().citizen is None


def test_answers_are_checked_and_errors_shown_per_question(agent_client, world):
    AttributeDefinition.objects.create(category=world.pothole, code="depth",
                                       label={"en": "Depth in cm"}, datatype="number")  # fmt: skip

    response = agent_client.post(
        reverse("cases:intake"),
        intake_data(world, attr_size="", attr_depth="deep", description=""),
    )

    page = text(response)
    assert response.status_code == 400
    assert re.search(r'id="id_attr_size-error" role="alert">This field is required.', page)
    assert re.search(r'id="id_attr_depth-error" role="alert">Enter a number.', page)
    assert re.search(r'id="id_description-error" role="alert">This field is required.', page)
    assert not Case.objects.exists()


def test_every_attribute_datatype_has_its_input_and_is_stored_cleaned(agent_client, world):
    category = world.graffiti
    specs = [
        ("where", "string", []), ("details", "text", []), ("count", "number", []),
        ("seen", "datetime", []),
        ("colour", "singlevaluelist", [{"key": "red", "name": {"en": "Red"}},
                                       {"key": "blue", "name": {"en": "Blue"}}]),
        ("surface", "multivaluelist", [{"key": "wall", "name": {"en": "Wall"}},
                                       {"key": "door", "name": {"en": "Door"}}]),
    ]  # fmt: skip
    for order, (code, datatype, values) in enumerate(specs):
        AttributeDefinition.objects.create(
            category=category, code=code, label={"en": code}, datatype=datatype, values=values,
            order=order,
        )  # fmt: skip

    page = text(agent_client.get(reverse("cases:intake_questions"), {"category": category.pk}))
    assert 'type="text" name="attr_where"' in page
    assert '<textarea name="attr_details"' in page
    assert 'type="number" name="attr_count"' in page
    assert 'type="datetime-local" name="attr_seen"' in page
    assert 'type="radio" name="attr_colour"' in page
    assert 'type="checkbox" name="attr_surface"' in page

    response = agent_client.post(
        reverse("cases:intake"),
        intake_data(world, category=category.pk, attr_size="", attr_where="Back wall",
                    attr_details="Big", attr_count="3", attr_seen="2026-05-01T14:30",
                    attr_colour="red", attr_surface=["wall", "door"]),
    )  # fmt: skip

    assert response.status_code == 302
    assert Case.objects.get().attributes == {
        "where": "Back wall", "details": "Big", "count": 3,
        "seen": "2026-05-01T14:30:00-05:00", "colour": "red", "surface": ["wall", "door"],
    }  # fmt: skip


def test_intake_refuses_another_agencys_service(agent_client, world):
    response = agent_client.post(reverse("cases:intake"),
                                 intake_data(world, category=world.other_category.pk))  # fmt: skip

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_refused_case_leaves_no_new_citizen_behind(agent_client, world, monkeypatch):
    def refuse(**kwargs):
        raise services.CaseRuleError({"description": ["Not today."]})

    monkeypatch.setattr(services, "case_create", refuse)

    response = agent_client.post(
        reverse("cases:intake"),
        intake_data(world, **{"new-first_name": "Quentin", "new-last_name": "Zyborski"}),
    )

    assert response.status_code == 400
    assert re.search(r'id="id_description-error" role="alert">Not today.', text(response))
    assert not Citizen.objects.exists()


def test_new_citizen_errors_are_shown_on_its_fields(agent_client, world):
    response = agent_client.post(
        reverse("cases:intake"),
        intake_data(world, **{"new-email": "not-an-email", "new-phone": "12"}),
    )

    page = text(response)
    assert response.status_code == 400
    assert 'id="id_new-email-error"' in page and 'id="id_new-phone-error"' in page
    assert 'id="id_new-last_name-error"' in page  # a name is needed
    assert not Case.objects.exists() and not Citizen.objects.exists()


def test_timeline_events_carry_who_and_when(agent_client, world, new_case):
    services.case_take(case=new_case, actor=world.agent2)
    page = text(agent_client.get(detail_url(new_case)))

    assert "Assigned to Blair" in page
    assert "Status changed from “New” to “Open”" in page
    event = new_case.events.filter(kind=CaseEvent.Kind.ASSIGNMENT).get()
    assert f'datetime="{event.created_at.isoformat()}' in page or "<time datetime=" in page


def test_a_citizen_record_gone_meanwhile_is_reported(agent_client, world):
    response = agent_client.post(reverse("cases:intake"), intake_data(world, citizen=987654))

    assert response.status_code == 400
    assert "The chosen citizen record is no longer available" in text(response)
    assert not Case.objects.exists()


# Session, user, staff profile, the case with its events, files and referrals, the service's
# questions, and the choices of the action forms (staff, teams, services): not per event. The
# SLA box adds at most 5: the policy and its escalation levels, the team's calendar, its
# opening hours and holidays. The feedback panel adds 2: feedback about the case, survey answers.
# The saved replies offered in the update and contact forms add one each (whether any fit).
# Followers, possible duplicates (nearby, same citizen), related and merged cases add 5.
MAX_CASE_PAGE_QUERIES = 27


@pytest.mark.parametrize("notes", [1, 30])
def test_case_page_queries_do_not_grow_with_the_timeline(
    agent_client, world, new_case, django_assert_max_num_queries, notes
):
    for number in range(notes):
        case_note_add(case=new_case, body=f"Note {number}", actor=world.agent)
        case_attach(case=new_case, upload=SimpleUploadedFile(f"{number}.png", PNG),
                    actor=world.agent2)  # fmt: skip
    services.case_take(case=new_case, actor=world.agent)

    with django_assert_max_num_queries(MAX_CASE_PAGE_QUERIES):
        response = agent_client.get(detail_url(new_case))

    assert text(response).count("crm-event--note") == notes


def test_following_a_search_results_link_opens_intake_with_the_focus_on_the_choice(
    agent_client, world
):
    maria = citizen_create(actor=world.agent, first_name="María", last_name="López")

    page = text(agent_client.get(reverse("cases:intake"), {"citizen": maria.pk}))
    picked_by_htmx = text(agent_client.get(reverse("cases:intake_citizen"), {"citizen": maria.pk}))

    assert 'id="citizen-chosen"' in page and "data-focus-on-load" in page
    assert 'id="citizen-chosen"' in picked_by_htmx  # htmx moves the focus there itself
    assert "data-focus-on-load" not in picked_by_htmx
