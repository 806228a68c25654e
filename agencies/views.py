from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.forms import StaffSignInForm


class StaffLoginView(auth_views.LoginView):
    template_name = "agencies/login.html"
    authentication_form = StaffSignInForm
    redirect_authenticated_user = True


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "agencies/home.html", {"profile": getattr(request.user, "staff_profile", None)}
    )
