"""Demo data for `make run`, the README and the browser tests. Later issues extend it."""

from datetime import time

from django.conf import settings
from django.contrib.auth import get_user_model

from agencies import services
from agencies.models import Agency, BusinessCalendar, StaffMember, Team

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published in the README, demo only

DEMO_AGENCIES = [
    {"slug": "public-works", "name": "Springfield Public Works", "timezone": "America/Chicago",
     "contact_email": "publicworks@example.org", "contact_phone": "+13125550100"},
    {"slug": "revenue", "name": "Springfield Revenue Department", "timezone": "America/Chicago",
     "contact_email": "revenue@example.org", "contact_phone": "+13125550199"},
]  # fmt: skip

DEMO_STAFF = [
    # username, first, last, agency slug, role, language, Django admin access
    ("agent", "Alex", "Agent", "public-works", StaffMember.Role.AGENT, "en", False),
    ("supervisor", "Sam", "Supervisor", "public-works", StaffMember.Role.SUPERVISOR, "en", False),
    ("admin", "Ada", "Admin", "public-works", StaffMember.Role.ADMIN, "en", True),
    ("agente", "Elena", "Agente", "revenue", StaffMember.Role.AGENT, "es", False),
]

_WEEKDAYS = range(5)  # Monday to Friday
_OFFICE_HOURS = [(day, time(8), time(12)) for day in _WEEKDAYS] + [
    (day, time(13), time(17)) for day in _WEEKDAYS
]
DEMO_CALENDARS = {
    # agency slug: (name, time zone, weekly hours); holidays: US/Illinois, DEMO_HOLIDAY_YEARS
    "public-works": ("Public Works office hours", "America/Chicago",
                     [*_OFFICE_HOURS, (5, time(9), time(12))]),  # and Saturday mornings
    "revenue": ("Revenue office hours", "America/Chicago", _OFFICE_HOURS),
}  # fmt: skip
DEMO_HOLIDAYS = ("US", "IL")
DEMO_HOLIDAY_YEARS = (2026, 2027)

DEMO_TEAMS = [
    # agency slug, team slug, name
    ("public-works", "roads-and-sidewalks", "Roads and Sidewalks"),
    ("public-works", "sanitation", "Sanitation"),
    ("public-works", "parks", "Parks"),
    ("revenue", "property-tax", "Property Tax"),
    ("revenue", "business-licences", "Business Licences"),
]

DEMO_MEMBERSHIPS = {
    "agent": ["roads-and-sidewalks"],
    "supervisor": ["roads-and-sidewalks", "sanitation", "parks"],
    "admin": [],
    "agente": ["property-tax", "business-licences"],
}

DEMO_ACTOR = "system:demo-data"


def load() -> list[str]:
    """Entry point of `load_demo_data`: returns the lines to print (the logins)."""
    users = demo_data_load()
    lines = ["Sign in at /staff/login/ with:"]
    for user in users:
        profile = user.staff_profile
        lines.append(
            f"  {user.username:<12} {DEMO_PASSWORD}   "
            f"({profile.get_role_display()}, {profile.agency.name})"
        )
    if settings.DEMO_MODE:
        secret = demo_totp_devices_ensure(users)
        lines.append(
            f"Two-step verification (supervisor, admin): add the key {secret} to an authenticator"
        )
        lines.append("  app, or print a code with: python manage.py demo_totp_code USERNAME")
    return lines


# Demo mode only: every demo user shares this TOTP key, printed by load_demo_data, so the demo
# and the browser tests can pass two-step verification. Never used outside DEMO_MODE.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # RFC 6238's test key


def demo_totp_devices_ensure(users: list) -> str:
    """A confirmed TOTP device with the demo key for each demo user; returns the typed key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies.security import totp_secret_base32

    device = None
    for user in users:
        if user.staff_profile.role == StaffMember.Role.AGENT:
            continue  # agents sign in with a password alone (STAFF_2FA_REQUIRED_ROLES)
        device, _ = TOTPDevice.objects.update_or_create(
            user=user, name="Demo authenticator",
            defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True},
        )  # fmt: skip
    return totp_secret_base32(device) if device else ""


def demo_data_load() -> list:
    """Create or refresh the demo records; returns the demo users."""
    agencies = {}
    for spec in DEMO_AGENCIES:
        agencies[spec["slug"]], _ = Agency.objects.update_or_create(
            slug=spec["slug"], defaults={k: v for k, v in spec.items() if k != "slug"}
        )
    User = get_user_model()
    users = []
    for username, first, last, slug, role, language, is_admin in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.is_staff = is_admin
        user.is_superuser = (
            is_admin  # the deployment administrator; agency-scoped admins come with roles
        )
        user.save()
        StaffMember.objects.update_or_create(
            user=user,
            defaults={"agency": agencies[slug], "role": role, "preferred_language": language},
        )
        users.append(user)
    organisation_load(agencies, users)
    return users


def organisation_load(agencies: dict[str, Agency], users: list) -> None:
    """Calendars (hours, US/Illinois holidays), teams and team memberships, through services.

    Services change nothing when nothing differs, so a second run writes nothing.
    """
    calendars = {}
    for slug, (name, timezone, hours) in DEMO_CALENDARS.items():
        agency = agencies[slug]
        calendar = BusinessCalendar.objects.filter(agency=agency, name=name).first()
        if calendar is None:
            calendar = services.calendar_create(
                agency=agency, name=name, timezone=timezone, intervals=hours, actor=DEMO_ACTOR
            )
        else:
            services.calendar_set_hours(calendar=calendar, intervals=hours, actor=DEMO_ACTOR)
        country, subdivision = DEMO_HOLIDAYS
        services.calendar_seed_holidays(
            calendar=calendar, country=country, subdivision=subdivision,
            years=DEMO_HOLIDAY_YEARS, actor=DEMO_ACTOR,
        )  # fmt: skip
        calendars[slug] = calendar
    teams = {}
    for agency_slug, slug, name in DEMO_TEAMS:
        team = Team.objects.filter(agency=agencies[agency_slug], slug=slug).first()
        if team is None:
            team = services.team_create(
                agency=agencies[agency_slug], name=name, slug=slug,
                calendar=calendars[agency_slug], actor=DEMO_ACTOR,
            )  # fmt: skip
        else:
            services.team_update(team=team, name=name, calendar=calendars[agency_slug],
                                 active=True, actor=DEMO_ACTOR)  # fmt: skip
        teams[slug] = team
    for user in users:
        services.staff_member_set_teams(
            member=user.staff_profile,
            teams=[teams[slug] for slug in DEMO_MEMBERSHIPS.get(user.username, [])],
            actor=DEMO_ACTOR,
        )
