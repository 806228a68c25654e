"""Public feedback and survey pages, mounted under /<lang>/ by citizencrm.urls (names
un-namespaced: survey emails reverse "survey", "survey_unsubscribe", …)."""

from django.urls import path

from feedback import views

urlpatterns = [
    path("feedback/", views.feedback_new, name="feedback"),
    path("feedback/thanks/", views.feedback_thanks, name="feedback_thanks"),
    path("survey/unsubscribe/<str:token>/", views.survey_unsubscribe, name="survey_unsubscribe"),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("survey/<str:token>/thanks/", views.survey_thanks, name="survey_thanks"),
]
