from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from agencies.security import two_factor_step
from agencies.selectors import staff_member


class StaffTwoFactorMiddleware:
    """Staff and admin pages, and the API with a session, need a verified second factor from
    those who have or need one (an API token is issued after that step, or by the operator)."""

    EXEMPT = {"staff:login", "staff:logout", "staff:verify", "staff:enrol", "admin:logout"}
    GUARDED_PREFIXES = ("/staff/", "/admin/", "/api/v1/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and request.path_info.startswith(self.GUARDED_PREFIXES)
            and not user.is_verified()
            and self._view_name(request) not in self.EXEMPT
        ):
            step = two_factor_step(user)
            if step:
                target = "staff:verify" if step == "verify" else "staff:enrol"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _view_name(request) -> str | None:
        try:
            return resolve(request.path_info).view_name
        except Resolver404:
            return None


class StaffLanguageMiddleware:
    """Staff pages (outside the /en/ /es/ prefixes) speak the staff member's own language."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)

    def __call__(self, request):
        profile = staff_member(request.user)
        if profile and not request.path_info.startswith(self.prefixes):
            translation.activate(profile.preferred_language)
            request.LANGUAGE_CODE = profile.preferred_language
        return self.get_response(request)


class StaffTimezoneMiddleware:
    """Staff pages and the admin show times in the staff member's zone (their own, else their
    agency's), whichever page renders them; others, and the API, get settings.TIME_ZONE. Public
    pages about a case put the case's agency zone around what they render themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    MACHINE_PREFIXES = ("/api/", "/open311/")  # the same answer however a client signs in: UTC

    def __call__(self, request):
        profile = staff_member(request.user)
        if profile is not None and not request.path_info.startswith(self.MACHINE_PREFIXES):
            timezone.activate(profile.zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
