"""URL map. Public, citizen-facing pages live under /en/ and /es/ (i18n_patterns);
staff pages, the admin, the API and /healthz are unprefixed."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from cases import public_views as case_public_views
from core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("staff/audit/", core_views.audit_list, name="audit_list"),
    path("staff/citizens/", include("citizens.urls")),
    path("staff/cases/", include("cases.urls")),
    path("staff/", include("agencies.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("citizencrm.api_urls")),
]

urlpatterns += i18n_patterns(
    path("", core_views.landing, name="landing"),
    path("requests/new/", core_views.coming_soon, {"page": "request_new"}, name="request_new"),
    path("requests/status/", case_public_views.request_status, name="request_status"),
    path(
        "requests/status/<str:token>/",
        case_public_views.request_status_link,
        name="request_status_link",
    ),
    path(
        "requests/unsubscribe/<str:token>/",
        case_public_views.request_unsubscribe,
        name="request_unsubscribe",
    ),
    path("feedback/", core_views.coming_soon, {"page": "feedback"}, name="feedback"),
    prefix_default_language=True,
)

admin.site.site_header = "CitizenCRM administration"
admin.site.site_title = "CitizenCRM admin"
