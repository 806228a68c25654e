"""The audit trail as supervisors see it: own agency's and shared records' events only."""

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency, StaffMember
from core.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies():
    return (
        Agency.objects.create(name="Public Works", slug="pw"),
        Agency.objects.create(name="Revenue", slug="rev"),
    )


def _staff(username, agency, role):
    user = get_user_model().objects.create_user(username=username, password="pw-123456789")
    StaffMember.objects.create(user=user, agency=agency, role=role)
    return user


def test_supervisor_sees_own_agency_events_but_not_another_agencys(client, agencies):
    own, other = agencies
    supervisor = _staff("sam", own, "supervisor")
    audit_record(action="team.renamed", obj=own, actor=supervisor, agency_id=own.pk,
                 changes={"name": ("Roads", "Roads and Sidewalks")})  # fmt: skip
    audit_record(action="team.secret_change", obj=other, agency_id=other.pk)
    client.force_login(supervisor)

    page = client.get("/staff/audit/").content.decode()

    assert "Team: renamed" in page  # an action no vocabulary knows, humanised
    assert 'Roads <span aria-hidden="true">→</span>' in page
    assert "Roads and Sidewalks" in page
    assert "secret" not in page


def test_filters_narrow_the_trail_and_bad_dates_are_explained(client, agencies):
    own, _ = agencies
    supervisor = _staff("sam", own, "supervisor")
    audit_record(action="alpha.done", obj=own, actor=supervisor, agency_id=own.pk)
    audit_record(action="beta.done", obj=own, actor=supervisor, agency_id=own.pk)
    client.force_login(supervisor)

    filtered = client.get("/staff/audit/", {"action": "beta"}).content.decode()
    assert "Beta: done" in filtered and "Alpha: done" not in filtered

    bad = client.get("/staff/audit/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert "The end date must be on or after the start date." in bad.content.decode()


def test_agents_cannot_open_the_audit_trail_and_anonymous_users_are_sent_to_sign_in(
    client, agencies
):
    agent = _staff("alex", agencies[0], "agent")

    assert client.get("/staff/audit/").status_code == 302
    client.force_login(agent)
    assert client.get("/staff/audit/").status_code == 403


def test_audit_page_query_count_does_not_grow_with_events(
    client, agencies, django_assert_max_num_queries
):
    own, _ = agencies
    supervisor = _staff("sam", own, "supervisor")
    for n in range(60):
        audit_record(action=f"bulk.{n}", obj=own, actor=supervisor, agency_id=own.pk)
    client.force_login(supervisor)

    with django_assert_max_num_queries(11):  # the agency named once for all 50 rows
        response = client.get("/staff/audit/")

    assert response.status_code == 200
    assert "Older events" in response.content.decode()  # 50 a page, no count of them all
