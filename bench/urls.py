"""The application's URLs plus the floor endpoint of the create-case throughput benchmark.

citizencrm.urls uses i18n_patterns, which cannot be include()d: its list is reused as is.
"""

from django.urls import path

from bench.floor import FloorView
from citizencrm.urls import handler404  # noqa: F401
from citizencrm.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/floor/", FloorView.as_view(), name="bench_floor"), *app_urlpatterns]
