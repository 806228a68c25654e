"""The staff pages: search, create with the duplicate check, 360° view, consent, merge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citizens.models import Citizen
from citizens.services import citizen_consent_set, citizen_merge
from citizens.timeline import TimelineContribution, TimelineItem
from core.models import AuditEvent
from tests.citizens.conftest import make_staff

pytestmark = pytest.mark.django_db

NEW = {
    "first_name": "Jonh",
    "last_name": "Smith",
    "email": "",
    "phone": "",
    "address_line1": "",
    "address_line2": "",
    "city": "",
    "region": "",
    "postal_code": "",
    "preferred_language": "en",
    "preferred_channel": "",
    "consent_contact": "",
    "consent_surveys": "",
}


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


# --- access ---------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in_and_non_staff_are_refused(client, make_citizen):
    citizen = make_citizen()
    assert client.get("/staff/citizens/").status_code == 302
    assert client.get(f"/staff/citizens/{citizen.pk}/").url.startswith("/staff/login/")

    outsider = get_user_model().objects.create_user(username="visitor", password="pw-0123456789")
    client.force_login(outsider)
    assert client.get("/staff/citizens/").status_code == 403
    assert client.get(f"/staff/citizens/{citizen.pk}/").status_code == 403


def test_staff_of_any_agency_open_the_shared_record(client, other_agency, make_citizen):
    citizen = make_citizen("José", "Muñoz")
    client.force_login(make_staff("elena", other_agency, "agent"))

    page = client.get(f"/staff/citizens/{citizen.pk}/")

    assert page.status_code == 200
    assert "José Muñoz" in page.content.decode()


# --- search ---------------------------------------------------------------------------------


def test_search_page_lists_fuzzy_matches_with_links(agent_client, make_citizen):
    john = make_citizen("John", "Smith", email="john@example.org")
    make_citizen("Maria", "Lopez")

    page = agent_client.get("/staff/citizens/", {"q": "jonh smith"}).content.decode()

    assert f'href="/staff/citizens/{john.pk}/"' in page
    assert "john@example.org" in page
    assert "Maria Lopez" not in page


def test_search_page_says_so_when_nothing_matches(agent_client, make_citizen):
    make_citizen("John", "Smith")

    page = agent_client.get("/staff/citizens/", {"q": "Zebedee Quorn"}).content.decode()

    assert "No citizen matches" in page


def test_search_page_escapes_what_was_typed(agent_client):
    page = agent_client.get("/staff/citizens/", {"q": "<script>alert(1)</script>"})

    assert "<script>alert(1)</script>" not in page.content.decode()
    assert "&lt;script&gt;" in page.content.decode()


def test_search_page_runs_the_same_few_queries_for_2_or_40_results(agent_client, make_citizen):
    def queries_for_search() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = agent_client.get("/staff/citizens/", {"q": "Smith"})
        assert response.status_code == 200
        return len(captured)

    for i in range(2):
        make_citizen("John", "Smith", email=f"a{i}@example.org", phone=f"+1312555{i:04d}")
    few = queries_for_search()
    for i in range(38):
        make_citizen(
            "Jane",
            "Smith",
            email=f"b{i}@example.org",
            phone=f"+1217555{i:04d}",
            address_line1=f"{i} Oak Street",
            city="Springfield",
        )
    many = queries_for_search()

    assert few == many


def test_search_page_query_budget(agent_client, make_citizen, django_assert_max_num_queries):
    for i in range(30):
        make_citizen("John", "Smith", email=f"a{i}@example.org")

    # session, user, staff profile, agency (header), unread notifications (navigation), count,
    # page of results
    with django_assert_max_num_queries(8):
        agent_client.get("/staff/citizens/", {"q": "John Smith", "page": 2})


# --- create ---------------------------------------------------------------------------------


def test_creating_a_new_person_goes_to_their_record(agent_client):
    response = agent_client.post(
        "/staff/citizens/new/",
        {**NEW, "first_name": "Ana", "last_name": "Ruiz", "phone": "(312) 555-0142"},
    )

    citizen = Citizen.objects.get()
    assert response.status_code == 302 and response.url == f"/staff/citizens/{citizen.pk}/"
    assert citizen.phone == "+13125550142"


def test_form_errors_are_shown_next_to_the_field(agent_client):
    page = agent_client.post("/staff/citizens/new/", {**NEW, "phone": "12"}).content.decode()

    assert "Enter a valid phone number" in page
    assert not Citizen.objects.exists()


def test_a_likely_duplicate_is_shown_and_needs_explicit_confirmation(agent_client, make_citizen):
    john = make_citizen("John", "Smith", email="john@example.org")

    first = agent_client.post("/staff/citizens/new/", NEW)

    page = first.content.decode()
    assert first.status_code == 200
    assert "This person may already have a record" in page
    assert f'href="/staff/citizens/{john.pk}/"' in page
    assert "Create anyway" in page
    assert Citizen.objects.count() == 1

    unconfirmed = agent_client.post("/staff/citizens/new/", {**NEW, "duplicates_seen": john.pk})
    assert unconfirmed.status_code == 200 and Citizen.objects.count() == 1

    confirmed = agent_client.post(
        "/staff/citizens/new/", {**NEW, "duplicates_seen": str(john.pk), "create_anyway": "on"}
    )
    assert confirmed.status_code == 302
    assert Citizen.objects.filter(first_name="Jonh").exists()


def test_confirmation_does_not_cover_a_duplicate_not_yet_shown(agent_client, make_citizen):
    john = make_citizen("John", "Smith")
    make_citizen("Ana", "Ruiz", email="ana@example.org")

    response = agent_client.post(
        "/staff/citizens/new/",
        {**NEW, "email": "ana@example.org", "duplicates_seen": str(john.pk), "create_anyway": "on"},
    )

    assert response.status_code == 200
    assert "Ana Ruiz" in response.content.decode()
    assert Citizen.objects.count() == 2


# --- 360° view ------------------------------------------------------------------------------


def test_360_page_shows_contact_data_consent_and_timeline(agent_client, agent, make_citizen):
    citizen = make_citizen(
        "José",
        "Muñoz",
        email="jose@example.org",
        phone="+13125550142",
        address_line1="12 Oak Street",
        city="Springfield",
    )
    citizen_consent_set(citizen=citizen, kind="surveys", granted=False, source="email-unsubscribe")

    page = agent_client.get(f"/staff/citizens/{citizen.pk}/").content.decode()

    assert "jose@example.org" in page and "+1 312-555-0142" in page and "12 Oak Street" in page
    assert "Consent to surveys refused or withdrawn" in page
    assert "Unsubscribe link in an email" in page
    assert "Not recorded" in page  # contact consent was never asked


def test_360_page_shows_provider_items_and_only_counts_for_other_agencies(
    agent_client, agency, other_agency, make_citizen, timeline_provider
):
    citizen = make_citizen("Ana", "Ruiz")
    seen = []

    def cases_like_provider(for_citizen, user):
        seen.append((for_citizen.pk, user.username))
        return TimelineContribution(
            items=[
                TimelineItem(
                    when=timezone.now() - timedelta(days=2),
                    kind="case",
                    title="Pothole on Oak Street reported",
                    detail="Case CRM-2026-7K3QX9",
                    url="/staff/cases/1/",
                    kind_label="Case",
                )
            ],
            other_agency_counts={other_agency.pk: 3, agency.pk: 99},
            label="Cases",
        )

    timeline_provider(cases_like_provider)

    page = agent_client.get(f"/staff/citizens/{citizen.pk}/").content.decode()

    assert seen == [(citizen.pk, "alex")]
    assert "Pothole on Oak Street reported" in page
    assert 'href="/staff/cases/1/"' in page
    assert "Records at other agencies" in page
    assert "Springfield Revenue Department</strong>: Cases — 3" in page
    # The caller's own agency is never reduced to a count.
    assert "Springfield Public Works</strong>" not in page


def test_360_page_timeline_is_newest_first(agent_client, make_citizen, timeline_provider):
    citizen = make_citizen("Ana", "Ruiz")
    now = timezone.now()
    timeline_provider(
        lambda c, u: TimelineContribution(
            items=[
                TimelineItem(when=now - timedelta(days=9), kind="case", title="Older event"),
                TimelineItem(when=now - timedelta(days=1), kind="case", title="Newer event"),
            ]
        )
    )

    page = agent_client.get(f"/staff/citizens/{citizen.pk}/").content.decode()

    assert page.index("Newer event") < page.index("Older event")


def test_recording_consent_from_the_360_page(agent_client, agent, make_citizen):
    citizen = make_citizen("Ana", "Ruiz")

    response = agent_client.post(
        f"/staff/citizens/{citizen.pk}/consent/", {"kind": "contact", "granted": "yes"}
    )

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.consent_contact is True
    assert citizen.consent_records.get().recorded_by == agent
    page = agent_client.get(response.url).content.decode()
    assert "Consent to contact given" in page


def test_editing_contact_details(agent_client, make_citizen):
    citizen = make_citizen("Ana", "Ruiz", phone="+13125550142")
    form = agent_client.get(f"/staff/citizens/{citizen.pk}/edit/").content.decode()
    assert 'value="+1 312-555-0142"' in form

    response = agent_client.post(
        f"/staff/citizens/{citizen.pk}/edit/",
        {
            **NEW,
            "first_name": "Ana",
            "last_name": "Ruiz Peña",
            "phone": "+1 312-555-0142",
            "preferred_channel": "sms",
        },
    )

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.last_name == "Ruiz Peña" and citizen.preferred_channel == "sms"
    event = AuditEvent.objects.get(action="citizen.updated")
    assert set(event.changes) == {"last_name", "preferred_channel"}


def test_possible_duplicates_panel_full_page_and_htmx_fragment(agent_client, make_citizen):
    jose = make_citizen("José", "Muñoz")
    copy = make_citizen("Jose", "Munoz")

    full = agent_client.get(f"/staff/citizens/{jose.pk}/duplicates/").content.decode()
    fragment = agent_client.get(
        f"/staff/citizens/{jose.pk}/duplicates/", headers={"HX-Request": "true"}
    ).content.decode()

    for page in (full, fragment):
        assert f'href="/staff/citizens/{copy.pk}/"' in page
        assert "Ask a supervisor to merge" in page  # agents cannot merge
    assert "<html" in full and "<html" not in fragment
    assert "/merge/" not in fragment


# --- merge ----------------------------------------------------------------------------------


def test_merge_screen_offers_a_choice_only_where_values_differ(supervisor_client, make_citizen):
    survivor = make_citizen("John", "Smith", email="john@example.org", city="Springfield")
    other = make_citizen("Jonh", "Smith", email="jonh@example.org", city="Springfield")

    page = supervisor_client.get(f"/staff/citizens/{survivor.pk}/merge/{other.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="email"' in html and 'value="other"' in html
    assert "john@example.org" in html and "jonh@example.org" in html
    assert 'name="last_name"' not in html  # the same in both: listed, not offered
    assert "The same in both records" in html


def test_merging_from_the_screen(supervisor_client, supervisor, make_citizen):
    survivor = make_citizen("John", "Smith", email="john@example.org")
    other = make_citizen("Jonh", "Smith", email="jonh@example.org", phone="+13125550142")
    url = f"/staff/citizens/{survivor.pk}/merge/{other.pk}/"

    unconfirmed = supervisor_client.post(
        url, {"first_name": "survivor", "email": "other", "phone": "other"}
    )
    assert unconfirmed.status_code == 200
    assert "Confirm that both records are the same person" in unconfirmed.content.decode()
    assert not Citizen.objects.get(pk=other.pk).is_tombstone

    done = supervisor_client.post(
        url, {"first_name": "survivor", "email": "other", "phone": "other", "confirm": "on"}
    )

    assert done.status_code == 302 and done.url == f"/staff/citizens/{survivor.pk}/"
    survivor.refresh_from_db()
    assert (survivor.first_name, survivor.email, survivor.phone) == (
        "John",
        "jonh@example.org",
        "+13125550142",
    )
    assert Citizen.objects.get(pk=other.pk).merged_into_id == survivor.pk
    timeline = supervisor_client.get(done.url).content.decode()
    assert f"Record {other.pk} (Jonh Smith) merged into this record" in timeline


def test_agents_cannot_merge(agent_client, make_citizen):
    survivor, other = make_citizen("John", "Smith"), make_citizen("Jonh", "Smith")
    url = f"/staff/citizens/{survivor.pk}/merge/{other.pk}/"

    assert agent_client.get(url).status_code == 403
    assert agent_client.post(url, {"confirm": "on"}).status_code == 403
    assert not Citizen.objects.get(pk=other.pk).is_tombstone


def test_links_to_a_merged_away_record_lead_to_the_survivor(agent_client, supervisor, make_citizen):
    survivor, other = make_citizen("John", "Smith"), make_citizen("Jonh", "Smith")
    citizen_merge(survivor=survivor, other=other, actor=supervisor)

    response = agent_client.get(f"/staff/citizens/{other.pk}/", follow=True)

    assert response.redirect_chain == [(f"/staff/citizens/{survivor.pk}/", 302)]
    assert f"Record {other.pk} was merged into record {survivor.pk}" in response.content.decode()
    edit = agent_client.get(f"/staff/citizens/{other.pk}/edit/")
    assert edit.url == f"/staff/citizens/{survivor.pk}/edit/"


def test_unknown_records_are_404(agent_client):
    assert agent_client.get("/staff/citizens/999999/").status_code == 404
