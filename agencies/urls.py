from django.contrib.auth import views as auth_views
from django.urls import path

from agencies import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_home, name="home"),
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-step/verify/", views.two_factor_verify, name="verify"),
    path("two-step/enrol/", views.two_factor_enrol, name="enrol"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("people/suggest/", views.people_suggest, name="people_suggest"),
]
