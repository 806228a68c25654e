"""Staff pages of `feedback`, mounted at /staff/feedback/ (public pages are in citizencrm/urls)."""

from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.feedback_list, name="list"),
    path("<int:pk>/", views.feedback_detail, name="detail"),
    path("<int:pk>/handled/", views.feedback_handle, name="handle"),
    path("<int:pk>/citizen/", views.feedback_link_citizen, name="link_citizen"),
    path(
        "<int:pk>/citizen/not-this-person/",
        views.feedback_reject_suggested_citizen,
        name="reject_suggested_citizen",
    ),
    path("<int:pk>/citizen/new/", views.feedback_create_citizen, name="create_citizen"),
    path("<int:pk>/case/", views.feedback_open_case, name="open_case"),
    path("results/", views.results, name="results"),
    path("results.csv", views.results_csv, name="results_csv"),
]
