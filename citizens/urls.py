from django.urls import path

from citizens import views

app_name = "citizens"

urlpatterns = [
    path("", views.citizen_search, name="search"),
    path("new/", views.citizen_create, name="create"),
    path("<int:pk>/", views.citizen_detail, name="detail"),
    path("<int:pk>/edit/", views.citizen_edit, name="edit"),
    path("<int:pk>/consent/", views.citizen_consent, name="consent"),
    path("<int:pk>/duplicates/", views.citizen_duplicates, name="duplicates"),
    path("<int:pk>/merge/<int:other_pk>/", views.citizen_merge, name="merge"),
    path("<int:pk>/subject-access/", views.citizen_subject_access, name="subject_access"),
    path(
        "<int:pk>/subject-access.json",
        views.citizen_subject_access_json,
        name="subject_access_json",
    ),
]
