from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from agencies import security
from agencies.forms import ApiTokenForm, OneTimeCodeForm, StaffSignInForm
from agencies.hooks import render_staff_home_panels
from agencies.selectors import staff_member, staff_suggestions
from core.permissions import staff_required
from core.selectors import api_tokens_of
from core.services import api_token_create, api_token_revoke


class StaffLoginView(auth_views.LoginView):
    template_name = "agencies/login.html"
    authentication_form = StaffSignInForm
    redirect_authenticated_user = True


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    profile = staff_member(request.user)
    panels = render_staff_home_panels(request.user) if profile is not None else []
    return render(request, "agencies/home.html", {"profile": profile, "panels": panels})


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    device = security.confirmed_totp_device(request.user)
    if device is None:
        return redirect(_next_url(request, fallback=reverse("staff:enrol")))
    form = OneTimeCodeForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _code_accepted(form, device, security.totp_verify)
    ):
        otp_login(request, device)
        return redirect(_next_url(request))
    return render(
        request, "agencies/two_factor_verify.html", {"form": form, "next": _next(request)}
    )


@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    if security.confirmed_totp_device(request.user) is not None:
        return redirect(_next_url(request))
    device = security.staff_totp_device_start(user=request.user)
    form = OneTimeCodeForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _code_accepted(form, device, security.staff_totp_enrol_confirm)
    ):
        otp_login(request, device)
        messages.success(request, _("Two-step verification is on for your account."))
        return redirect(_next_url(request))
    context = {
        "form": form,
        "next": _next(request),
        "qr_data_uri": security.totp_qr_data_uri(device),
        "secret": security.totp_secret_base32(device),
        "required": security.two_factor_required(request.user),
    }
    return render(request, "agencies/two_factor_enrol.html", context)


def _code_accepted(form: OneTimeCodeForm, device, check) -> bool:
    """Run `check(device=…, token=…)` unless django-otp's throttle (doubling waits) says wait."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        form.add_error(
            "code", _("Too many wrong codes. Wait a few seconds, then enter the current code.")
        )
        return False
    if check(device=device, token=form.cleaned_data["code"]):
        return True
    form.add_error("code", _("That code is not right or has expired. Try the current one."))
    return False


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _next_url(request: HttpRequest, fallback: str | None = None) -> str:
    return _next(request) or fallback or reverse("staff:home")


# --- the staff member's own API tokens --------------------------------------------------------


@staff_required()
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the caller's tokens; POST issues one and shows its value this once."""
    form = ApiTokenForm(request.POST or None)
    raw = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, raw = api_token_create(
                user=request.user, name=form.cleaned_data["name"], actor=request.user
            )
            form = ApiTokenForm()
        else:
            status = 400
    response = render(
        request,
        "agencies/api_tokens.html",
        {"form": form, "raw": raw, "tokens": api_tokens_of(request.user)},
        status=status,
    )
    response["Cache-Control"] = "no-store"  # the raw value must not sit in a cache
    return response


@require_POST
@staff_required()
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_tokens_of(request.user), pk=pk)  # only one's own: else 404
    if api_token_revoke(token=token, actor=request.user):
        messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("staff:api_tokens")


@staff_required()
def people_suggest(request: HttpRequest) -> JsonResponse:
    """Colleagues whose username or name starts with `q`, for `@mention` suggestions while a
    note is typed: the own agency's active staff only, a handful at a time."""
    prefix = request.GET.get("q", "")[:150]
    people = [
        {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}
        for user in staff_suggestions(request.user, prefix=prefix)
    ]
    return JsonResponse({"results": people})
