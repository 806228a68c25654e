"""Staff triage of feedback: scoped by agency, handled, linked to a citizen, turned into a case."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case
from citizens.timeline import citizen_timeline
from core.models import AuditEvent
from feedback import selectors, services
from feedback.models import FeedbackSubmission

pytestmark = pytest.mark.django_db


def _feedback(agency, **fields) -> FeedbackSubmission:
    values = {"kind": "complaint", "message": "Bins not emptied for two weeks.",
              "contact_email": "ana@example.org", "consent_contact": True,
              **fields}  # fmt: skip
    return services.feedback_submit(agency=agency, **values)


@pytest.fixture
def own(world):
    return _feedback(world.agency, category=world.graffiti)


@pytest.fixture
def foreign(world):
    return _feedback(world.other_agency, message="Tax office was closed at 3pm.")


def test_the_list_shows_only_the_own_agencys_feedback(client, world, own, foreign):
    client.force_login(world.agent)
    page = client.get(reverse("feedback:list")).content.decode()
    assert f"#{own.pk}" in page
    assert "Tax office" not in page

    client.force_login(world.other_agent)
    page = client.get(reverse("feedback:list")).content.decode()
    assert "Tax office" in page and "Bins not emptied" not in page


def test_list_filters_by_status_and_kind(client, world, own):
    _feedback(world.agency, kind="compliment", message="Lovely park.")
    client.force_login(world.agent)
    page = client.get(reverse("feedback:list"), {"kind": "compliment"}).content.decode()
    assert "Lovely park." in page and "Bins not emptied" not in page
    page = client.get(reverse("feedback:list"), {"status": "handled"}).content.decode()
    assert "No feedback here." in page


@pytest.mark.parametrize("name", ["detail", "handle", "link_citizen", "open_case"])
def test_another_agencys_feedback_is_404(client, world, foreign, name):
    client.force_login(world.agent)
    url = reverse(f"feedback:{name}", args=[foreign.pk])
    response = client.get(url) if name == "detail" else client.post(url, {"citizen": 1})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.status, foreign.citizen_id, foreign.follow_up_case_id) == ("new", None, None)


def test_anonymous_is_sent_to_sign_in(client, own):
    response = client.get(reverse("feedback:detail", args=[own.pk]))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_mark_handled_and_back(client, world, own):
    client.force_login(world.agent)
    url = reverse("feedback:handle", args=[own.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"handled": "1"}).status_code == 302
    own.refresh_from_db()
    assert (own.status, own.handled_by) == ("handled", world.agent)
    client.post(url, {"handled": "0"})
    own.refresh_from_db()
    assert (own.status, own.handled_at) == ("new", None)
    assert [e.action for e in AuditEvent.objects.filter(object_id=str(own.pk),
            object_type="feedback.feedbacksubmission").order_by("id")] == [
        "feedback.submitted", "feedback.handled", "feedback.reopened"]  # fmt: skip


def test_link_to_a_citizen_suggested_by_email(client, world, own, make_citizen):
    citizen = make_citizen(email="ana@example.org")
    client.force_login(world.agent)
    page = client.get(reverse("feedback:detail", args=[own.pk])).content.decode()
    assert f"record {citizen.pk}" in page  # suggested: same email

    response = client.post(reverse("feedback:link_citizen", args=[own.pk]), {"citizen": citizen.pk})

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.citizen == citizen
    bad = client.post(reverse("feedback:link_citizen", args=[own.pk]), {"citizen": 999999})
    assert bad.status_code == 400
    assert "There is no citizen record with this number." in bad.content.decode()


def test_turning_a_complaint_into_a_case_links_them(client, world, own, make_citizen):
    citizen = make_citizen()
    services.feedback_link_citizen(feedback=own, citizen=citizen, actor=world.agent)
    client.force_login(world.agent)

    response = client.post(reverse("feedback:open_case", args=[own.pk]),
                           {"category": world.graffiti.pk})  # fmt: skip

    assert response.status_code == 302
    own.refresh_from_db()
    case = own.follow_up_case
    assert case is not None
    assert (case.description, case.citizen, case.category, case.channel) == (
        own.message, citizen, world.graffiti, "web")  # fmt: skip
    assert case.reporter_email == "ana@example.org"  # they agreed to be contacted
    assert own.status == "handled"
    assert case.source_feedback == own  # the reverse relation the case page uses
    assert list(selectors.feedback_for_case(case, world.agent).submissions) == [own]
    assert AuditEvent.objects.filter(action="feedback.case_opened").exists()
    # A second time is refused.
    again = client.post(reverse("feedback:open_case", args=[own.pk]),
                        {"category": world.graffiti.pk})  # fmt: skip
    assert again.status_code == 400
    assert Case.objects.count() == 1


def test_no_contact_consent_means_no_emails_from_the_new_case(world):
    feedback = _feedback(world.agency, consent_contact=False)
    case = services.feedback_open_case(feedback=feedback, category=world.graffiti,
                                       actor=world.agent)  # fmt: skip
    assert case.reporter_email == ""


def test_only_the_own_agencys_services_and_no_compliments(client, world, own):
    with pytest.raises(services.FeedbackRuleError):
        services.feedback_open_case(feedback=own, category=world.other_category,
                                    actor=world.agent)  # fmt: skip
    compliment = _feedback(world.agency, kind="compliment")
    with pytest.raises(services.FeedbackRuleError):
        services.feedback_open_case(feedback=compliment, category=world.graffiti,
                                    actor=world.agent)  # fmt: skip
    client.force_login(world.agent)
    response = client.post(reverse("feedback:open_case", args=[own.pk]),
                           {"category": world.other_category.pk})  # fmt: skip
    assert response.status_code == 400  # not among the choices
    assert Case.objects.count() == 0


def test_staff_of_another_agency_cannot_change_it_through_the_service(world, own):
    with pytest.raises(services.FeedbackRuleError):
        services.feedback_mark_handled(feedback=own, actor=world.other_agent)


def test_citizen_timeline_shows_own_feedback_and_counts_other_agencies(world, make_citizen):
    citizen = make_citizen()
    own = _feedback(world.agency)
    foreign = _feedback(world.other_agency, message="Tax office was closed at 3pm.")
    services.feedback_link_citizen(feedback=own, citizen=citizen, actor=world.agent)
    services.feedback_link_citizen(feedback=foreign, citizen=citizen, actor=world.other_agent)

    timeline = citizen_timeline(citizen=citizen, user=world.agent)

    feedback_items = [i for i in timeline.items if i.kind == "feedback"]
    assert [i.url for i in feedback_items] == [reverse("feedback:detail", args=[own.pk])]
    assert "Tax office" not in str(timeline.items)
    assert [(o.agency_name, o.count) for o in timeline.other_agencies
            if o.label == "Feedback and surveys"] == [("Revenue", 1)]  # fmt: skip


def test_the_case_page_shows_the_feedback_about_the_case(client, world, own, new_case):
    page = reverse("cases:detail", args=[new_case.reference])
    client.force_login(world.agent)
    assert "Feedback and survey" not in client.get(page).content.decode()  # nothing yet

    FeedbackSubmission.objects.filter(pk=own.pk).update(case=new_case)

    html = client.get(page).content.decode()
    assert "Feedback and survey" in html
    assert reverse("feedback:detail", args=[own.pk]) in html
    # Another agency's staff see nothing of it.
    assert not selectors.feedback_for_case(new_case, world.other_agent)
