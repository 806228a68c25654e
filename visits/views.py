"""Pages of the walk-in queue: public check-in, ticket and waiting-room display (under
/<lang>/check-in/<office>/), and the staff desks (/staff/walk-in/). Views parse, call a
service or selector, render."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases.links import staff_case_url
from citizens.selectors import citizen_duplicate_candidates, citizens_search, citizens_visible
from core.guards import public_post_accepted, public_post_refusal
from core.links import absolute
from core.permissions import staff_required
from visits import selectors, services
from visits.forms import CheckInForm, CitizenLookupForm, OpenCaseForm, TransferForm
from visits.models import Visit

# htmx's "stop polling" status: the ticket is finished, nothing more will change.
STOP_POLLING = 286


# --- public ---------------------------------------------------------------------------------


@never_cache
def checkin(request: HttpRequest, office: str) -> HttpResponse:
    office_obj = selectors.office_public(office)
    services_offered = selectors.office_services(office_obj)
    state = selectors.office_open_state(office_obj)
    form = CheckInForm(request.POST or None, services=services_offered)
    if request.method == "POST" and state.is_open:
        refused = public_post_refusal(
            request, form, scope="walk-in-checkin",
            page=lambda form, **extra: _checkin_page(request, office_obj, form, state, **extra),
            decoy=lambda: redirect("checkin", office=office_obj.slug),
            email_field="email",
        )  # fmt: skip
        if refused:
            return refused
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit = services.visit_check_in(
                    office=office_obj, category=data["category"], email=data["email"],
                    phone=data["phone"], priority=data["priority"],
                    language=request.LANGUAGE_CODE,
                )  # fmt: skip
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                public_post_accepted(request, scope="walk-in-checkin", email_field="email")
                return redirect("checkin_ticket", office=office_obj.slug, token=visit.token)
    status = 400 if request.method == "POST" else 200
    return _checkin_page(request, office_obj, form, state, status=status)


def _checkin_page(request, office, form, state, status: int = 200, **extra) -> HttpResponse:
    return render(
        request, "visits/public/checkin.html",
        {"office": office, "form": form, "state": state,
         "waiting": selectors.waiting_count(office), **extra},
        status=status,
    )  # fmt: skip


@never_cache
def checkin_ticket(request: HttpRequest, office: str, token: str) -> HttpResponse:
    office_obj = selectors.office_public(office)
    visit = selectors.visit_by_token(office_obj, token)
    context = {
        "office": office_obj,
        "visit": visit,
        "ahead": selectors.ahead_of(visit),
        "wait": selectors.estimated_wait_minutes(visit),
    }
    if request.htmx:
        response = render(request, "visits/public/_ticket_status.html", context)
        if not visit.is_active:
            response.status_code = STOP_POLLING
        return response
    return render(request, "visits/public/ticket.html", context)


@never_cache
def checkin_display(request: HttpRequest, office: str) -> HttpResponse:
    office_obj = selectors.office_public(office)
    called = selectors.display_called(office_obj)
    context = {
        "office": office_obj,
        "called": called,
        "latest": called[0] if called else None,
        "waiting": selectors.waiting_count(office_obj),
    }
    if request.htmx:
        return render(request, "visits/public/_display_board.html", context)
    return render(request, "visits/public/display.html", context)


# --- staff ----------------------------------------------------------------------------------


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@staff_required()
def desks(request: HttpRequest) -> HttpResponse:
    offices = []
    for office in selectors.offices_visible_to(request.user):
        checkin_url = absolute(reverse("checkin", kwargs={"office": office.slug}))
        offices.append(
            {
                "office": office,
                "desks": [d for d in office.desks.all() if d.active],
                "waiting": selectors.waiting_count(office),
                "state": selectors.office_open_state(office),
                "checkin_url": checkin_url,
                "display_url": reverse("checkin_display", kwargs={"office": office.slug}),
                "qr": _qr_data_uri(checkin_url),
            }
        )
    return render(request, "visits/desks.html", {"offices": offices})


@staff_required()
def desk(request: HttpRequest, pk: int) -> HttpResponse:
    desk_obj = selectors.desk_get(request.user, pk=pk)
    current = selectors.desk_current_visit(desk_obj)
    waiting = list(selectors.waiting_for_desk(desk_obj)[:50])
    context = {
        "desk": desk_obj,
        "office": desk_obj.office,
        "current": current,
        "waiting": waiting,
        "transfer_form": TransferForm(office=desk_obj.office, exclude_desk=desk_obj)
        if current
        else None,
    }
    if request.htmx:
        return render(request, "visits/_desk_waiting.html", context)
    return render(request, "visits/desk.html", context)


@staff_required()
@require_POST
def call_next(request: HttpRequest, pk: int) -> HttpResponse:
    desk_obj = selectors.desk_get(request.user, pk=pk)
    try:
        visit = services.visit_call_next(desk=desk_obj, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if visit is None:
            messages.info(request, _("Nobody is waiting for this desk."))
        else:
            messages.success(
                request,
                _("Ticket %(ticket)s called to %(desk)s.")
                % {"ticket": visit.ticket, "desk": desk_obj.name},
            )
    return redirect("visits:desk", pk=desk_obj.pk)


@staff_required()
@require_POST
def visit_status(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(request.user, pk=pk)
    action = request.POST.get("action", "")
    if action not in services.TRANSITIONS:
        return HttpResponse(_("Choose what happened."), status=400, content_type="text/plain")
    try:
        services.visit_set_status(visit=visit, action=action, actor=request.user)
    except ValidationError as exc:
        return _back(request, visit, " ".join(exc.messages))
    return _back(request, visit)


def _back(request, visit: Visit, error: str = "") -> HttpResponse:
    if error:
        messages.error(request, error)
    if visit.desk_id is None:
        return redirect("visits:desks")
    return redirect("visits:desk", pk=visit.desk_id)


@staff_required()
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(request.user, pk=pk)
    from_desk = visit.desk
    form = TransferForm(request.POST, office=visit.office, exclude_desk=from_desk)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        return _back(request, visit, " ".join(errors))
    try:
        services.visit_transfer(
            visit=visit, actor=request.user,
            desk=form.cleaned_data["desk"], category=form.cleaned_data["category"],
        )  # fmt: skip
    except ValidationError as exc:
        return _back(request, visit, " ".join(exc.messages))
    messages.success(request, _("Ticket %(ticket)s transferred.") % {"ticket": visit.ticket})
    if from_desk is not None:
        return redirect("visits:desk", pk=from_desk.pk)
    return redirect("visits:desks")


@staff_required()
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(request.user, pk=pk)
    if visit.case_id is not None:
        return redirect(staff_case_url(visit.case.reference))
    lookup = CitizenLookupForm(request.GET or {"q": visit.email or visit.phone})
    query = lookup.cleaned_data["q"].strip() if lookup.is_valid() else ""
    found = list(citizens_search(user=request.user, query=query)[:10]) if query else []
    form = OpenCaseForm(
        request.POST or None,
        initial={"email": visit.email, "phone": visit.phone,
                 "preferred_language": visit.language},
    )  # fmt: skip
    candidates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        citizen = None
        if data["citizen"]:
            citizen = citizens_visible(user=request.user).filter(pk=data["citizen"]).first()
            if citizen is None:
                form.add_error(None, _("That citizen record is no longer available."))
        elif not data["create_anyway"]:
            candidates = citizen_duplicate_candidates(
                user=request.user, first_name=data["first_name"], last_name=data["last_name"],
                email=data["email"], phone=data["phone"],
            )  # fmt: skip
        if not form.errors and not candidates:
            try:
                case = services.visit_open_case(
                    visit=visit, actor=request.user, description=data["description"],
                    citizen=citizen, new_citizen=None if citizen else form.new_citizen(),
                )  # fmt: skip
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("Case %(reference)s opened from ticket %(ticket)s.")
                    % {"reference": case.reference, "ticket": visit.ticket},
                )  # fmt: skip
                return redirect(staff_case_url(case.reference))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "visits/open_case.html",
        {"visit": visit, "lookup": lookup, "query": query, "found": found, "form": form,
         "candidates": candidates},
        status=status,
    )  # fmt: skip
