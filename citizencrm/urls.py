"""URL map. Public, citizen-facing pages live under /en/ and /es/ (i18n_patterns);
staff pages, the admin, the API and /healthz are unprefixed."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from cases import follower_views
from core import views as core_views
from core.metrics import metrics_view

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),  # never public: core.metrics
    path("staff/audit/", core_views.audit_list, name="audit_list"),
    path("staff/audit/<int:pk>/", core_views.audit_event, name="audit_event"),
    path("staff/notifications/", core_views.notifications, name="notifications"),
    path("staff/walk-in/", include("visits.urls")),
    path("staff/citizens/import/", include("citizen_import.urls")),
    path("staff/citizens/segments/", include("segments.urls")),
    path("staff/citizens/", include("citizens.urls")),
    path("staff/cases/", include("cases.urls")),
    path("staff/feedback/", include("feedback.urls")),
    path("staff/dashboards/", include("reports.urls")),
    path("staff/saved-views/", include("reports.saved_urls")),
    path("staff/", include("agencies.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("citizencrm.api_urls")),
    path("open311/v2/", include("open311.urls")),
]

urlpatterns += i18n_patterns(
    path("", core_views.landing, name="landing"),
    path("requests/", include("cases.public.urls")),
    path("following/<str:token>/", follower_views.case_unfollow, name="case_unfollow"),
    path("", include("feedback.public_urls")),
    path("", include("reports.public_urls")),
    path("", include("visits.public_urls")),
    path("", include("segments.public_urls")),
    prefix_default_language=True,
)

admin.site.site_header = "CitizenCRM administration"
admin.site.site_title = "CitizenCRM admin"
handler404 = "core.views.not_found"
