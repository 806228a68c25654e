"""Saved queue and dashboard views, mounted at /staff/saved-views/."""

from django.urls import path

from reports import saved_views

app_name = "saved_views"

urlpatterns = [
    path("", saved_views.saved_view_list, name="list"),
    path("new/", saved_views.saved_view_create, name="create"),
    path("<int:pk>/", saved_views.saved_view_open, name="open"),
    path("<int:pk>/edit/", saved_views.saved_view_edit, name="edit"),
    path("<int:pk>/delete/", saved_views.saved_view_delete, name="delete"),
]
