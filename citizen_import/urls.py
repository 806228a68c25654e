from django.urls import path

from citizen_import import views

app_name = "citizen_import"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/problems.csv", views.problems_csv, name="problems_csv"),
]
