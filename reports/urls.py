"""Staff dashboards, mounted at /staff/dashboards/."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("panel.csv", views.dashboard_csv, name="dashboard_csv"),
    path("cases.csv", views.cases_csv, name="cases_csv"),
]
