"""Business calendars: weekly hours, holidays (typed in or seeded from python-holidays)."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from agencies import selectors, services
from agencies.models import BusinessCalendar, Holiday, OpeningInterval
from core.models import AuditEvent
from tests.agencies.conftest import OFFICE_HOURS, make_calendar

pytestmark = pytest.mark.django_db
MON, TUE, FRI, SAT = 0, 1, 4, 5


# --- weekly hours ---------------------------------------------------------------------------


def test_a_calendar_without_opening_hours_is_refused_and_nothing_is_written(org):
    with pytest.raises(ValidationError, match="needs opening hours"):
        services.calendar_create(agency=org.agency, name="Empty", intervals=[], actor=None)

    assert not BusinessCalendar.objects.filter(name="Empty").exists()
    assert not AuditEvent.objects.filter(action="calendar.created", changes__name=[None, "Empty"])


def test_setting_empty_hours_is_refused_and_the_old_hours_stay(org):
    with pytest.raises(ValidationError, match="needs opening hours"):
        services.calendar_set_hours(calendar=org.calendar, intervals=[], actor=None)

    assert org.calendar.intervals.count() == len(OFFICE_HOURS)


def test_overlapping_intervals_on_a_weekday_are_refused_with_the_day_named(org):
    overlapping = [
        (TUE, time(8), time(12)),
        (TUE, time(11, 30), time(14)),
        (FRI, time(9), time(10)),
    ]

    with pytest.raises(ValidationError) as refused:
        services.calendar_set_hours(calendar=org.calendar, intervals=overlapping, actor=None)

    assert refused.value.messages == ["Tuesday: 08:00-12:00 overlaps 11:30-14:00."]
    assert org.calendar.intervals.count() == len(OFFICE_HOURS)  # unchanged


def test_an_interval_inside_a_long_one_is_an_overlap_too(org):
    hours = [(MON, time(8), time(17)), (MON, time(9), time(10)), (MON, time(11), time(12))]

    with pytest.raises(ValidationError) as refused:
        make_calendar(org.agency, "Nested", hours)

    assert refused.value.messages == [
        "Monday: 08:00-17:00 overlaps 09:00-10:00.",
        "Monday: 08:00-17:00 overlaps 11:00-12:00.",
    ]


def test_touching_intervals_and_the_same_hours_on_other_days_are_fine(org):
    hours = [(MON, time(8), time(12)), (MON, time(12), time(13)), (TUE, time(8), time(12))]

    calendar = make_calendar(org.agency, "Touching", hours)

    assert calendar.weekly_schedule()[MON] == [(time(8), time(12)), (time(12), time(13))]


def test_an_interval_may_end_at_midnight_and_overlaps_are_seen_up_to_midnight(org):
    calendar = make_calendar(org.agency, "Late", [(FRI, time(22), time(0))])

    assert calendar.weekly_schedule()[FRI] == [(time(22), time(0))]
    with pytest.raises(ValidationError, match="Friday: 22:00-00:00 overlaps 23:00-23:30"):
        services.calendar_set_hours(
            calendar=calendar,
            intervals=[(FRI, time(22), time(0)), (FRI, time(23), time(23, 30))],
            actor=None,
        )


def test_an_interval_that_ends_before_it_starts_is_refused_by_service_model_and_database(org):
    with pytest.raises(ValidationError, match="Monday: 17:00-08:00 ends before it starts"):
        make_calendar(org.agency, "Backwards", [(MON, time(17), time(8))])

    interval = OpeningInterval(calendar=org.calendar, weekday=MON, start=time(9), end=time(9))
    with pytest.raises(ValidationError, match="Closing time must be after opening time"):
        interval.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningInterval.objects.create(
            calendar=org.calendar, weekday=SAT, start=time(17), end=time(8)
        )


def test_the_calendar_time_zone_is_validated_and_defaults_to_the_agency_one(org):
    with pytest.raises(ValidationError, match="not a known time zone"):
        services.calendar_create(
            agency=org.agency, name="Mars", timezone="Mars/Olympus", intervals=OFFICE_HOURS,
            actor=None,
        )  # fmt: skip

    assert make_calendar(org.agency, "Default zone").timezone == "America/Chicago"


def test_weekly_schedule_lists_every_weekday_sorted_with_closed_days_empty(org):
    calendar = make_calendar(
        org.agency,
        "Saturday too",
        [(SAT, time(13), time(15)), *OFFICE_HOURS, (SAT, time(9), time(12))],
    )

    schedule = calendar.weekly_schedule()

    assert schedule[MON] == [(time(8), time(12)), (time(13), time(17))]
    assert schedule[SAT] == [(time(9), time(12)), (time(13), time(15))]
    assert schedule[6] == []
    assert sorted(schedule) == [0, 1, 2, 3, 4, 5, 6]


def test_setting_the_same_hours_again_changes_and_audits_nothing(org):
    before = list(org.calendar.intervals.values_list("pk", flat=True))
    audits = AuditEvent.objects.count()

    services.calendar_set_hours(calendar=org.calendar, intervals=list(OFFICE_HOURS), actor=None)

    assert list(org.calendar.intervals.values_list("pk", flat=True)) == before
    assert AuditEvent.objects.count() == audits


def test_new_hours_replace_the_old_ones_and_are_audited_with_before_and_after(org, agency_admin):
    services.calendar_set_hours(
        calendar=org.calendar, intervals=[(SAT, time(9), time(12))], actor=agency_admin.user
    )

    assert org.calendar.weekly_schedule()[SAT] == [(time(9), time(12))]
    assert org.calendar.weekly_schedule()[MON] == []
    event = AuditEvent.objects.get(action="calendar.hours_set")
    assert event.actor_user == agency_admin.user
    assert event.agency_id == org.agency.pk
    before, after = event.changes["hours"]
    assert before.startswith("Mon 08:00-12:00, Mon 13:00-17:00, Tue 08:00-12:00")
    assert after == "Sat 09:00-12:00"


def test_calendar_create_is_audited(org):
    event = AuditEvent.objects.get(action="calendar.created", object_id=str(org.calendar.pk))

    assert event.agency_id == org.agency.pk
    assert event.changes["name"] == [None, "Public Works hours"]
    assert event.changes["timezone"] == [None, "America/Chicago"]


# --- holidays -------------------------------------------------------------------------------


def test_holiday_add_is_audited_and_a_second_holiday_on_the_same_date_is_refused(org):
    services.holiday_add(
        calendar=org.calendar, date=date(2026, 8, 14), name="Town fair", actor=org.agent.user
    )

    event = AuditEvent.objects.get(action="holiday.added")
    assert event.actor_user == org.agent.user and event.agency_id == org.agency.pk
    assert event.changes["name"] == [None, "Town fair"]
    with pytest.raises(ValidationError, match="already has a holiday on this date"):
        services.holiday_add(
            calendar=org.calendar, date=date(2026, 8, 14), name="Fair again", actor=None
        )
    assert org.calendar.holidays.count() == 1


def test_recurring_holidays_fall_on_the_same_day_of_the_asked_year(org):
    add = services.holiday_add
    add(
        calendar=org.calendar, date=date(2020, 12, 25), name="Christmas", recurring=True, actor=None
    )
    add(calendar=org.calendar, date=date(2026, 7, 3), name="Observed 4th", actor=None)
    add(calendar=org.calendar, date=date(2024, 2, 29), name="Leap day", recurring=True, actor=None)

    assert org.calendar.holiday_dates(2031) == {date(2031, 12, 25)}
    assert org.calendar.holiday_dates(2026) == {date(2026, 12, 25), date(2026, 7, 3)}
    assert org.calendar.holiday_dates(2028) == {date(2028, 12, 25), date(2028, 2, 29)}


def test_schedule_and_holidays_need_no_queries_once_prefetched(org, django_assert_num_queries):
    services.holiday_add(calendar=org.calendar, date=date(2026, 12, 25), name="Xmas", actor=None)
    calendar = selectors.calendars_with_schedule().get(pk=org.calendar.pk)

    with django_assert_num_queries(0):
        schedule = calendar.weekly_schedule()
        dates = calendar.holiday_dates(2026)

    assert schedule[MON] == [(time(8), time(12)), (time(13), time(17))]
    assert dates == {date(2026, 12, 25)}


def test_seeding_adds_the_real_illinois_holidays_with_their_observed_days(org):
    added = services.calendar_seed_holidays(
        calendar=org.calendar, country="US", subdivision="IL", years=[2026], actor=None
    )

    by_date = {h.date: h.name for h in org.calendar.holidays.all()}
    assert len(added) == len(by_date) == 15
    assert by_date[date(2026, 7, 4)] == "Independence Day"  # a Saturday
    assert by_date[date(2026, 7, 3)] == "Independence Day (observed)"  # the Friday off
    assert by_date[date(2026, 11, 26)] == "Thanksgiving Day"
    assert by_date[date(2026, 2, 12)] == "Lincoln's Birthday"  # Illinois only
    assert date(2026, 7, 3) in org.calendar.holiday_dates(2026)
    assert not any(h.recurring for h in added)


def test_seeding_without_a_subdivision_gives_the_federal_holidays_only(org):
    services.calendar_seed_holidays(calendar=org.calendar, country="us", years=[2026], actor=None)

    dates = org.calendar.holiday_dates(2026)
    assert date(2026, 1, 19) in dates  # Martin Luther King Jr. Day
    assert date(2026, 2, 12) not in dates  # Lincoln's Birthday is Illinois'


def test_seeding_again_adds_nothing_and_keeps_holidays_typed_in_by_hand(org):
    services.holiday_add(
        calendar=org.calendar, date=date(2026, 12, 25), name="Christmas (city)", actor=None
    )
    first = services.calendar_seed_holidays(
        calendar=org.calendar, country="US", subdivision="IL", years=[2026, 2027], actor=None
    )
    audits = AuditEvent.objects.filter(action="calendar.holidays_seeded").count()

    again = services.calendar_seed_holidays(
        calendar=org.calendar, country="US", subdivision="IL", years=[2027, 2026], actor=None
    )

    assert again == []
    assert Holiday.objects.filter(calendar=org.calendar).count() == len(first) + 1
    assert org.calendar.holidays.get(date=date(2026, 12, 25)).name == "Christmas (city)"
    assert AuditEvent.objects.filter(action="calendar.holidays_seeded").count() == audits == 1


def test_seeding_skips_dates_covered_by_a_recurring_holiday(org):
    services.holiday_add(
        calendar=org.calendar, date=date(2000, 12, 25), name="Christmas", recurring=True,
        actor=None,
    )  # fmt: skip

    services.calendar_seed_holidays(calendar=org.calendar, country="US", years=[2026], actor=None)

    assert not org.calendar.holidays.filter(date=date(2026, 12, 25)).exists()


def test_seeding_is_audited_with_what_was_added(org):
    services.calendar_seed_holidays(
        calendar=org.calendar, country="US", subdivision="IL", years=[2026], actor="system:test"
    )

    event = AuditEvent.objects.get(action="calendar.holidays_seeded")
    assert event.actor_label == "system:test" and event.agency_id == org.agency.pk
    assert event.changes["holidays"] == [0, 15]
    assert event.changes["source"] == [None, "US-IL 2026"]
    assert "2026-07-03" in event.changes["added"][1]


def test_seeding_an_unknown_country_or_subdivision_is_a_clear_error(org):
    with pytest.raises(ValidationError, match="No holidays known for XX"):
        services.calendar_seed_holidays(
            calendar=org.calendar, country="XX", years=[2026], actor=None
        )
    with pytest.raises(ValidationError, match="No holidays known for US-ZZ"):
        services.calendar_seed_holidays(
            calendar=org.calendar, country="US", subdivision="ZZ", years=[2026], actor=None
        )
    assert not org.calendar.holidays.exists()


def test_the_seed_holidays_command_seeds_once(org):
    args = [
        str(org.calendar.pk),
        "--country",
        "US",
        "--subdivision",
        "IL",
        "--years",
        "2026",
        "2027",
    ]

    call_command("seed_holidays", *args, stdout=(first := _Output()))
    call_command("seed_holidays", *args, stdout=(second := _Output()))

    assert "Added 32 holidays to Public Works hours" in first.text
    assert "2027-07-05 Independence Day (observed)" in first.text
    assert "Added 0 holidays" in second.text
    assert org.calendar.holidays.count() == 32


def test_the_seed_holidays_command_refuses_an_unknown_calendar_or_country(org):
    with pytest.raises(CommandError, match="No business calendar with id 999999"):
        call_command("seed_holidays", "999999", "--country", "US", "--years", "2026")
    with pytest.raises(CommandError, match="No holidays known for XX"):
        call_command("seed_holidays", str(org.calendar.pk), "--country", "XX", "--years", "2026")


class _Output:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


# --- the admin ------------------------------------------------------------------------------


def _calendar_post(name: str, intervals: list[tuple[int, str, str]], **extra) -> dict:
    data = {
        "name": name,
        "timezone": "America/Chicago",
        "intervals-TOTAL_FORMS": str(len(intervals)),
        "intervals-INITIAL_FORMS": "0",
        "holidays-TOTAL_FORMS": "0",
        "holidays-INITIAL_FORMS": "0",
        **extra,
    }
    for index, (weekday, start, end) in enumerate(intervals):
        data[f"intervals-{index}-weekday"] = str(weekday)
        data[f"intervals-{index}-start"] = start
        data[f"intervals-{index}-end"] = end
    return data


def test_admin_refuses_to_save_a_calendar_without_opening_hours(agency_admin_client):
    response = agency_admin_client.post(
        "/admin/agencies/businesscalendar/add/", _calendar_post("No hours", [("", "", "")])
    )

    assert response.status_code == 200
    assert "A business calendar needs opening hours" in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="No hours").exists()


def test_admin_refuses_overlapping_hours(agency_admin_client):
    response = agency_admin_client.post(
        "/admin/agencies/businesscalendar/add/",
        _calendar_post("Clash", [(MON, "08:00", "12:00"), (MON, "10:00", "11:00")]),
    )

    assert "Monday: 08:00-12:00 overlaps 10:00-11:00." in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Clash").exists()


def test_admin_refuses_deleting_the_last_opening_interval(org, agency_admin_client):
    calendar = make_calendar(org.agency, "One slot", [(MON, time(9), time(10))])
    interval = calendar.intervals.get()
    data = _calendar_post("One slot", [(MON, "09:00", "10:00")])
    data.update({"intervals-INITIAL_FORMS": "1", "intervals-0-id": str(interval.pk),
                 "intervals-0-calendar": str(calendar.pk), "intervals-0-DELETE": "on"})  # fmt: skip

    response = agency_admin_client.post(
        f"/admin/agencies/businesscalendar/{calendar.pk}/change/", data
    )

    assert "A business calendar needs opening hours" in response.content.decode()
    assert calendar.intervals.count() == 1


def test_admin_saves_a_calendar_with_hours_in_the_admins_agency_and_audits_it(
    org, agency_admin, agency_admin_client
):
    response = agency_admin_client.post(
        "/admin/agencies/businesscalendar/add/",
        _calendar_post("Night desk", [(FRI, "22:00", "00:00"), (SAT, "09:00", "12:00")]),
    )

    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(name="Night desk")
    assert calendar.agency == org.agency
    assert calendar.weekly_schedule()[FRI] == [(time(22), time(0))]
    created = AuditEvent.objects.filter(action="admin.created", actor_user=agency_admin.user)
    assert {e.object_type for e in created} == {
        "agencies.businesscalendar",
        "agencies.openinginterval",
    }
    assert all(e.agency_id == org.agency.pk for e in created)


def _calendar_change_post(calendar: BusinessCalendar) -> dict:
    """The change form as the admin page posts it back, unchanged."""
    data = {"name": calendar.name, "timezone": calendar.timezone}
    for prefix, rows in (
        ("intervals", [{"weekday": i.weekday, "start": f"{i.start:%H:%M}",
                        "end": f"{i.end:%H:%M}", "id": i.pk} for i in calendar.intervals.all()]),
        ("holidays", [{"date": f"{h.date:%Y-%m-%d}", "name": h.name, "id": h.pk}
                      for h in calendar.holidays.all()]),
    ):  # fmt: skip
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        for index, row in enumerate(rows):
            for key, value in {**row, "calendar": calendar.pk}.items():
                data[f"{prefix}-{index}-{key}"] = str(value)
    return data


def test_admin_edits_of_holidays_are_audited_with_before_and_after(
    org, agency_admin, agency_admin_client
):
    holiday = services.holiday_add(
        calendar=org.calendar, date=date(2026, 8, 14), name="Town fair", actor=None
    )
    data = _calendar_change_post(org.calendar)
    data["holidays-0-name"] = "Springfield Town Fair"

    response = agency_admin_client.post(
        f"/admin/agencies/businesscalendar/{org.calendar.pk}/change/", data
    )

    assert response.status_code == 302
    holiday.refresh_from_db()
    assert holiday.name == "Springfield Town Fair"
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(holiday.pk))
    assert event.object_type == "agencies.holiday"
    assert event.changes == {"name": ["Town fair", "Springfield Town Fair"]}
    assert event.actor_user == agency_admin.user and event.agency_id == org.agency.pk
    # the untouched intervals and calendar were not rewritten
    assert not AuditEvent.objects.filter(action="admin.changed").exclude(pk=event.pk).exists()


def test_the_calendar_list_summarises_the_weekly_hours(org, agency_admin_client):
    make_calendar(org.agency, "With Saturday", [*OFFICE_HOURS, (SAT, time(9), time(12))])

    page = agency_admin_client.get("/admin/agencies/businesscalendar/").content.decode()

    assert "Mon-Fri 08:00-12:00, 13:00-17:00</td>" in page
    assert "Mon-Fri 08:00-12:00, 13:00-17:00; Sat 09:00-12:00" in page
