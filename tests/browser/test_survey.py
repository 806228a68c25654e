"""A citizen answers the satisfaction survey from the email, in Spanish; staff see it in the
results. The public feedback form in both languages. axe-core finds nothing on any of them."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback import survey_services
from feedback.models import SurveyResponse
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in, tab_to
from tests.feedback import conftest as feedback_fixtures

# The fixtures of tests/feedback/conftest.py, shared with this test.
world = feedback_fixtures.world
survey = feedback_fixtures.survey
survey_settings = feedback_fixtures.survey_settings
make_citizen = feedback_fixtures.make_citizen
close_case = feedback_fixtures.close_case

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("survey_settings")]


def _link_from_email(message, base_url: str) -> str:
    text = message.get_payload(0).get_payload(decode=True).decode()
    url = re.search(r"https?://\S+/es/survey/\S+/", text).group(0)
    return base_url + "/" + url.split("://", 1)[1].split("/", 1)[1]  # the live server's host


def test_citizen_answers_the_survey_in_spanish_and_staff_see_it(
    page, world, survey, make_citizen, close_case, smtp_sink
):
    citizen = make_citizen(language="es", first_name="Lucía")
    case = close_case(citizen)
    survey_services.surveys_dispatch(now=timezone.now())  # what beat runs
    [email] = [m for m in smtp_sink.messages if "survey-" in m["Message-ID"]]
    assert email["To"] == citizen.email

    page.goto(_link_from_email(email, page.base_url))

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Qué tal lo hicimos?")
    expect(page.locator("main")).to_contain_text(case.reference)
    expect(page.locator("main")).to_contain_text("Graffiti (es)")
    screenshot(page, "survey-es")
    assert_no_axe_violations(page)

    questions = {q.code: q.pk for q in survey.questions.all()}
    page.locator(f"label[for=id_q{questions['resolved']}_0]").click()  # the first: yes
    page.locator(f"label[for=id_q{questions['csat']}_4]").click()  # 5
    page.locator(f"label[for=id_q{questions['nps']}_9]").click()  # 9
    page.get_by_label("¿Algo más?").fill("Muy amables, lo arreglaron en dos días.")
    page.locator("form button[type=submit]").click()

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/es/survey/" in page.url and page.url.rstrip("/").endswith("thanks")
    screenshot(page, "survey-es-thanks")
    assert_no_axe_violations(page)
    response = SurveyResponse.objects.get()
    assert response.language == "es"
    assert {a.question.code: (a.number, a.text) for a in response.answers.all()} == {
        "resolved": (1, ""), "csat": (5, ""), "nps": (9, ""),
        "comment": (None, "Muy amables, lo arreglaron en dos días."),
    }  # fmt: skip

    # The link works once.
    page.goto(_link_from_email(email, page.base_url))
    expect(page.locator("main form")).to_have_count(0)

    # Staff: the supervisor's results page shows the answer.
    sign_in(page, world.supervisor.username)
    page.goto(page.base_url + "/staff/feedback/results/")
    main = page.locator("main")
    expect(main).to_contain_text("Muy amables, lo arreglaron en dos días.")
    expect(main).to_contain_text(case.reference)
    expect(main.locator(".crm-fb-kpi__value").first).to_have_text("100.0 %")  # 1 of 1
    expect(page.locator("#results-chart")).to_be_visible()
    page.wait_for_function("window.Chart && Object.keys(window.Chart.instances).length === 1")
    screenshot(page, "survey-results")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["en", "es"])
def test_public_feedback_form(page, world, language):
    page.goto(f"{page.base_url}/{language}/feedback/")

    expect(page.locator("html")).to_have_attribute("lang", language)
    screenshot(page, f"feedback-form-{language}")
    assert_no_axe_violations(page)

    # Sent empty: the errors are listed and announced, and still nothing to fix for axe.
    page.locator("form.usa-form button[type=submit]").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_no_axe_violations(page)

    page.locator("label[for=id_kind_0]").click()
    page.locator("#id_about").select_option(f"c{world.pothole.pk}")
    page.locator("#id_message").fill("The bins on Oak Street were not emptied.")
    page.locator("form.usa-form button[type=submit]").click()

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith(f"/{language}/feedback/thanks/")
    screenshot(page, f"feedback-thanks-{language}")
    assert_no_axe_violations(page)


def test_staff_triage_pages(page, world):
    from feedback.services import feedback_submit

    feedback = feedback_submit(
        agency=world.agency, category=world.graffiti, kind="complaint",
        message="The graffiti on the park wall came back a week after it was cleaned.",
        contact_name="Ana Ruiz", contact_email="ana@example.org", consent_contact=True,
    )  # fmt: skip
    sign_in(page, world.agent.username)

    page.goto(page.base_url + "/staff/feedback/")
    expect(page.locator("main")).to_contain_text("The graffiti on the park wall")
    screenshot(page, "feedback-triage-list")
    assert_no_axe_violations(page)

    page.get_by_role("link", name=f"Complaint #{feedback.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Complaint #{feedback.pk}")
    screenshot(page, "feedback-triage-detail")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Open a case from this feedback").click()
    feedback.refresh_from_db()
    assert feedback.follow_up_case is not None
    expect(page.locator("main")).to_contain_text(feedback.follow_up_case.reference)


def test_the_survey_can_be_answered_with_the_keyboard_alone(page, world, survey, make_citizen,
                                                            close_case):  # fmt: skip
    from feedback.links import survey_token
    from feedback.models import SurveyInvitation

    citizen = make_citizen(language="en", first_name="Kim")
    close_case(citizen)
    survey_services.surveys_dispatch(now=timezone.now())
    invitation = SurveyInvitation.objects.get(citizen=citizen)
    page.goto(f"{page.base_url}/en/survey/{survey_token(invitation.pk)}/")

    questions = {q.code: q.pk for q in survey.questions.all()}
    tab_to(page, f"#id_q{questions['resolved']}_0")
    page.keyboard.press("Space")  # yes
    tab_to(page, f"[name=q{questions['csat']}]")
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # a radio group moves with the arrows: 4
    tab_to(page, f"[name=q{questions['nps']}]")
    page.keyboard.press("Space")
    tab_to(page, "textarea")
    page.keyboard.type("Quick and kind.")
    tab_to(page, "form button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.rstrip("/").endswith("thanks")
    answers = {
        a.question.code: (a.number, a.text) for a in SurveyResponse.objects.get().answers.all()
    }
    assert answers["resolved"] == (1, "") and answers["csat"] == (4, "")
    assert answers["comment"] == (None, "Quick and kind.")
