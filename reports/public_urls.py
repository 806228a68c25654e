"""The public transparency page and its open data, mounted under /<lang>/ (un-namespaced)."""

from django.urls import path

from reports import public_views

urlpatterns = [
    path("transparency/", public_views.transparency, name="transparency"),
    path("transparency.csv", public_views.transparency_csv, name="transparency_csv"),
    path("transparency.json", public_views.transparency_json, name="transparency_json"),
]
