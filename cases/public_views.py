"""Citizen-facing case pages (no account): follow a request, stop its emails.

They show only what the citizen is meant to see: public events, never internal notes, and
never anything unless the reference comes with the matching email or a signed link.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cases import links, selectors, services
from cases.models import Case
from cases.public_forms import StatusLookupForm


@never_cache
def request_status(request: HttpRequest) -> HttpResponse:
    form = StatusLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = selectors.case_for_citizen(
            form.cleaned_data["reference"], form.cleaned_data["email"]
        )
        if case is not None:
            return _status_page(request, case)
        # One message for both "no such reference" and "wrong email": nothing leaks.
        form.add_error(None, _("We found no request with that reference and email address."))
    return render(request, "cases/public/status_lookup.html", {"form": form}, status=200)


@never_cache
def request_status_link(request: HttpRequest, token: str) -> HttpResponse:
    reference = links.reference_from_status_token(token)
    case = Case.objects.select_related("category", "agency").filter(reference=reference).first()
    if reference is None or case is None:
        raise Http404("This link is not valid.")
    return _status_page(request, case)


def _status_page(request: HttpRequest, case: Case) -> HttpResponse:
    context = {"case": case, "events": selectors.case_public_timeline(case)}
    return render(request, "cases/public/status.html", context)


@never_cache
def request_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A page with one button (a GET must not unsubscribe: mail scanners follow links)."""
    reference = links.reference_from_unsubscribe_token(token)
    case = Case.objects.filter(reference=reference).first() if reference else None
    if case is None:
        raise Http404("This link is not valid.")
    done = False
    if request.method == "POST":
        services.case_updates_unsubscribe(case=case)
        done = True
    return render(
        request,
        "cases/public/unsubscribe.html",
        {"case": case, "done": done or case.updates_opted_out},
    )
