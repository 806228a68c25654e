"""REST API (/api/v1/…) and its OpenAPI 3 schema with offline Swagger UI and Redoc.

Each app keeps its endpoints in its own api.py; this file only registers them.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from cases import api as cases_api
from citizens import api as citizens_api
from core import api_views as core_api
from feedback import api as feedback_api

router = SimpleRouter()
router.register("categories", cases_api.CategoryViewSet, basename="category")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("sla/breaches", cases_api.SlaBreachViewSet, basename="sla-breach")
router.register("citizens", citizens_api.CitizenViewSet, basename="citizen")
router.register("feedback", feedback_api.FeedbackViewSet, basename="feedback")
router.register("surveys/results", feedback_api.SurveyResultViewSet, basename="survey-result")
router.register("audit", core_api.AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("v1/", include((router.urls, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
