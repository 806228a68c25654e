"""axe-core over every public page and every main staff page, in English and Spanish, on the
demo data set (real content: long names, accents, tables with many rows). 0 violations of
wcag2a, wcag2aa, wcag21a, wcag21aa on any of them."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from tests.playwright_fixtures import WCAG_TAGS, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    from agencies.models import Agency, StaffMember
    from tests.cases.conftest import make_staff

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    agency = Agency.objects.get(slug="public-works")
    sweeper = make_staff("sweeper", agency, "supervisor")
    return agency, sweeper, StaffMember


def _public_pages(language: str) -> list[str]:
    from cases.links import (
        citizen_confirm_token,
        status_token,
        survey_consent_token,
        unsubscribe_token,
    )
    from cases.models import Case, ServiceCategory
    from feedback.links import survey_token
    from feedback.models import SurveyInvitation

    category = ServiceCategory.objects.filter(public=True, active=True).order_by("id").first()
    case = Case.objects.exclude(reporter_email="").order_by("id").first() or Case.objects.first()
    invitation = SurveyInvitation.objects.filter(answered_at=None).order_by("id").first()
    pages = [
        "/", "/requests/new/", f"/requests/new/{category.agency.slug}/{category.code}/",
        f"/requests/new/done/{status_token(case.reference)}/", "/requests/status/",
        f"/requests/status/{status_token(case.reference)}/",
        f"/requests/unsubscribe/{unsubscribe_token(case.reference)}/",
        "/feedback/", "/feedback/thanks/",
        # The receipt's links about the requester (issue 17).
        f"/requests/mine/{citizen_confirm_token([case.reference, 1, 'x@example.org'])}/",
        f"/requests/survey/{survey_consent_token(case.reference)}/",
    ]  # fmt: skip
    if invitation is not None:
        pages.append(f"/survey/{survey_token(invitation.pk)}/")
    return [f"/{language}{page}" for page in pages]


def _staff_pages(agency) -> list[str]:
    from cases.models import Case
    from citizens.models import Citizen
    from feedback.models import FeedbackSubmission

    case = Case.objects.filter(agency=agency).order_by("id").first()
    citizen = Citizen.objects.filter(cases__agency=agency).order_by("id").first()
    feedback = FeedbackSubmission.objects.filter(agency=agency).order_by("id").first()
    # Who made a request: the page of a case without a citizen record (issue 17).
    unlinked = Case.objects.filter(agency=agency, citizen=None).order_by("id").first()
    extra = [f"/staff/cases/{unlinked.reference}/requester/?q=garcia"] if unlinked else []
    return [
        "/staff/", "/staff/cases/", "/staff/cases/?queue=all", "/staff/cases/new/",
        f"/staff/cases/{case.reference}/", "/staff/cases/sla/", "/staff/citizens/",
        "/staff/citizens/?q=garcia", "/staff/citizens/new/", f"/staff/citizens/{citizen.pk}/",
        f"/staff/citizens/{citizen.pk}/subject-access/", "/staff/feedback/",
        f"/staff/feedback/{feedback.pk}/", "/staff/feedback/results/", "/staff/audit/",
        "/staff/notifications/", "/staff/tokens/", "/staff/dashboards/",
        "/staff/saved-views/?kind=queue", "/staff/saved-views/?kind=dashboard",
        "/staff/saved-views/new/?kind=queue&query=sort%3Dsla", *extra,
    ]  # fmt: skip


def _violations(page, url: str) -> list[str]:
    response = page.goto(page.base_url + url)
    assert response.status == 200, f"{url}: {response.status}"
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [f"{url}: {results.generate_report()}"] if results.violations_count else []


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_has_no_axe_violations(page, demo, language):
    agency, sweeper, staff_member = demo
    staff_member.objects.filter(user=sweeper).update(preferred_language=language)
    failures: list[str] = []
    for url in _public_pages(language):
        failures += _violations(page, url)
    sign_in(page, "sweeper")
    staff = _staff_pages(agency)
    for url in staff:
        failures += _violations(page, url)
    assert page.locator("html").get_attribute("lang") == language
    print(f"axe: {len(_public_pages(language)) + len(staff)} pages in {language}, 0 violations")
    assert failures == [], "\n\n".join(failures)
