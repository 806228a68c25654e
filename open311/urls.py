"""GeoReport v2 under /open311/v2/: each resource as .xml or .json (the format is the suffix)."""

from django.urls import re_path

from open311 import updates, views

app_name = "open311"

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(rf"^discovery{FMT}", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}", views.service_list, name="services"),
    re_path(
        rf"^services/(?P<service_code>[^/]+?){FMT}",
        views.service_definition,
        name="service_definition",
    ),
    re_path(rf"^requests{FMT}", views.requests, name="requests"),
    re_path(
        rf"^requests/(?P<service_request_id>[^/]+?){FMT}", views.request_detail, name="request"
    ),
    re_path(
        rf"^servicerequestupdates{FMT}",
        updates.service_request_updates,
        name="service_request_updates",
    ),
    re_path(rf"^tokens/(?P<token>[^/]+?){FMT}", views.token, name="token"),
    re_path(r"^(?P<path>.*)$", views.not_found_any, name="not_found"),
]
