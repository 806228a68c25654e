"""Public request pages, mounted at /<lang>/requests/ by citizencrm.urls (names un-namespaced:
emails and other apps reverse them as "request_new", "request_status_link", …)."""

from django.urls import path

from cases.public import views

urlpatterns = [
    path("new/", views.request_new, name="request_new"),
    path("new/done/<str:token>/", views.request_new_done, name="request_new_done"),
    path(
        "new/<slug:agency_slug>/<slug:code>/",
        views.request_new_category,
        name="request_new_category",
    ),
    path(
        "new/<slug:agency_slug>/<slug:code>/nearby/",
        views.request_nearby,
        name="request_nearby",
    ),
    path("follow/<str:token>/", views.request_follow, name="request_follow"),
    path("status/", views.request_status, name="request_status"),
    path("status/<str:token>/", views.request_status_link, name="request_status_link"),
    path("unsubscribe/<str:token>/", views.request_unsubscribe, name="request_unsubscribe"),
    path("mine/<str:token>/", views.request_citizen_confirm, name="request_citizen_confirm"),
    path("survey/<str:token>/", views.request_survey_consent, name="request_survey_consent"),
]
