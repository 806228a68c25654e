"""Configuration screens for agencies, teams, business calendars, holidays and staff.

Scoped per agency (core.admin_scoping): agency administrators see and edit only their own
agency's records; deployment superusers see all. Teams and staff are saved through
`agencies.services` (validation, admin access of agency admins, audit); calendars with their
hours and holidays through the audited admin saves of AgencyScopedAdmin.
"""

import zoneinfo

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTimeWidget
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from agencies import services
from agencies.hooks import CalendarSnapshot, calendar_snapshot
from agencies.models import (
    Agency,
    BusinessCalendar,
    Holiday,
    OpeningInterval,
    StaffMember,
    Team,
    Weekday,
    validate_opening_intervals,
)
from core.admin_scoping import AgencyScopedAdmin, AgencyScopedInline
from core.scoping import user_agency_id


def _mark_saved(obj, saved) -> None:
    """Make the admin's unsaved instance stand for the row a service created."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


@admin.register(Agency)
class AgencyAdmin(AgencyScopedAdmin):
    list_display = ["name", "slug", "timezone", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "timezone", "contact_email", "contact_phone"]}),
        (
            _("Service area"),
            {
                "fields": list(Agency.AREA_FIELDS),
                "description": _(
                    "Optional. A box in decimal degrees: requests from the public form and "
                    "Open311 with coordinates outside it are refused. Leave all four empty "
                    "for no check."
                ),
            },
        ),
    ]


# --- business calendars ---------------------------------------------------------------------


class OpeningIntervalFormSet(BaseInlineFormSet):
    """The weekly hours as a whole: at least one interval, none overlapping on a weekday."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return  # the rows' own errors first
        intervals = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None):
                continue  # an untouched empty row
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            intervals.append((data.get("weekday"), data.get("start"), data.get("end")))
        validate_opening_intervals(intervals)


class OpeningIntervalInline(AgencyScopedInline, admin.TabularInline):
    model = OpeningInterval
    formset = OpeningIntervalFormSet
    fields = ["weekday", "start", "end"]
    formfield_overrides = {models.TimeField: {"widget": AdminTimeWidget(format="%H:%M")}}
    verbose_name_plural = _("opening hours (00:00 as closing time means midnight)")

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 0


class HolidayInline(AgencyScopedInline, admin.TabularInline):
    model = Holiday
    fields = ["date", "name", "recurring"]
    extra = 0


def _snapshots(calendar_ids) -> dict[int, CalendarSnapshot]:
    calendars = BusinessCalendar.objects.filter(pk__in=[pk for pk in calendar_ids if pk])
    return {calendar.pk: calendar_snapshot(calendar) for calendar in calendars}


def _calendars_changed(previous: dict[int, CalendarSnapshot], actor) -> None:
    """Hours, holidays or time zone edited here: open cases get new deadlines (as after the
    agencies services), counting the time so far in the calendar as it was."""
    for calendar in BusinessCalendar.objects.filter(pk__in=list(previous)):
        if calendar_snapshot(calendar) == previous[calendar.pk]:
            continue
        services.calendar_changed(calendar=calendar, previous=previous[calendar.pk], actor=actor)


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AgencyScopedAdmin):
    list_display = ["name", "agency", "timezone", "opening_hours", "holiday_count", "team_count"]
    list_filter = ["agency"]
    search_fields = ["name"]
    fields = ["agency", "name", "timezone"]
    inlines = [OpeningIntervalInline, HolidayInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("agency")
            .prefetch_related("intervals")
            .annotate(
                holidays_total=Count("holidays", distinct=True),
                teams_total=Count("teams", distinct=True),
            )
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        agency = Agency.objects.filter(pk=user_agency_id(request.user)).first()
        if agency is not None:
            initial.setdefault("timezone", agency.timezone)
        return initial

    @admin.display(description=_("opening hours"))
    def opening_hours(self, obj: BusinessCalendar) -> str:
        """E.g. "Mon-Fri 08:00-12:00, 13:00-17:00; Sat 09:00-12:00" (runs of equal days)."""
        runs: list[tuple[int, int, str]] = []  # first day, last day, hours
        for weekday, spans in obj.weekly_schedule().items():
            hours = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in spans)
            if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == hours:
                runs[-1] = (runs[-1][0], weekday, hours)
            else:
                runs.append((weekday, weekday, hours))
        parts = []
        for first, last, hours in runs:
            if hours:
                days = Weekday(first).label[:3]
                if last != first:
                    days += f"-{Weekday(last).label[:3]}"
                parts.append(f"{days} {hours}")
        return "; ".join(parts) or "-"

    def save_model(self, request, obj, form, change):
        obj._previous_hours = _snapshots([obj.pk]) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _calendars_changed(getattr(form.instance, "_previous_hours", {}), request.user)

    @admin.display(description=_("holidays"), ordering="holidays_total")
    def holiday_count(self, obj: BusinessCalendar) -> int:
        return obj.holidays_total

    @admin.display(description=_("teams"), ordering="teams_total")
    def team_count(self, obj: BusinessCalendar) -> int:
        return obj.teams_total


