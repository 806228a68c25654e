"""Citizen-facing case pages (no account): follow a request, stop its emails.

They show only what the citizen is meant to see: public events, never internal notes, and
never anything unless the reference comes with the matching email or a signed link.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cases import citizen_services, follower_services, links, references, selectors, services
from cases.models import Case, CaseFollower
from cases.public import selectors as public_selectors
from cases.public.forms import FollowForm, PublicRequestForm, StatusLookupForm
from citizens.models import ConsentSource
from core import ratelimit as rate
from core.guards import public_post_accepted, public_post_refusal, too_many_requests
from core.translated import translate


@never_cache
def request_status(request: HttpRequest) -> HttpResponse:
    form = StatusLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = references.reference_normalise(form.cleaned_data["reference"])
        limit = {
            "scope": "status-lookup",
            "subjects": {"reference": reference},
            "window_seconds": settings.RATELIMIT_WINDOW_SECONDS,
        }
        if rate.failures_exceeded(request, limits=_status_lookup_limits(), **limit):
            # The same answer whichever part was wrong, and the form keeps what was typed.
            minutes = max(1, settings.RATELIMIT_WINDOW_SECONDS // 60)
            form.add_error(
                None,
                _("Too many tries that did not match. Wait %(minutes)s minutes and try again, "
                  "or use the link in the email we sent you.") % {"minutes": minutes},
            )  # fmt: skip
            return too_many_requests(
                render(request, "cases/public/status_lookup.html", {"form": form})
            )
        case = selectors.case_for_citizen(reference, form.cleaned_data["email"])
        if case is not None:
            # To the signed link: reloading, printing, bookmarking and the language switcher
            # keep the request (a POST's page is lost on all of them).
            return redirect("request_status_link", token=links.status_token(case.reference))
        rate.failures_record(request, **limit)
        # One message for both "no such reference" and "wrong email": nothing leaks.
        form.add_error(None, _("We found no request with that reference and email address."))
    return render(request, "cases/public/status_lookup.html", {"form": form}, status=200)


def _status_lookup_limits() -> dict[str, int]:
    return {
        "address": settings.RATELIMIT_STATUS_FAILURES_PER_ADDRESS,
        "reference": settings.RATELIMIT_STATUS_FAILURES_PER_REFERENCE,
    }


@never_cache
def request_status_link(request: HttpRequest, token: str) -> HttpResponse:
    reference = links.reference_from_status_token(token)
    case = Case.objects.select_related("category", "agency").filter(reference=reference).first()
    if reference is None or case is None:
        raise Http404("This link is not valid.")
    return _status_page(request, case)


def _status_page(request: HttpRequest, case: Case) -> HttpResponse:
    page = public_selectors.case_status_page(case)
    context = {
        "case": page.case,
        "page": page,
        # The signed link, as the address the person sees: the page to keep.
        "status_link": request.build_absolute_uri(request.path),
        "link_years": links.STATUS_LINK_YEARS,
        "no_email": not page.case.contact_email,
    }
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


# --- links in the receipt about the requester -------------------------------------------------


@never_cache
def request_citizen_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """ "Is this you? Add this request to your record": a page with one button (a GET changes
    nothing: mail scanners follow links). The link went to the address the request gave."""
    value = links.citizen_confirm_value(token)
    if not (isinstance(value, list) and len(value) == 3):
        raise Http404("This link is not valid.")
    reference, citizen_id, email = value
    case = Case.objects.filter(reference=str(reference)).first()
    if case is None or not isinstance(citizen_id, int):
        raise Http404("This link is not valid.")
    state = "ask"
    if request.method == "POST":
        linked = citizen_services.case_confirm_citizen_by_link(
            case=case, citizen_id=citizen_id, email=str(email)
        )
        state = "done" if linked else "unavailable"
    elif case.citizen_id == citizen_id:
        state = "done"
    return render(
        request, "cases/public/requester_link.html",
        {"case": case, "kind": "confirm", "state": state, "email": email},
    )  # fmt: skip


@never_cache
def request_survey_consent(request: HttpRequest, token: str) -> HttpResponse:
    """ "May we email you a short survey?" for a request whose channel did not ask: a page with
    one button; the answer joins the case (and the citizen's consent history)."""
    reference = links.reference_from_survey_consent_token(token)
    case = Case.objects.filter(reference=reference).first() if reference else None
    if case is None:
        raise Http404("This link is not valid.")
    state = "ask" if case.consent_surveys is None else "answered"
    if request.method == "POST":
        citizen_services.case_survey_consent_by_link(case=case)
        state = "done"
    return render(
        request, "cases/public/requester_link.html",
        {"case": case, "kind": "survey", "state": state},
    )  # fmt: skip


# --- the public request form ----------------------------------------------------------------


def request_new(request: HttpRequest) -> HttpResponse:
    """Step 1: choose a service, grouped, searchable (?q= without JavaScript, live with it)."""
    query = (request.GET.get("q") or "").strip()[:100]
    catalogue = public_selectors.categories_public_catalogue(query)
    return render(
        request, "cases/public/request_step1.html", {"catalogue": catalogue, "query": query}
    )


@never_cache
def request_new_category(request: HttpRequest, agency_slug: str, code: str) -> HttpResponse:
    """Step 2: the category's questions, description, place and optional contact details."""
    category = public_selectors.category_public_get(agency_slug, code)
    if request.method != "POST":
        form = PublicRequestForm(category=category)
        return _request_form_page(request, category, form)
    form = PublicRequestForm(request.POST, request.FILES, category=category)
    refused = public_post_refusal(
        request, form, scope="public-request",
        page=lambda form, **extra: _request_form_page(request, category, form, **extra),
        # Looks like success, stores nothing: a made-up reference that no case will carry.
        decoy=lambda: redirect(
            "request_new_done", token=links.status_token(references.reference_new())
        ),
    )  # fmt: skip
    if refused:
        return refused
    if form.is_valid():
        try:
            case = _case_from_form(request, category, form)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            public_post_accepted(request, scope="public-request")
            return redirect("request_new_done", token=links.status_token(case.reference))
    return _request_form_page(request, category, form)


def _case_from_form(request: HttpRequest, category, form: PublicRequestForm) -> Case:
    data = form.cleaned_data
    # Who it comes from: matched to the citizen records (a new one, or one suggested to staff).
    requester = citizen_services.Requester(
        name=data["contact_name"],
        email=data["contact_email"],
        phone=data.get("contact_phone") or "",
        language=request.LANGUAGE_CODE,
        consent_surveys=bool(data["consent_surveys"]),
    )
    return citizen_services.case_create_for_requester(
        requester=requester,
        source=ConsentSource.WEB,
        category=category,
        description=data["description"],
        channel=Case.Channel.WEB,
        attributes=form.attribute_values(),
        address=data["address"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        address_public=bool(data.get("address_public")),
        email_updates=bool(data["email_updates"]),  # the receipt goes regardless
        photos=data["photos"],  # already written anew without their metadata
    )


def _request_form_page(
    request: HttpRequest, category, form: PublicRequestForm, **extra
) -> HttpResponse:
    return render(
        request,
        "cases/public/request_step2.html",
        {
            "category": category,
            "category_description": translate(category.description),
            "form": form,
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            # Without JavaScript, reports already made nearby show when the form comes back.
            "nearby": public_selectors.nearby_reports(
                category, form.data.get("latitude"), form.data.get("longitude")
            )
            if form.is_bound
            else [],
            **extra,
        },
    )


@never_cache
def request_new_done(request: HttpRequest, token: str) -> HttpResponse:
    """The receipt (after POST/redirect/GET): the reference, what was reported, what happens
    next, and the status link to keep (the one way back for someone who gave no email)."""
    reference = links.reference_from_status_token(token)
    if reference is None:
        raise Http404("This link is not valid.")
    receipt = public_selectors.request_receipt(reference)
    status_path = reverse("request_status_link", args=[token])
    context = {
        "receipt": receipt,
        "token": token,
        "status_link": request.build_absolute_uri(status_path),
        "link_years": links.STATUS_LINK_YEARS,
        "no_email": not receipt.email_given,
    }
    return render(request, "cases/public/request_done.html", context)


def request_nearby(request: HttpRequest, agency_slug: str, code: str) -> HttpResponse:
    """Open reports of this service near the place being reported (?latitude=&longitude=):
    the public form shows them as "already reported", each with a way to follow it instead.
    Nothing personal: service, status, day and distance (public_selectors.NearbyReport)."""
    category = public_selectors.category_public_get(agency_slug, code)
    reports = public_selectors.nearby_reports(
        category, request.GET.get("latitude"), request.GET.get("longitude")
    )
    return render(request, "cases/public/_nearby.html", {"reports": reports})


@never_cache
def request_follow(request: HttpRequest, token: str) -> HttpResponse:
    """ "This is my problem too": someone who would report the same problem follows the open
    report instead, with their email and survey consent, and is told what it says."""
    reference = links.reference_from_status_token(token)
    case = Case.objects.select_related("category", "agency").filter(reference=reference).first()
    if reference is None or case is None:
        raise Http404("This link is not valid.")
    context = {
        "case": case, "token": token, "closed": case.status not in Case.OPEN_STATUSES,
        "reported_on": case.created_at.astimezone(ZoneInfo(case.agency.timezone)).date(),
    }  # fmt: skip
    form = FollowForm(request.POST or None)
    if request.method == "POST" and not context["closed"]:
        refused = public_post_refusal(
            request, form, scope="public-follow", email_field="email",
            page=lambda form, **extra: render(
                request, "cases/public/follow.html", {**context, "form": form, **extra}
            ),
            decoy=lambda: render(request, "cases/public/follow.html", {**context, "done": True}),
        )  # fmt: skip
        if refused:
            return refused
        if form.is_valid():
            try:
                follower_services.case_follower_add_citizen(
                    case=case, email=form.cleaned_data["email"], name=form.cleaned_data["name"],
                    language=request.LANGUAGE_CODE,
                    consent=bool(form.cleaned_data["consent_surveys"]),
                    source=CaseFollower.Source.WEB,
                )  # fmt: skip
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                public_post_accepted(request, scope="public-follow", email_field="email")
                return render(request, "cases/public/follow.html", {**context, "done": True})
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "cases/public/follow.html", {**context, "form": form}, status=status)
