"""REST API for feedback and survey results: one agency's own, never another's."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent
from feedback import services, survey_services
from feedback.models import FeedbackSubmission
from tests.api._fixtures_people import error_of, staff_of
from tests.feedback.conftest import (  # noqa: F401  (fixtures of the feedback tests)
    close_case,
    invitation_of,
    make_citizen,
    make_survey,
    survey_settings,
)

pytestmark = pytest.mark.django_db

FEEDBACK = "/api/v1/feedback/"
RESULTS = "/api/v1/surveys/results/"


def submit(agency, message: str = "The hole is still there.", **extra) -> FeedbackSubmission:
    return services.feedback_submit(agency=agency, kind=extra.pop("kind", "complaint"),
                                    message=message, **extra)  # fmt: skip


@pytest.fixture
def own_and_other(world):
    return submit(world.agency), submit(world.other_agency, "Tax office closed early.")


# --- list and read --------------------------------------------------------------------------


def test_no_token_is_a_401_with_the_error_body(world, own_and_other):
    own, _other = own_and_other
    client = APIClient()
    for response in (client.get(FEEDBACK), client.get(f"{FEEDBACK}{own.pk}/"),
                     client.post(FEEDBACK, {"kind": "complaint", "message": "x"}, format="json"),
                     client.get(RESULTS)):  # fmt: skip
        error_of(response, 401)
    assert FeedbackSubmission.objects.count() == 2


def test_staff_list_and_read_only_their_agencys_feedback(api_as, world, own_and_other):
    own, other = own_and_other
    client = api_as(world.agent)

    listed = client.get(FEEDBACK).json()["results"]

    assert [f["id"] for f in listed] == [own.pk]
    assert listed[0]["agency"] == "pw" and listed[0]["message"] == "The hole is still there."
    assert client.get(f"{FEEDBACK}{own.pk}/").status_code == 200
    error_of(client.get(f"{FEEDBACK}{other.pk}/"), 404)
    error_of(client.get(f"{FEEDBACK}0.5/"), 404)
    assert "Tax office" not in client.get(FEEDBACK).content.decode()
    assert [f["id"] for f in api_as(world.other_agent).get(FEEDBACK).json()["results"]] == [
        other.pk
    ]


def test_the_list_filters_by_status_and_kind(api_as, world):
    complaint = submit(world.agency)
    compliment = submit(world.agency, "Thanks!", kind="compliment")
    services.feedback_mark_handled(feedback=complaint, actor=world.agent)
    client = api_as(world.agent)

    def ids(**query):
        return [f["id"] for f in client.get(FEEDBACK, query).json()["results"]]

    assert ids() == [compliment.pk, complaint.pk]
    assert ids(status="handled") == [complaint.pk]
    assert ids(kind="compliment") == [compliment.pk]
    assert error_of(client.get(FEEDBACK, {"status": "bogus"}), 400)["fields"]


# --- create ---------------------------------------------------------------------------------


def test_a_portal_submits_feedback_on_behalf_of_a_citizen(api_as, world, make_citizen):  # noqa: F811
    citizen = make_citizen()
    response = api_as(world.agent).post(FEEDBACK, {
        "kind": "complaint", "message": "  Nobody came.  ", "category": "graffiti",
        "contact_email": "Rosa@Example.org", "consent_contact": True, "citizen": citizen.pk,
        "language": "es",
    }, format="json")  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    feedback = FeedbackSubmission.objects.get(pk=body["id"])
    assert (feedback.agency, feedback.category, feedback.citizen) == (
        world.agency, world.graffiti, citizen,
    )  # fmt: skip
    assert (feedback.message, feedback.contact_email, feedback.language) == (
        "Nobody came.", "rosa@example.org", "es",
    )  # fmt: skip
    assert body["citizen"] == citizen.pk and body["category"] == "graffiti"
    assert AuditEvent.objects.filter(action="feedback.submitted", object_id=str(feedback.pk),
                                     agency_id=world.agency.pk).exists()  # fmt: skip
    linked = AuditEvent.objects.get(action="feedback.citizen_linked", object_id=str(feedback.pk))
    assert linked.actor_user == world.agent
    submitted = AuditEvent.objects.get(action="feedback.submitted", object_id=str(feedback.pk))
    assert submitted.actor_user == world.agent  # recorded by staff, not "the public form"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "kind"),
        ({"kind": "rant", "message": "x"}, "kind"),
        ({"kind": "complaint", "message": "   "}, "message"),
        ({"kind": "complaint", "message": "x", "category": "tax-question"}, "category"),
        ({"kind": "complaint", "message": "x", "citizen": 999999}, "citizen"),
        # refused by the service: consent to be contacted, but no way to contact
        ({"kind": "complaint", "message": "x", "consent_contact": True}, "contact_email"),
        ({"kind": "complaint", "message": "x", "contact_email": "nope"}, "contact_email"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(api_as, world, body, field):
    client = api_as(world.agent)
    audit_rows = AuditEvent.objects.count()

    error = error_of(client.post(FEEDBACK, body, format="json"), 400)

    assert error["code"] == "invalid" and field in error["fields"], error
    assert not FeedbackSubmission.objects.exists()
    assert AuditEvent.objects.count() == audit_rows


# --- survey results -------------------------------------------------------------------------

# (category, resolved, csat, nps); None: invited, not answered.
ANSWERS = [("graffiti", 1, 5, 10), ("graffiti", 1, 4, 9), ("graffiti", None, None, None),
           ("pothole", 0, 2, 3)]  # fmt: skip


@pytest.fixture
def answered(world, make_citizen, close_case, survey_settings):  # noqa: F811
    survey = make_survey(world.agency)
    other_survey = make_survey(world.other_agency)
    invitations = [
        invitation_of(close_case(make_citizen(), category=getattr(world, category),
                                 attributes={"size": "small"} if category == "pothole" else None))
        for category, *_rest in ANSWERS
    ]  # fmt: skip
    foreign = invitation_of(close_case(make_citizen(), category=world.other_category,
                                       agent=world.other_agent))  # fmt: skip
    survey_services.surveys_dispatch(now=timezone.now())
    q = {question.code: question.pk for question in survey.questions.all()}
    for invitation, (_category, resolved, csat, nps) in zip(invitations, ANSWERS, strict=True):
        if resolved is not None:
            invitation.refresh_from_db()
            survey_services.survey_respond(invitation=invitation, answers={
                q["resolved"]: resolved, q["csat"]: csat, q["nps"]: nps})  # fmt: skip
    foreign.refresh_from_db()
    oq = {question.code: question.pk for question in other_survey.questions.all()}
    survey_services.survey_respond(invitation=foreign,
                            answers={oq["resolved"]: 0, oq["csat"]: 1, oq["nps"]: 0})  # fmt: skip


def test_results_are_for_supervisors_and_admins(api_as, world):
    assert error_of(api_as(world.agent).get(RESULTS), 403)["code"] == "permission_denied"
    assert api_as(world.supervisor).get(RESULTS).status_code == 200
    assert api_as(world.admin).get(RESULTS).status_code == 200


def test_results_give_the_agencys_exact_figures(api_as, world, answered):
    body = api_as(world.supervisor).get(RESULTS, {"group_by": "category"}).json()
    total = body["total"]

    assert body["group_by"] == "category" and len(body["months"]) == 12
    assert (total["sent"], total["answered"], total["response_rate"]) == (4, 3, 75.0)
    assert (total["csat_average"], total["csat_satisfied"]) == (3.67, 66.7)
    assert total["csat_distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert (total["promoters"], total["passives"], total["detractors"], total["nps"]) == (
        2, 0, 1, 33.3,
    )  # fmt: skip
    assert (total["resolved_yes"], total["resolved_count"], total["resolved_rate"]) == (2, 3, 66.7)
    groups = {g["label"]: g for g in body["groups"]}
    assert set(groups) == {"Graffiti", "Pothole"}
    assert (groups["Graffiti"]["sent"], groups["Graffiti"]["csat_average"]) == (3, 4.5)
    assert (groups["Pothole"]["nps"], groups["Pothole"]["resolved_rate"]) == (-100.0, 0.0)


def test_another_agencys_supervisor_sees_only_their_own_figures(api_as, world, answered):
    other_supervisor = staff_of(world.other_agency, "supervisor", "osman")

    total = api_as(other_supervisor).get(RESULTS).json()["total"]

    assert (total["sent"], total["answered"], total["csat_average"], total["nps"]) == (
        1, 1, 1.0, -100.0,
    )  # fmt: skip


def test_results_for_a_period_without_data_and_bad_parameters(api_as, world, answered):
    client = api_as(world.supervisor)

    empty = client.get(RESULTS, {"start": "2020-01-01", "end": "2020-03-31"}).json()
    bad_date = client.get(RESULTS, {"start": "yesterday"})
    bad_group = client.get(RESULTS, {"group_by": "citizen"})
    empty_date = client.get(RESULTS, {"end": ""})
    empty_group = client.get(RESULTS, {"group_by": ""})

    assert (empty["start"], empty["end"], len(empty["months"])) == ("2020-01-01", "2020-03-31", 3)
    assert empty["total"]["sent"] == 0 and empty["total"]["response_rate"] is None
    assert "start" in error_of(bad_date, 400)["fields"]
    assert "group_by" in error_of(bad_group, 400)["fields"]
    assert "end" in error_of(empty_date, 400)["fields"]
    assert "group_by" in error_of(empty_group, 400)["fields"]
