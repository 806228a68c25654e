from django.urls import path

from segments import views

app_name = "segments"

urlpatterns = [
    path("", views.segment_list, name="list"),
    path("new/", views.segment_new, name="create"),
    path("count/", views.segment_count, name="count"),
    path("<int:pk>/", views.segment_detail, name="detail"),
    path("<int:pk>/edit/", views.segment_edit, name="edit"),
    path("<int:pk>/survey/", views.segment_survey, name="survey"),
    path("<int:pk>/outreach/", views.segment_outreach, name="outreach"),
]
