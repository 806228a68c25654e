from django.conf import settings
from django.utils import translation


class StaffLanguageMiddleware:
    """Staff pages (outside the /en/ /es/ prefixes) speak the staff member's own language."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)

    def __call__(self, request):
        profile = (
            getattr(request.user, "staff_profile", None) if request.user.is_authenticated else None
        )
        if profile and not request.path_info.startswith(self.prefixes):
            translation.activate(profile.preferred_language)
            request.LANGUAGE_CODE = profile.preferred_language
        return self.get_response(request)
