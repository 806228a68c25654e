"""The SLA policy admin: scoped per agency, with escalation levels inline."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cases.models import SlaEscalationLevel, SlaPolicy
from tests.agencies.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(world):
    user = get_user_model().objects.create_superuser(username="root", password="pw-0123456789")
    return signed_in_client(user)


def _post(world, **extra) -> dict:
    data = {
        "agency": world.agency.pk,
        "name": "Graffiti urgent",
        "category": world.graffiti.pk,
        "priority": "urgent",
        # Targets are typed in hours and minutes.
        "first_response_minutes_hours": "0",
        "first_response_minutes_minutes": "30",
        "resolution_minutes_hours": "2",
        "resolution_minutes_minutes": "",
        "warning_percent": "80",
        "business_hours": "on",
        "active": "on",
        "escalations-TOTAL_FORMS": "1",
        "escalations-INITIAL_FORMS": "0",
        "escalations-MIN_NUM_FORMS": "0",
        "escalations-MAX_NUM_FORMS": "1000",
        "escalations-0-level": "1",
        "escalations-0-after_minutes_hours": "1",
        "escalations-0-after_minutes_minutes": "0",
        "escalations-0-notify": "agency_supervisors",
        "escalations-0-reassign_team": world.roads.pk,
    }
    data.update(extra)
    return data


def test_a_policy_with_escalation_levels_is_created_and_audited(world, root_client):
    response = root_client.post(reverse("admin:cases_slapolicy_add"), _post(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = SlaPolicy.objects.get(name="Graffiti urgent")
    assert (policy.category, policy.priority, policy.resolution_minutes) == (
        world.graffiti,
        "urgent",
        120,
    )
    level = SlaEscalationLevel.objects.get(policy=policy)
    assert (level.level, level.after_minutes, level.reassign_team) == (1, 60, world.roads)
    listed = root_client.get(reverse("admin:cases_slapolicy_changelist")).content.decode()
    assert '<td class="field-first_response_target">30 min</td>' in listed
    assert '<td class="field-resolution_target">2 h</td>' in listed
    assert '<td class="field-counting">business hours</td>' in listed
    page = root_client.get(reverse("admin:cases_slapolicy_change", args=[policy.pk]))
    html = page.content.decode()
    assert 'name="resolution_minutes_hours" value="2"' in html
    assert 'name="resolution_minutes_minutes" value="0"' in html


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"category": "OTHER"}, "Choose a category of the policy"),
        (
            {
                "first_response_minutes_hours": "",
                "first_response_minutes_minutes": "",
                "resolution_minutes_hours": "",
            },
            "Give a first response",
        ),
        ({"resolution_minutes_minutes": "75"}, "less than or equal to 59"),
        ({"warning_percent": "100"}, "less than or equal to 99"),
    ],
)
def test_invalid_policies_are_form_errors(world, root_client, extra, message):
    if extra.get("category") == "OTHER":
        extra["category"] = world.other_category.pk
    response = root_client.post(reverse("admin:cases_slapolicy_add"), _post(world, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SlaPolicy.objects.exists()


def test_one_policy_per_agency_category_and_priority_even_with_empty_ones(world, root_client):
    SlaPolicy.objects.create(agency=world.agency, name="Default", resolution_minutes=60)
    data = _post(
        world, name="Second default", category="", priority="", **{"escalations-TOTAL_FORMS": "0"}
    )
    response = root_client.post(reverse("admin:cases_slapolicy_add"), data)
    assert response.status_code == 200
    assert "already has a policy" in response.content.decode()


def test_holidays_and_hours_edited_in_the_admin_recompute_open_cases_zammad_534(
    world, root_client, clock
):
    from cases.models import Case
    from cases.services import case_create
    from tests.cases.sla.support import chi, utc

    SlaPolicy.objects.create(agency=world.agency, name="Default", resolution_minutes=240)
    clock.set(chi(2026, 3, 2, 10))
    case = case_create(
        category=world.graffiti, description="Wall", channel="phone", actor=world.agent
    )
    clock.set(chi(2026, 3, 2, 11))  # 60 consumed; today becomes a holiday: 180 from Tue 09:00
    response = root_client.post(
        reverse("admin:agencies_holiday_add"),
        {"calendar": world.parks.calendar.pk, "date": "2026-03-02", "name": "Snow day"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    case = Case.objects.get(pk=case.pk)
    assert utc(case.resolution_due_at) == utc(chi(2026, 3, 3, 12))
    assert case.sla_consumed_minutes == 60

    calendar = world.parks.calendar
    interval_ids = list(calendar.intervals.order_by("weekday").values_list("pk", flat=True))
    data = {
        "agency": world.agency.pk,
        "name": calendar.name,
        "timezone": calendar.timezone,
        "intervals-TOTAL_FORMS": "5",
        "intervals-INITIAL_FORMS": "5",
        "intervals-MIN_NUM_FORMS": "0",
        "intervals-MAX_NUM_FORMS": "1000",
        "holidays-TOTAL_FORMS": "0",
        "holidays-INITIAL_FORMS": "0",
        "holidays-MIN_NUM_FORMS": "0",
        "holidays-MAX_NUM_FORMS": "1000",
    }
    holiday = calendar.holidays.get()
    data.update(
        {
            "holidays-TOTAL_FORMS": "1",
            "holidays-INITIAL_FORMS": "1",
            "holidays-0-id": holiday.pk,
            "holidays-0-calendar": calendar.pk,
            "holidays-0-date": "2026-03-02",
            "holidays-0-name": "Snow day",
        }
    )
    for index, pk in enumerate(interval_ids):
        data.update(
            {
                f"intervals-{index}-id": pk,
                f"intervals-{index}-calendar": calendar.pk,
                f"intervals-{index}-weekday": index,
                f"intervals-{index}-start": "09:00",
                f"intervals-{index}-end": "12:00",
            }
        )
    response = root_client.post(
        reverse("admin:agencies_businesscalendar_change", args=[calendar.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    # Mornings only from now on: 180 left = Tue 09-12.
    assert utc(Case.objects.get(pk=case.pk).resolution_due_at) == utc(chi(2026, 3, 3, 12))
    clock.set(chi(2026, 3, 3, 10))
    data.update({f"intervals-{i}-end": "11:00" for i in range(5)})
    root_client.post(reverse("admin:agencies_businesscalendar_change", args=[calendar.pk]), data)
    case = Case.objects.get(pk=case.pk)
    assert case.sla_consumed_minutes == 120  # Tue 09-10 counted in the 09-12 hours
    assert utc(case.resolution_due_at) == utc(chi(2026, 3, 4, 10))  # 120 left: Tue 10-11, Wed 9-10
