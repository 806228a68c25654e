"""The walk-in queue: check-in, call next (priority, transfers, two desks), statuses, waits,
"you are next" email, opening a case from a visit, public and staff pages."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.services import calendar_create, staff_member_create, team_create
from cases.models import Case, ServiceCategory
from core.models import AuditEvent, OutboxMessage
from tests.visits.world import ALWAYS_OPEN, office_make
from visits import selectors, services
from visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    agency = Agency.objects.create(slug="rev", name="Revenue", timezone="America/Chicago")
    calendar = calendar_create(agency=agency, name="Always", intervals=ALWAYS_OPEN, actor=None)
    team = team_create(agency=agency, name="Tax", slug="tax", calendar=calendar, actor=None)
    tax = ServiceCategory.objects.create(
        agency=agency, code="tax", name={"en": "Tax bill", "es": "Recibo"}, owning_team=team
    )
    licence = ServiceCategory.objects.create(
        agency=agency, code="licence", name={"en": "Licence"}, owning_team=team
    )
    office = office_make(agency=agency, categories=[tax, licence], calendar=calendar)
    user = get_user_model().objects.create_user(username="clerk", password="pw-0123456789")
    staff_member_create(user=user, agency=agency, role="agent", actor=None, teams=[team])

    class W:
        pass

    w = W()
    w.agency, w.team, w.tax, w.licence, w.office, w.user = agency, team, tax, licence, office, user
    w.desk1, w.desk2 = list(office.desks.order_by("name"))
    return w


def test_tickets_are_numbered_per_office_and_day_and_audited(world):
    a = services.visit_check_in(office=world.office, category=world.tax)
    b = services.visit_check_in(office=world.office, category=world.licence, email="A@Example.org")
    assert (a.number, b.number, b.email) == (1, 2, "a@example.org")
    assert a.ticket == "001"
    assert AuditEvent.objects.filter(action="visit.checked_in").count() == 2


def test_check_in_refused_when_closed_or_for_another_service(world):
    closed = calendar_create(
        agency=world.agency, name="Weekdays", intervals=[(0, time(9), time(10))], actor=None
    )
    world.office.calendar = closed
    world.office.save()
    sunday = timezone.make_aware(timezone.datetime(2026, 12, 6, 12, 0))
    with pytest.raises(ValidationError):
        services.visit_check_in(office=world.office, category=world.tax, now=sunday)
    state = selectors.office_open_state(world.office, now=sunday)
    assert not state.is_open and state.opens_at.weekday() == 0


def test_call_next_priority_first_then_in_order_and_desks_never_share(world):
    first = services.visit_check_in(office=world.office, category=world.tax)
    second = services.visit_check_in(office=world.office, category=world.tax)
    urgent = services.visit_check_in(office=world.office, category=world.tax, priority=True)
    assert services.visit_call_next(desk=world.desk1, actor=world.user) == urgent
    assert services.visit_call_next(desk=world.desk2, actor=world.user) == first
    with pytest.raises(ValidationError):  # desk 1 is still busy with its ticket
        services.visit_call_next(desk=world.desk1, actor=world.user)
    services.visit_set_status(visit=urgent, action="done", actor=world.user)
    assert services.visit_call_next(desk=world.desk1, actor=world.user) == second
    services.visit_set_status(visit=second, action="no_show", actor=world.user)
    assert services.visit_call_next(desk=world.desk1, actor=world.user) is None


def test_a_desk_calls_only_its_services_and_tickets_transferred_to_it(world):
    world.desk1.services.set([world.licence])
    tax = services.visit_check_in(office=world.office, category=world.tax)
    assert services.visit_call_next(desk=world.desk1, actor=world.user) is None
    assert services.visit_call_next(desk=world.desk2, actor=world.user) == tax
    services.visit_transfer(visit=tax, actor=world.user, desk=world.desk1)
    tax.refresh_from_db()
    assert (tax.status, tax.desk) == ("waiting", world.desk1)
    assert services.visit_call_next(desk=world.desk2, actor=world.user) is None
    assert services.visit_call_next(desk=world.desk1, actor=world.user) == tax
    services.visit_transfer(visit=tax, actor=world.user, category=world.licence)
    tax.refresh_from_db()
    assert (tax.status, tax.desk, tax.category) == ("waiting", None, world.licence)
    assert AuditEvent.objects.filter(action="visit.transferred").count() == 2


def test_status_rules(world):
    visit = services.visit_check_in(office=world.office, category=world.tax)
    with pytest.raises(ValidationError):
        services.visit_set_status(visit=visit, action="serving", actor=world.user)
    services.visit_call_next(desk=world.desk1, actor=world.user)
    services.visit_set_status(visit=visit, action="serving", actor=world.user)
    with pytest.raises(ValidationError):
        services.visit_set_status(visit=visit, action="no_show", actor=world.user)
    services.visit_set_status(visit=visit, action="done", actor=world.user)
    visit.refresh_from_db()
    assert visit.status == "done" and visit.finished_at >= visit.serving_at >= visit.called_at


def test_estimated_wait_from_recent_service_times(world):
    now = timezone.now()
    for minutes in (4, 6):  # two finished visits: a mean of 5 minutes
        v = services.visit_check_in(office=world.office, category=world.tax)
        Visit.objects.filter(pk=v.pk).update(
            status="done", called_at=now - timedelta(minutes=minutes), finished_at=now
        )
    world.desk2.active = False
    world.desk2.save()
    waiting = [services.visit_check_in(office=world.office, category=world.tax) for _ in range(3)]
    assert selectors.mean_service_minutes(world.office.pk, world.tax.pk) == pytest.approx(5)
    assert selectors.ahead_of(waiting[2]) == 2
    assert selectors.estimated_wait_minutes(waiting[2]) == 13  # (2 + 0.5) x 5 min, one desk
    assert selectors.estimated_wait_minutes(waiting[0]) == 3
    # Another service has no history yet: the default service time.
    other = services.visit_check_in(office=world.office, category=world.licence)
    assert selectors.estimated_wait_minutes(other) == 5  # 0.5 x 10 min


def test_the_next_person_with_an_email_is_told_once_in_their_language(world):
    services.visit_check_in(office=world.office, category=world.tax)
    services.visit_check_in(
        office=world.office, category=world.tax, email="b@example.org", language="es"
    )
    OutboxMessage.objects.all().delete()
    services.visit_call_next(desk=world.desk1, actor=world.user)
    services.visit_call_next(desk=world.desk2, actor=world.user)  # b now called: no second email
    emails = list(OutboxMessage.objects.filter(topic="core.email"))
    assert len(emails) == 1
    assert emails[0].payload["to"] == ["b@example.org"]
    assert (
        "Es su turno" in emails[0].payload["subject"] or "siguiente" in emails[0].payload["subject"]
    )


def test_open_a_case_from_a_visit_with_a_new_citizen(world):
    visit = services.visit_check_in(office=world.office, category=world.tax)
    services.visit_call_next(desk=world.desk1, actor=world.user)
    case = services.visit_open_case(
        visit=visit,
        actor=world.user,
        description="Question about the bill",
        new_citizen={"first_name": "Rosa", "last_name": "Díaz", "email": "rosa@example.org"},
    )
    visit.refresh_from_db()
    assert (case.channel, case.category, visit.case, visit.citizen) == (
        "walk_in",
        world.tax,
        case,
        case.citizen,
    )
    assert case.citizen.last_name == "Díaz"
    with pytest.raises(ValidationError):
        services.visit_open_case(
            visit=visit, actor=world.user, description="again", citizen=case.citizen
        )
    assert Case.objects.count() == 1


# --- pages ----------------------------------------------------------------------------------


def test_public_check_in_ticket_and_display_pages(world, client):
    url = reverse("checkin", kwargs={"office": world.office.slug})
    page = client.get(url)
    assert page.status_code == 200 and b"Tax bill" in page.content
    response = client.post(url, {"category": world.tax.pk, "email": "", "phone": ""})
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert response["Location"].endswith(f"/ticket/{visit.token}/")
    ticket = client.get(response["Location"])
    assert b"001" in ticket.content and b"You are next" in ticket.content
    services.visit_call_next(desk=world.desk1, actor=world.user)
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b"please go to Desk 1" in partial.content
    display = client.get(reverse("checkin_display", kwargs={"office": world.office.slug}))
    assert b"001" in display.content and b"go to Desk 1" in display.content
    assert b'aria-live="polite"' in display.content
    services.visit_set_status(visit=visit, action="done", actor=world.user)
    done = client.get(response["Location"], headers={"HX-Request": "true"})
    assert done.status_code == 286  # htmx stops polling a finished ticket


def test_spanish_check_in_page(world, client):
    page = client.get(f"/es/check-in/{world.office.slug}/")
    assert page.status_code == 200 and b"Recibo" in page.content


def test_unknown_office_or_ticket_is_404(world, client):
    assert client.get("/en/check-in/nowhere/").status_code == 404
    assert client.get(f"/en/check-in/{world.office.slug}/ticket/forged/").status_code == 404


def test_desk_page_calls_and_opens_a_case(world, client):
    client.force_login(world.user)
    visit = services.visit_check_in(office=world.office, category=world.tax, email="z@example.org")
    desk_url = reverse("visits:desk", kwargs={"pk": world.desk1.pk})
    assert client.get(reverse("visits:desks")).status_code == 200
    assert b"001" in client.get(desk_url).content
    assert (
        client.post(reverse("visits:call_next", kwargs={"pk": world.desk1.pk})).status_code == 302
    )
    page = client.get(desk_url)
    assert b"Open a case from this visit" in page.content
    open_url = reverse("visits:open_case", kwargs={"pk": visit.pk})
    assert client.get(open_url).status_code == 200
    response = client.post(
        open_url,
        {
            "first_name": "Zoe",
            "last_name": "Ng",
            "email": "z@example.org",
            "description": "Licence help",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.case is not None and response["Location"].endswith(f"{visit.case.reference}/")
