import zoneinfo
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

# Django admin access for agency administrators (created by migration 0003, kept by services).
AGENCY_ADMINS_GROUP = "Agency administrators"
MIDNIGHT = time(0, 0)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/New_York).")


class Agency(TimeStampedModel):
    """A government body using the deployment. Its slug is the Open311 jurisdiction_id."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    # The service area, as a box in decimal degrees (all four, or none: no check). Requests
    # from the public form and Open311 whose coordinates fall outside it are refused.
    area_min_latitude = models.DecimalField(
        _("service area: southern edge (latitude)"), max_digits=9, decimal_places=6,
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    area_max_latitude = models.DecimalField(
        _("service area: northern edge (latitude)"), max_digits=9, decimal_places=6,
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    area_min_longitude = models.DecimalField(
        _("service area: western edge (longitude)"), max_digits=9, decimal_places=6,
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    area_max_longitude = models.DecimalField(
        _("service area: eastern edge (longitude)"), max_digits=9, decimal_places=6,
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip

    agency_scope = "pk"

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    AREA_FIELDS = (
        "area_min_latitude", "area_max_latitude", "area_min_longitude", "area_max_longitude",
    )  # fmt: skip

    @property
    def has_service_area(self) -> bool:
        return all(getattr(self, name) is not None for name in self.AREA_FIELDS)

    def in_service_area(self, latitude, longitude) -> bool:
        """True when there is no service area, or the point is inside it (edges included)."""
        if not self.has_service_area:
            return True
        return (
            self.area_min_latitude <= Decimal(latitude) <= self.area_max_latitude
            and self.area_min_longitude <= Decimal(longitude) <= self.area_max_longitude
        )

    def clean(self) -> None:
        super().clean()
        given = [getattr(self, name) is not None for name in self.AREA_FIELDS]
        if any(given) and not all(given):
            raise ValidationError(_("Give all four edges of the service area, or none of them."))
        if all(given) and (
            self.area_min_latitude >= self.area_max_latitude
            or self.area_min_longitude >= self.area_max_longitude
        ):
            raise ValidationError(
                _("The southern edge must be below the northern edge, and the western edge "
                  "west of the eastern edge.")
            )  # fmt: skip


# --- business calendars ---------------------------------------------------------------------


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def _seconds(value: time, *, is_end: bool = False) -> int:
    """Seconds since the start of the day; an end of 00:00 is midnight at the end of the day."""
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    return 24 * 3600 if is_end and seconds == 0 else seconds


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def validate_opening_intervals(intervals: Iterable[tuple[int, time, time]]) -> None:
    """The weekly hours of a calendar as a whole: at least one interval, none overlapping.

    Each interval is (weekday 0=Monday..6, start, end); an end of 00:00 means midnight, so
    (4, 22:00, 00:00) is Friday from 22:00 to the end of Friday.
    """
    by_day: dict[int, list[tuple[int, int, time, time]]] = {}
    for weekday, start, end in intervals:
        if start is None or end is None or weekday is None:
            continue  # field-level errors are reported by the fields themselves
        by_day.setdefault(int(weekday), []).append(
            (_seconds(start), _seconds(end, is_end=True), start, end)
        )
    if not by_day:
        raise ValidationError(
            _t("A business calendar needs opening hours: add at least one opening interval."),
            code="no_hours",
        )
    errors = []
    for weekday in sorted(by_day):
        day = Weekday(weekday).label
        spans = sorted(by_day[weekday])
        for begin, finish, start, end in spans:
            if begin >= finish:
                errors.append(
                    ValidationError(
                        _t("%(day)s: %(start)s-%(end)s ends before it starts.")
                        % {"day": day, "start": _hhmm(start), "end": _hhmm(end)},
                        code="end_before_start",
                    )
                )
        latest = spans[0]  # of the spans so far, the one that closes last
        for span in spans[1:]:
            if span[0] < latest[1]:
                errors.append(
                    ValidationError(
                        _t("%(day)s: %(first)s overlaps %(second)s.")
                        % {
                            "day": day,
                            "first": f"{_hhmm(latest[2])}-{_hhmm(latest[3])}",
                            "second": f"{_hhmm(span[2])}-{_hhmm(span[3])}",
                        },
                        code="overlap",
                    )
                )
            if span[1] > latest[1]:
                latest = span
    if errors:
        raise ValidationError(errors)


class BusinessCalendar(TimeStampedModel):
    """Weekly opening hours and holidays of an agency, in one time zone. SLAs count in these."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="calendars")
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_timezone],
        help_text=_("IANA name, e.g. America/Chicago. Opening hours are local times here."),
    )  # fmt: skip

    agency_scope = "agency"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("business calendar")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"],
                name="calendar_name_unique_per_agency",
                violation_error_message=_("This agency already has a calendar with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def weekly_schedule(self) -> dict[int, list[tuple[time, time]]]:
        """{weekday: [(start, end), ...]} for 0=Monday..6=Sunday, sorted; closed days are [].

        An end of 00:00 means midnight at the end of that day. Uses the prefetched
        `intervals` when there are any (no query then).
        """
        schedule: dict[int, list[tuple[time, time]]] = {day: [] for day in Weekday.values}
        for interval in self.intervals.all():
            schedule[interval.weekday].append((interval.start, interval.end))
        for spans in schedule.values():
            spans.sort(key=lambda span: _seconds(span[0]))
        return schedule

    def holiday_dates(self, year: int) -> set[date]:
        """The closed dates of `year`: its one-off holidays, and recurring ones moved to `year`.

        A recurring 29 February only counts in leap years. Uses the prefetched `holidays`.
        """
        dates = set()
        for holiday in self.holidays.all():
            if not holiday.recurring:
                if holiday.date.year == year:
                    dates.add(holiday.date)
                continue
            try:
                dates.add(holiday.date.replace(year=year))
            except ValueError:  # 29 February in a common year
                continue
        return dates


class OpeningInterval(models.Model):
    """One span of opening hours on a weekday, in the calendar's local time."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("opens"))
    end = models.TimeField(_("closes"), help_text=_("00:00 means midnight (end of the day)."))

    agency_scope = "calendar__agency"

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("opening interval")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="interval_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")) | Q(end=MIDNIGHT),
                name="interval_starts_before_end",
                violation_error_message=_("An opening interval must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{Weekday(self.weekday).label} {_hhmm(self.start)}-{_hhmm(self.end)}"

    @property
    def ends_at_midnight(self) -> bool:
        return self.end == MIDNIGHT

    def clean(self) -> None:
        super().clean()
        if (
            self.start is not None
            and self.end is not None
            and _seconds(self.start) >= _seconds(self.end, is_end=True)
        ):
            raise ValidationError(
                {"end": _t("Closing time must be after opening time (00:00 for midnight).")}
            )


class Holiday(models.Model):
    """A day the calendar is closed. Recurring holidays fall on the same month/day every year."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    recurring = models.BooleanField(
        _("every year"), default=False,
        help_text=_("Closed on this month and day every year (e.g. 25 December)."),
    )  # fmt: skip

    agency_scope = "calendar__agency"

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("holiday")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"],
                name="holiday_unique_per_calendar_date",
                violation_error_message=_("This calendar already has a holiday on this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


# --- teams and staff ------------------------------------------------------------------------


class Team(TimeStampedModel):
    """A group of staff of one agency; cases are assigned to teams and counted in its calendar."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="teams",
        verbose_name=_("business calendar"),
        help_text=_("SLA deadlines of this team's cases count in these hours."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    agency_scope = "agency"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("team")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "slug"],
                name="team_slug_unique_per_agency",
                violation_error_message=_("This agency already has a team with this slug."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (
            self.agency_id is not None
            and self.calendar_id is not None
            and self.calendar.agency_id != self.agency_id
        ):
            raise ValidationError(
                {"calendar": _t("Choose a business calendar of the team's own agency.")}
            )


class StaffMember(TimeStampedModel):
    """A Django user working for one agency, in one role, in some of its teams."""

    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        SUPERVISOR = "supervisor", _("Supervisor")
        ADMIN = "admin", _("Admin")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.AGENT)
    preferred_language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    teams = models.ManyToManyField(
        Team, blank=True, related_name="members", verbose_name=_("teams"),
        help_text=_("Teams of the member's own agency."),
    )  # fmt: skip
    # Staff pages and emails show times in this zone; empty: the agency's (most staff work
    # where the agency is; a remote worker or a national agency's regional office may not).
    timezone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_timezone],
        help_text=_("Leave empty to use the agency's time zone, e.g. America/Denver."),
    )  # fmt: skip

    agency_scope = "agency"
    # The teams about to be set (by a form or a service), validated by clean() instead of the
    # stored ones: many-to-many values are saved after the member itself.
    proposed_teams: Iterable[Team] | None = None

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.agency.slug})"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The time zone the member reads times in: their own, else their agency's."""
        return zoneinfo.ZoneInfo(self.timezone or self.agency.timezone or "UTC")

    def clean(self) -> None:
        super().clean()
        if self.agency_id is None:
            return
        if self.proposed_teams is not None:
            teams, key = list(self.proposed_teams), "teams"
        elif self.pk is not None:
            teams, key = list(self.teams.all()), NON_FIELD_ERRORS
        else:
            return
        foreign = sorted(team.name for team in teams if team.agency_id != self.agency_id)
        if foreign:
            raise ValidationError(
                {
                    key: _t("Teams must belong to the member's own agency: %(teams)s is not.")
                    % {"teams": ", ".join(foreign)}
                }
            )
