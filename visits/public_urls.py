"""Public walk-in pages, mounted under /<lang>/ (names un-namespaced, as the other public ones)."""

from django.urls import path

from visits import views

urlpatterns = [
    path("check-in/<slug:office>/", views.checkin, name="checkin"),
    path("check-in/<slug:office>/display/", views.checkin_display, name="checkin_display"),
    path("check-in/<slug:office>/ticket/<str:token>/", views.checkin_ticket, name="checkin_ticket"),
]
