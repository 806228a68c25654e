"""URL map. Public, citizen-facing pages live under /en/ and /es/ (i18n_patterns);
staff pages, the admin, the API and /healthz are unprefixed."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("staff/audit/", core_views.audit_list, name="audit_list"),
    path("staff/citizens/", include("citizens.urls")),
    path("staff/", include("agencies.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("citizencrm.api_urls")),
]

urlpatterns += i18n_patterns(
    path("", core_views.landing, name="landing"),
    path("requests/new/", core_views.coming_soon, {"page": "request_new"}, name="request_new"),
    path(
        "requests/status/",
        core_views.coming_soon,
        {"page": "request_status"},
        name="request_status",
    ),
    path("feedback/", core_views.coming_soon, {"page": "feedback"}, name="feedback"),
    prefix_default_language=True,
)

admin.site.site_header = "CitizenCRM administration"
admin.site.site_title = "CitizenCRM admin"