@admin.register(Holiday)
class HolidayAdmin(AgencyScopedAdmin):
    list_display = ["date", "name", "recurring", "calendar"]
    list_filter = ["recurring", ("calendar", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_select_related = ["calendar"]

    def save_model(self, request, obj, form, change):
        before = Holiday.objects.filter(pk=obj.pk).values_list("calendar_id", flat=True).first()
        previous = _snapshots({obj.calendar_id, before})
        super().save_model(request, obj, form, change)
        _calendars_changed(previous, request.user)

    def delete_model(self, request, obj):
        previous = _snapshots([obj.calendar_id])
        super().delete_model(request, obj)
        _calendars_changed(previous, request.user)

    def delete_queryset(self, request, queryset):
        previous = _snapshots(set(queryset.values_list("calendar_id", flat=True)))
        super().delete_queryset(request, queryset)
        _calendars_changed(previous, request.user)


# --- teams and staff ------------------------------------------------------------------------


class TeamAdminForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["agency", "name", "slug", "calendar", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "calendar" in self.fields and self.instance.agency_id:
            calendars = self.fields["calendar"].queryset
            self.fields["calendar"].queryset = calendars.filter(agency_id=self.instance.agency_id)


@admin.register(Team)
class TeamAdmin(AgencyScopedAdmin):
    form = TeamAdminForm
    list_display = ["name", "slug", "agency", "calendar", "active", "member_count"]
    list_filter = ["active", "agency", ("calendar", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["agency", "name", "slug", "calendar", "active"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("agency", "calendar")
        return qs.annotate(members_total=Count("members", distinct=True))

    @admin.display(description=_("members"), ordering="members_total")
    def member_count(self, obj: Team) -> int:
        return obj.members_total

    def save_model(self, request, obj, form, change):
        self._set_agency(request, obj)
        fields = {"name": obj.name, "slug": obj.slug, "calendar": obj.calendar,
                  "active": obj.active}  # fmt: skip
        if change:
            team = Team.objects.get(pk=obj.pk)
            services.team_update(team=team, actor=request.user, **fields)
        else:
            team = services.team_create(agency=obj.agency, actor=request.user, **fields)
            _mark_saved(obj, team)


def _time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone)
    return [("", _("The agency's time zone")), *((zone, zone) for zone in zones)]


class StaffMemberAdminForm(forms.ModelForm):
    # A list to pick from, not a name to spell (the model field checks it either way).
    timezone = forms.ChoiceField(
        label=_("time zone"), choices=_time_zone_choices, required=False,
        help_text=_("Times on their pages and in their emails; usually the agency's."),
    )  # fmt: skip

    class Meta:
        model = StaffMember
        fields = ["user", "agency", "role", "preferred_language", "timezone", "teams"]
        widgets = {"teams": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "teams" in self.fields and self.instance.agency_id:
            teams = self.fields["teams"].queryset
            self.fields["teams"].queryset = teams.filter(agency_id=self.instance.agency_id)

    def clean(self):
        cleaned = super().clean()
        if "teams" in cleaned:
            # StaffMember.clean() checks these against the member's agency.
            self.instance.proposed_teams = list(cleaned["teams"])
        return cleaned


@admin.register(StaffMember)
class StaffMemberAdmin(AgencyScopedAdmin):
    form = StaffMemberAdminForm
    list_display = ["user", "agency", "role", "preferred_language", "team_names"]
    list_filter = ["agency", "role", ("teams", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["agency"]
    fields = ["user", "agency", "role", "preferred_language", "timezone", "teams"]
    agency_editable_on_change = True  # superusers may move staff (they leave their old teams)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("user", "agency").prefetch_related("teams")
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("user")  # a profile never changes hands
        return readonly

    def has_change_permission(self, request, obj=None):
        # Deployment superusers' profiles are theirs to change, not an agency admin's.
        if obj is not None and obj.user.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("teams"))
    def team_names(self, obj: StaffMember) -> str:
        return ", ".join(team.name for team in obj.teams.all()) or "—"

    def save_model(self, request, obj, form, change):
        self._set_agency(request, obj)
        if change:
            member = StaffMember.objects.select_related("user").get(pk=obj.pk)
            services.staff_member_update(
                member=member, actor=request.user, role=obj.role,
                preferred_language=obj.preferred_language, timezone=obj.timezone,
                agency=obj.agency if request.user.is_superuser else None,
            )  # fmt: skip
        else:
            member = services.staff_member_create(
                user=obj.user, agency=obj.agency, role=obj.role, actor=request.user,
                preferred_language=obj.preferred_language, timezone=obj.timezone,
                teams=form.cleaned_data.get("teams", []),
            )  # fmt: skip
            _mark_saved(obj, member)

    def save_related(self, request, form, formsets, change):
        if "teams" in form.cleaned_data:
            member = StaffMember.objects.get(pk=form.instance.pk)
            services.staff_member_set_teams(
                member=member, teams=form.cleaned_data["teams"], actor=request.user
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
