from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.desks, name="desks"),
    path("desk/<int:pk>/", views.desk, name="desk"),
    path("desk/<int:pk>/call-next/", views.call_next, name="call_next"),
    path("visit/<int:pk>/status/", views.visit_status, name="visit_status"),
    path("visit/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("visit/<int:pk>/open-case/", views.open_case, name="open_case"),
]
