"""The staff home shows the person's work (issue 16): every figure counts and links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case
from cases.services import case_assign, case_create
from feedback.services import feedback_submit

pytestmark = pytest.mark.django_db


def _case(world, **extra) -> Case:
    return case_create(category=world.graffiti, description="Tags on the wall", channel="phone",
                       **extra)  # fmt: skip


def test_an_agent_sees_their_open_cases_soonest_due_first_with_links(client, world):
    later, sooner, theirs = _case(world), _case(world), _case(world)
    for case in (later, sooner):
        case_assign(case=case, assignee=world.agent, actor=world.supervisor)
    case_assign(case=theirs, assignee=world.agent2, actor=world.supervisor)
    now = timezone.now()
    Case.objects.filter(pk=later.pk).update(resolution_due_at=now + timedelta(days=3),
                                            sla_state="ok")  # fmt: skip
    Case.objects.filter(pk=sooner.pk).update(resolution_due_at=now - timedelta(hours=1),
                                             sla_state="breached")  # fmt: skip
    client.force_login(world.agent)
    page = client.get("/staff/").content.decode()
    mine = page.split('id="my-work-heading"')[1]
    assert mine.index(sooner.reference) < mine.index(later.reference)
    assert theirs.reference not in mine
    assert (
        '<span class="crm-figure__count">2</span> <span class="crm-figure__label">My open' in mine
    )
    assert "/staff/cases/?queue=mine&amp;sla_state=breached" in mine
    # Their cases in the queue, the nearest deadline first.
    assert mine.count('href="/staff/cases/?queue=mine&amp;sort=sla"') == 2
    assert "All my open cases, the most urgent first" in mine
    assert "My teams" not in mine  # a supervisor's figures only


def test_a_supervisor_also_sees_the_teams_backlog_breaches_and_cases_at_risk(client, world):
    _case(world)
    at_risk, breached = _case(world), _case(world)
    Case.objects.filter(pk=at_risk.pk).update(sla_state="at_risk")
    Case.objects.filter(pk=breached.pk).update(sla_state="breached")
    client.force_login(world.supervisor)
    page = client.get("/staff/").content.decode()
    assert "Unassigned in my teams" in page
    for label in ("Breached in the agency", "At risk in the agency"):
        assert re.search(
            r'<a class="usa-link" href="/staff/cases/sla/"><span class="crm-figure__'
            rf'count">1</span> <span class="crm-figure__label">{label}',
            page,
        ), label
    assert 'href="/staff/cases/?queue=team&amp;sort=sla"' in page


def test_new_feedback_waiting_for_triage_is_counted_for_the_agency(client, world):
    feedback_submit(agency=world.agency, kind="complaint", message="Bins")
    feedback_submit(agency=world.other_agency, kind="complaint", message="Not ours")
    client.force_login(world.agent)
    page = client.get("/staff/").content.decode()
    assert (
        '<span class="crm-figure__count">1</span> <span class="crm-figure__label">New feedback'
        in page
    )


def test_the_navigation_offers_every_page_of_the_role_and_the_unread_count(client, world):
    from core.services import notification_create

    notification_create(recipient=world.agent, kind="case.assigned", title="Case assigned")
    client.force_login(world.agent)
    nav = client.get("/staff/").content.decode().split('class="usa-nav"')[1].split("</nav>")[0]
    for label in ("Cases", "New case", "Citizens", "Feedback", "Notifications (1 unread)"):
        assert label in nav
    assert "Survey results" not in nav and "SLA board" not in nav
    client.force_login(world.supervisor)
    nav = client.get("/staff/").content.decode().split('class="usa-nav"')[1].split("</nav>")[0]
    assert "Survey results" in nav and "SLA board" in nav and "Audit trail" in nav
