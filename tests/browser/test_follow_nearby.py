"""Issue 20's public journey: a second citizen, on a phone, finds an open pothole already
reported where they stand and follows it instead of reporting it again; when it is fixed, the
first reporter and the follower both get the status email. axe-core on every page, en and es."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot
from tests.browser.test_public_request import services
from tests.browser.test_public_street_request import phone

pytestmark = pytest.mark.browser
__all__ = ["phone", "services"]

WORDS = {
    "en": {"use": "Use my location", "nearby": "Already reported nearby",
           "follow": "This is my problem too", "email": "Your email address",
           "consent": "You may email me a short survey", "submit": "Follow this report",
           "done": "You are following this report", "status": "In progress"},
    "es": {"use": "Usar mi ubicación", "nearby": "Ya se ha avisado cerca",
           "follow": "También es mi problema", "email": "Su correo electrónico",
           "consent": "Pueden enviarme por correo una breve encuesta",
           "submit": "Seguir este aviso", "done": "Usted sigue este aviso", "status": "En curso"},
}  # fmt: skip


def _first_report(pothole):
    """Rosa reported the pothole where the second person now stands, with her email."""
    from cases import citizen_services
    from cases.models import Case
    from citizens.models import ConsentSource

    case = citizen_services.case_create_for_requester(
        requester=citizen_services.Requester(name="Rosa Diaz", email="rosa@example.org",
                                             phone="", language="en", consent_surveys=True),
        source=ConsentSource.WEB, category=pothole, description="Deep hole, my street number 12",
        channel=Case.Channel.WEB, attributes={}, address="12 Elm St",
        latitude=Decimal("41.878413"), longitude=Decimal("-87.629799"),  # 33 m north of HERE
        address_public=False, email_updates=True, photos=[],
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(status="in_progress")
    return case


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_second_citizen_follows_the_open_report_nearby_and_both_hear_when_it_is_fixed(
    phone, services, language
):
    from cases.models import Case, CaseFollower
    from cases.services import case_transition
    from core.models import OutboxMessage
    from core.services import outbox_deliver

    words = WORDS[language]
    case = _first_report(services["pothole"])
    page = phone(language)
    page.goto(f"{page.base_url}/{language}/requests/new/pw/pothole/")
    page.get_by_role("button", name=words["use"]).click()
    nearby = page.locator("#nearby-reports")
    expect(nearby).to_contain_text(words["nearby"])
    expect(nearby).to_contain_text(words["status"])
    # Nothing about the first reporter: not her name, email, words or address.
    for private in ("Rosa", "rosa@example.org", "Deep hole", "12 Elm"):
        expect(nearby).not_to_contain_text(private)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(page, f"public-nearby-{language}-390")
    assert_no_axe_violations(page)

    nearby.get_by_role("link", name=words["follow"]).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label(words["email"]).fill("sam@example.org")
    page.locator("label[for=id_consent_surveys]").click()  # USWDS styles the label as the box
    expect(page.get_by_label(words["consent"])).to_be_checked()
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["done"])
    screenshot(page, f"public-follow-done-{language}-390")
    assert_no_axe_violations(page)

    follower = CaseFollower.objects.get(case=case, email="sam@example.org")
    assert follower.consent_surveys is True and follower.language == language
    assert Case.objects.count() == 1  # followed, not reported again

    OutboxMessage.objects.filter(topic="core.email").delete()
    case.refresh_from_db()
    case_transition(case=case, to_status="resolved", actor=None, resolution_code="resolved",
                    citizen_contacted=True, note="Filled")  # fmt: skip
    # What the worker does with the message the change queued (no worker runs in this test).
    for message in OutboxMessage.objects.filter(topic="cases.followers_notify"):
        outbox_deliver(message_id=message.pk)
    told = {m.payload["to"][0] for m in OutboxMessage.objects.filter(topic="core.email")}
    assert {"rosa@example.org", "sam@example.org"} <= told
