"""Staff case pages, mounted at /staff/cases/ (the staff UI issue fills these in)."""

from django.urls import path  # noqa: F401

app_name = "cases"

urlpatterns: list = []
