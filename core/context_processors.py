from functools import cache, partial

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language_info

from core.permissions import has_role
from core.scoping import staff_profile
from core.selectors import unread_notification_count


def site(request: HttpRequest) -> dict:
    """Site name, the signed-in staff member's agency, and links to this page in each language."""
    staff = staff_profile(getattr(request, "user", None))
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    alternates = []
    for code, _name in settings.LANGUAGES:
        if code != current:
            alternates.append(
                {
                    "code": code,
                    "url": translate_url(request.get_full_path(), code),
                    # Each language named in itself ("Español"), as language pickers should.
                    "label": get_language_info(code)["name_local"].capitalize(),
                }
            )
    prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
    public_page = request.path.startswith(prefixes)
    return {
        # Counted only if the page shows it (the navigation does; htmx partials do not).
        "unread_notifications": (
            cache(partial(unread_notification_count, request.user))
            if staff and not public_page
            else 0
        ),
        "public_page": public_page,
        "site_name": settings.SITE_NAME,
        "staff_agency": staff.agency if staff else None,
        "can_supervise": has_role(getattr(request, "user", None), "supervisor"),
        "language_alternates": alternates,
        "demo_mode": settings.DEMO_MODE,
    }
