"""URL map. Public, citizen-facing pages live under /en/ and /es/ (i18n_patterns);
staff pages, the admin, the API and /healthz are unprefixed."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from cases import public_views as case_public_views
from core import views as core_views
from feedback import views as feedback_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("staff/audit/", core_views.audit_list, name="audit_list"),
    path("staff/notifications/", core_views.notifications, name="notifications"),
    path("staff/citizens/", include("citizens.urls")),
    path("staff/cases/", include("cases.urls")),
    path("staff/feedback/", include("feedback.urls")),
    path("staff/", include("agencies.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("citizencrm.api_urls")),
    path("open311/v2/", include("open311.urls")),
]

urlpatterns += i18n_patterns(
    path("", core_views.landing, name="landing"),
    path("requests/new/", case_public_views.request_new, name="request_new"),
    path(
        "requests/new/done/<str:token>/",
        case_public_views.request_new_done,
        name="request_new_done",
    ),
    path(
        "requests/new/<slug:agency_slug>/<slug:code>/",
        case_public_views.request_new_category,
        name="request_new_category",
    ),
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
    path("feedback/", feedback_views.feedback_new, name="feedback"),
    path("feedback/thanks/", feedback_views.feedback_thanks, name="feedback_thanks"),
    path(
        "survey/unsubscribe/<str:token>/",
        feedback_views.survey_unsubscribe,
        name="survey_unsubscribe",
    ),
    path("survey/<str:token>/", feedback_views.survey, name="survey"),
    path("survey/<str:token>/thanks/", feedback_views.survey_thanks, name="survey_thanks"),
    prefix_default_language=True,
)

admin.site.site_header = "CitizenCRM administration"
admin.site.site_title = "CitizenCRM admin"
handler404 = "core.views.not_found"
