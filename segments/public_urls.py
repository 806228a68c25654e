from django.urls import path

from segments import views

urlpatterns = [
    path(
        "outreach/unsubscribe/<str:token>/", views.outreach_unsubscribe, name="outreach_unsubscribe"
    ),
]
