"""Demo data for `make run`, the README and the browser tests. Later issues extend it."""

from django.contrib.auth import get_user_model

from agencies.models import Agency, StaffMember

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
    return lines


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
    return users
