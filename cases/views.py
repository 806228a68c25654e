"""Staff case pages: intake, queues with bulk actions, the case page and its actions.

Views parse input, call one service or selector, and render; the rules live in services.
Reads use the read scope (a case referred away stays readable by the sender); every write
fetches the case with the write scope, so anything not owned answers 404, never 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from agencies.selectors import staff_agency
from cases import citizen_services, presenters, selectors, services
from cases import search as case_search
from cases.filters import SORT_CHOICES, CaseFilter
from cases.forms import (
    ACTION_FORMS,
    BulkForm,
    CaseActionForm,
    IntakeForm,
    NewCitizenForm,
)
from cases.hooks import render_case_panels
from cases.models import Attachment, Case, Priority
from cases.presenters import requester_suggestion_text, requester_survey_text
from cases.references import reference_normalise
from cases.sla import selectors as sla_selectors
from cases.uploads import attachment_response
from citizens import selectors as citizen_selectors
from citizens.normalise import split_name
from core.permissions import staff_required
from core.scoping import get_scoped_object_or_404, user_agency_id

QUEUE_LABELS = {
    "mine": gettext_lazy("My cases"),
    "team": gettext_lazy("My team"),
    "unassigned": gettext_lazy("Unassigned"),
    "all": gettext_lazy("All cases"),
}
SEARCH_RESULTS = 10


# --- queues ---------------------------------------------------------------------------------


@require_GET
@staff_required()
def queue(request: HttpRequest) -> HttpResponse:
    from reports.saved_views import saved_views_context

    current = request.GET.get("queue")
    current = current if current in selectors.QUEUES else "mine"
    sort = request.GET.get("sort")
    sort = sort if sort in selectors.SORTS else "newest"
    agency = staff_agency(request.user)
    cases = selectors.cases_for_queue(request.user, current)
    case_filter = CaseFilter(request.GET, queryset=cases, agency=agency)
    page = selectors.keyset_page(case_filter.qs, sort=sort, cursor=request.GET.get("cursor"))

    def link(**changes: str | None) -> str:
        params = request.GET.copy()
        params.pop("cursor", None)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return f"?{params.urlencode()}"

    filtered = (
        sort != "newest"
        or request.GET.get("status", "open") not in ("", "open")
        or any(request.GET.get(name) for name in case_filter.filters if name != "status")
        or bool(case_filter.form.errors)
    )
    tabs = [
        {"key": key, "label": label, "url": link(queue=key), "current": key == current}
        for key, label in QUEUE_LABELS.items()
    ]
    return render(
        request,
        "cases/queue.html",
        {
            "queue": current,
            "queue_label": QUEUE_LABELS[current],
            "tabs": tabs,
            "filter": case_filter,
            "filtered": filtered,
            "sort": sort,
            "sort_choices": SORT_CHOICES,
            "page": page,
            "first_url": link() if request.GET.get("cursor") else None,
            "next_url": link(cursor=page.next_cursor) if page.next_cursor else None,
            "bulk_form": BulkForm(
                agency_id=getattr(agency, "pk", None), initial={"next": request.get_full_path()}
            ),
            **saved_views_context(request, "queue"),
        },
    )


@require_GET
@staff_required()
def search(request: HttpRequest) -> HttpResponse:
    """The header's search: a reference opens its case; other words list the caller's cases
    that contain them (cases.search), with the queue filters (any status unless chosen)."""
    query = (request.GET.get("q") or "").strip()[:200]
    if query and not request.GET.get("cursor"):
        case = case_search.case_for_reference(request.user, query)
        if case is not None:
            return redirect("cases:detail", reference=case.reference)
    params = request.GET.copy()
    params.setdefault("status", "any")
    case_filter = CaseFilter(
        params, queryset=selectors.cases_visible(request.user), agency=staff_agency(request.user)
    )
    page = case_search.cases_search(
        request.user, query, cases=case_filter.qs, cursor=request.GET.get("cursor")
    )
    more = request.GET.copy()
    more["cursor"] = page.next_cursor or ""
    return render(
        request,
        "cases/search.html",
        {
            "query": query,
            "filter": case_filter,
            "page": page,
            "next_url": f"?{more.urlencode()}" if page.next_cursor else None,
            "first_url": f"?{params.urlencode()}" if request.GET.get("cursor") else None,
        },
    )


@require_POST
@staff_required()
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign or reprioritise the ticked cases: the caller's own agency's only, others ignored."""
    back = safe_next(request, request.POST.get("bulk-next"), reverse("cases:queue"))
    return bulk_apply(request, back=back)


def safe_next(request: HttpRequest, target: str | None, fallback: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- intake ---------------------------------------------------------------------------------


class _Refused(Exception):
    """A service refused the input: roll back everything the intake wrote."""


@staff_required()
def intake(request: HttpRequest) -> HttpResponse:
    categories = list(selectors.categories_for_intake(request.user).select_related("agency"))
    if request.method != "POST":
        citizen = _citizen_or_none(request, request.GET.get("citizen"))
        form = IntakeForm(
            initial={
                "citizen": citizen.pk if citizen else None,
                "category": request.GET.get("category", ""),
            },
            categories=categories,
        )
        return _intake_page(request, form, NewCitizenForm(), citizen=citizen)

    data = request.POST.copy()
    if data.get("use_citizen"):  # "this is the person" on a duplicate candidate
        data["citizen"] = data["use_citizen"]
        quiet = True
    else:
        quiet = data.get("action") in ("questions", "clear_citizen")
    if data.get("action") == "clear_citizen":
        data.pop("citizen", None)
    form = IntakeForm(data, categories=categories)
    new_form = NewCitizenForm(data)
    citizen = _citizen_or_none(request, data.get("citizen"))
    if quiet:  # re-show the form as typed (questions, citizen changed) without errors
        form.as_typed()
        new_form.as_typed()
        return _intake_page(request, form, new_form, citizen=citizen)

    candidates: list = []
    form_ok = form.is_valid()
    wants_new = citizen is None and new_form.has_input()
    new_ok = True
    if wants_new:
        new_ok = new_form.is_valid()
        if new_ok:
            candidates = citizen_selectors.citizen_duplicates_to_confirm(
                user=request.user, data=new_form.cleaned_data, seen=new_form.seen_ids(),
                create_anyway=new_form.cleaned_data["create_anyway"],
            )  # fmt: skip
            if candidates:
                # Show the possible duplicates first; "create anyway" must cover all of them.
                data["new-duplicates_seen"] = ",".join(str(c.citizen.pk) for c in candidates)
                data.pop("new-create_anyway", None)
                new_form = NewCitizenForm(data)
                new_form.is_valid()
                new_ok = False
    if form_ok and new_ok:
        try:
            case = _intake_create(request, form, new_form if wants_new else None, citizen)
        except _Refused:
            pass
        else:
            messages.success(
                request, _("Case %(reference)s created.") % {"reference": case.reference}
            )
            return redirect("cases:detail", reference=case.reference)
    return _intake_page(request, form, new_form, citizen=citizen, candidates=candidates, status=400)


def _intake_create(
    request: HttpRequest, form: IntakeForm, new_form: NewCitizenForm | None, citizen: Any
) -> Case:
    """Run the intake service; its errors go back onto the form they belong to."""
    data = form.cleaned_data
    try:
        return services.case_intake(
            actor=request.user,
            citizen=citizen,
            new_citizen=new_form.citizen_data() if new_form is not None else None,
            category=data["category"],
            description=data["description"],
            channel=data["channel"],
            attributes=form.attribute_values(),
            address=data["address"],
            priority=data["priority"] or None,
            consent_surveys=bool(data["consent_surveys"]),
        )
    except services.NewCitizenInvalid as exc:
        new_form.add_service_errors(exc)
        raise _Refused from exc
    except ValidationError as exc:
        form.add_service_errors(exc)
        raise _Refused from exc


def _citizen_or_none(request: HttpRequest, pk: Any):
    if not str(pk or "").isdigit():
        return None
    return citizen_selectors.citizens_visible(user=request.user).filter(pk=int(pk)).first()


def _intake_page(
    request: HttpRequest,
    form: IntakeForm,
    new_form: NewCitizenForm,
    *,
    citizen: Any,
    candidates: list | None = None,
    status: int = 200,
) -> HttpResponse:
    query = (request.GET.get("q") or "").strip() if request.method == "GET" else ""
    # A citizen just picked by following the result's link (no JavaScript yet, or a pick
    # faster than htmx): the page opens with the focus on the choice, as the htmx path does.
    picked = request.method == "GET" and citizen is not None
    return render(
        request,
        "cases/intake.html",
        {
            "form": form,
            "new_form": new_form,
            "citizen": citizen,
            "candidates": candidates or [],
            "query": query,
            "results": _search(request, query),
            "focus_chosen": picked,
        },
        status=status,
    )


def _search(request: HttpRequest, query: str) -> list:
    if not query:
        return []
    return list(citizen_selectors.citizens_search(user=request.user, query=query)[:SEARCH_RESULTS])


@require_GET
@staff_required()
def intake_citizen_search(request: HttpRequest) -> HttpResponse:
    """htmx: the search-as-you-type results (links that pick the citizen)."""
    query = (request.GET.get("q") or "").strip()
    return render(
        request,
        "cases/_intake_results.html",
        {"query": query, "results": _search(request, query)},
    )


@require_GET
@staff_required()
def intake_citizen(request: HttpRequest) -> HttpResponse:
    """htmx: the intake's citizen block with the picked citizen (or the new-citizen fields)."""
    citizen = _citizen_or_none(request, request.GET.get("citizen"))
    form = IntakeForm(initial={"citizen": citizen.pk if citizen else None}, categories=[])
    return render(
        request,
        "cases/_intake_citizen.html",
        {"form": form, "new_form": NewCitizenForm(), "citizen": citizen, "candidates": []},
    )


@require_GET
@staff_required()
def intake_questions(request: HttpRequest) -> HttpResponse:
    """htmx: the questions of the chosen service."""
    categories = selectors.categories_for_intake(request.user).select_related("agency")
    form = IntakeForm(initial={"category": request.GET.get("category", "")}, categories=categories)
    return render(request, "cases/_intake_questions.html", {"form": form})


# --- the case page --------------------------------------------------------------------------


@require_GET
@staff_required()
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _case_page(request, reference)


def _case_page(
    request: HttpRequest, reference: str, *, bound: CaseActionForm | None = None, status: int = 200
) -> HttpResponse:
    case = selectors.case_get_for_view(request.user, reference)
    writable = selectors.case_is_writable_by(case, request.user)
    action_forms = []
    if writable:
        for key, form_class in ACTION_FORMS.items():
            form = bound if bound is not None and bound.key == key else None
            form = form or form_class(case=case, user=request.user)
            form.action_url = reverse(f"cases:{key}", args=[case.reference])
            action_forms.append(form)
    context = {
        "case": case,
        "writable": writable,
        "referral": None if writable else _referral_away(case, request.user),
        "answers": _answers(case),
        "timeline": selectors.case_staff_timeline(case),
        # The requester's own photos (from the prefetched files: no query of their own).
        "request_photos": [
            a
            for a in case.attachments.all()
            if a.uploaded_by_id is None and a.content_type.startswith("image/")
        ],
        "action_forms": action_forms,
        "can_take": writable and case.is_open and case.assignee_id != request.user.pk,
        "citizen_url": _citizen_url(case),
        "suggestion": requester_suggestion_text(case) if case.citizen_id is None else "",
        "survey_answer": requester_survey_text(case),
        "sla": sla_selectors.case_sla_clock(case),
        "panels": render_case_panels(case, request.user),  # e.g. feedback and survey answers
        **_joined_context(case, request.user, writable),
    }
    return render(request, "cases/detail.html", context, status=status)


def _referral_away(case: Case, user: Any):
    agency_id = user_agency_id(user)
    referrals = [r for r in case.referrals.all() if r.from_agency_id == agency_id]
    return referrals[-1] if referrals else None


def _citizen_url(case: Case) -> str | None:
    if not case.citizen_id:
        return None
    try:
        return reverse("citizens:detail", args=[case.citizen_id])
    except NoReverseMatch:  # the citizen pages are optional for this page
        return None


def _answers(case: Case) -> list[tuple[str, str]]:
    """(question, answer) for the case's attribute values, dates in the agency's time zone."""
    return presenters.case_answers(case, ZoneInfo(case.agency.timezone))


# --- case actions: one POST each, one service each ------------------------------------------


def _writable_case(user: Any, reference: str) -> Case:
    """The case for a write: the caller's own agency's only (anything else: 404)."""
    return get_scoped_object_or_404(
        Case.objects.select_related("agency", "category"),
        user,
        for_write=True,
        reference=reference,
    )


def _action(key: str, run: Callable[[Case, dict, Any], str]) -> Callable:
    """A view for one action form: validate, call the service, redirect (or re-show errors)."""

    @require_POST
    @staff_required()
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        case = _writable_case(request.user, reference)
        form = ACTION_FORMS[key](request.POST, request.FILES, case=case, user=request.user)
        if getattr(form, "canned", False) and form.add_prefix("insert") in request.POST:
            # "Insert" a saved reply: the form again with it in the box; nothing is sent.
            return _case_page(request, reference, bound=form.insert_reply(request.POST))
        if form.is_valid():
            try:
                message = run(case, form.cleaned_data, request.user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, message)
                return redirect("cases:detail", reference=case.reference)
        # Nothing was written (services are atomic): the page again, this form open with errors.
        return _case_page(request, reference, bound=form, status=400)

    view.__name__ = f"case_{key}"
    return view


def _note(case: Case, data: dict, user: Any) -> str:
    services.case_note_add(case=case, body=data["body"], actor=user)
    return _("Internal note added.")


def _update(case: Case, data: dict, user: Any) -> str:
    services.case_public_update(case=case, body=data["body"], actor=user,
                                canned_reply_id=data.get("used_reply"))  # fmt: skip
    return _("Update sent to the citizen.")


def _contact(case: Case, data: dict, user: Any) -> str:
    services.case_contact_log(
        case=case, method=data["method"], body=data["body"], outbound=data["direction"],
        actor=user, canned_reply_id=data.get("used_reply"),
    )  # fmt: skip
    return _("Contact logged.")


def _status(case: Case, data: dict, user: Any) -> str:
    to_status = data["to_status"]
    case = services.case_transition(
        case=case,
        to_status=to_status,
        actor=user,
        resolution_code=data["resolution_code"] if to_status == Case.Status.RESOLVED else "",
        citizen_contacted=data["citizen_contacted"],
        note=data["note"],
        feed_note=data.get("feed_note", ""),
    )
    return _("Status changed to “%(status)s”.") % {"status": case.get_status_display()}


def _assign(case: Case, data: dict, user: Any) -> str:
    assignee = data["assignee"]
    services.case_assign(case=case, assignee=assignee, actor=user)
    return _("Case assigned to %(name)s.") % {
        "name": assignee.get_full_name() or assignee.get_username()
    }


def _transfer(case: Case, data: dict, user: Any) -> str:
    services.case_transfer(case=case, team=data["team"], actor=user, reason=data["reason"])
    return _("Case transferred to team %(team)s.") % {"team": data["team"].name}


def _refer(case: Case, data: dict, user: Any) -> str:
    category = data["category"]
    services.case_refer(case=case, category=category, reason=data["reason"], actor=user)
    return _("Case referred to %(agency)s. You can still read it.") % {
        "agency": category.agency.name
    }


def _priority(case: Case, data: dict, user: Any) -> str:
    services.case_set_priority(case=case, priority=data["priority"], actor=user)
    return _("Priority set to %(priority)s.") % {"priority": Priority(data["priority"]).label}


def _category(case: Case, data: dict, user: Any) -> str:
    services.case_set_category(case=case, category=data["category"], actor=user)
    return _("Service changed to %(name)s.") % {"name": data["category"].display_name}


def _attach(case: Case, data: dict, user: Any) -> str:
    try:
        attachment = services.case_attach(
            case=case, upload=data["file"], actor=user, is_public=data["is_public"]
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"file": exc.messages}) from exc
    return _("File “%(name)s” attached.") % {"name": attachment.original_name}


case_note = _action("note", _note)
case_update = _action("update", _update)
case_contact = _action("contact", _contact)
case_status = _action("status", _status)
case_assign = _action("assign", _assign)
case_transfer = _action("transfer", _transfer)
case_refer = _action("refer", _refer)
case_priority = _action("priority", _priority)
case_category = _action("category", _category)
case_attach = _action("attach", _attach)


@require_POST
@staff_required()
def case_take(request: HttpRequest, reference: str) -> HttpResponse:
    case = _writable_case(request.user, reference)
    try:
        services.case_take(case=case, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You have taken this case."))
    return redirect("cases:detail", reference=case.reference)


@require_POST
@staff_required()
def case_link_suggested_citizen(request: HttpRequest, reference: str) -> HttpResponse:
    """Confirm the suggested record (same email as the report, not proved) as the requester."""
    case = _writable_case(request.user, reference)
    if case.suggested_citizen_id is None:  # a colleague linked it meanwhile, say
        messages.info(request, _("There is no suggested citizen record for this case now."))
        return redirect("cases:detail", reference=case.reference)
    try:
        citizen_services.case_link_citizen(
            case=case, citizen=case.suggested_citizen, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The case is now linked to the citizen record."))
    return redirect("cases:detail", reference=case.reference)


@require_POST
@staff_required()
def case_reject_suggested_citizen(request: HttpRequest, reference: str) -> HttpResponse:
    """ "Not the same person": the suggested record goes; the case stays unlinked."""
    case = _writable_case(request.user, reference)
    try:
        citizen_services.case_reject_suggested_citizen(case=case, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The suggested record was set aside. Link the case to another record, or create "
              "one for the requester."),
        )  # fmt: skip
    return redirect("cases:detail", reference=case.reference)


@require_POST
@staff_required()
def case_link_citizen(request: HttpRequest, reference: str) -> HttpResponse:
    """ "Link to…": the record staff found is the requester."""
    case = _writable_case(request.user, reference)
    citizen = _citizen_or_none(request, request.POST.get("citizen"))
    if citizen is None:
        messages.error(request, _("That citizen record is not available: search again."))
        return redirect("cases:requester", reference=case.reference)
    try:
        citizen_services.case_link_citizen(case=case, citizen=citizen, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The case is now linked to the record of %(name)s.") % {"name": citizen.full_name},
        )
    return redirect("cases:detail", reference=case.reference)


@staff_required()
def case_requester(request: HttpRequest, reference: str) -> HttpResponse:
    """Who made the request: find the record to link ("link to…"), or create one from the
    details the request gave (with the duplicate check of every new record)."""
    case = _writable_case(request.user, reference)
    if case.citizen_id is not None:
        messages.info(request, _("This case is already linked to a citizen record."))
        return redirect("cases:detail", reference=case.reference)
    candidates: list = []
    if request.method == "POST":
        form = NewCitizenForm(request.POST)
        if form.is_valid():
            candidates = citizen_selectors.citizen_duplicates_to_confirm(
                user=request.user, data=form.cleaned_data, seen=form.seen_ids(),
                create_anyway=form.cleaned_data["create_anyway"],
            )  # fmt: skip
            if candidates:
                data = request.POST.copy()
                data["new-duplicates_seen"] = ",".join(str(c.citizen.pk) for c in candidates)
                data.pop("new-create_anyway", None)
                form = NewCitizenForm(data)
                form.is_valid()
            else:
                try:
                    citizen_services.case_create_citizen_for_requester(
                        case=case, actor=request.user, data=form.citizen_data()
                    )
                except ValidationError as exc:
                    form.add_service_errors(exc)
                else:
                    messages.success(request, _("Citizen record created and linked to the case."))
                    return redirect("cases:detail", reference=case.reference)
    else:
        first_name, last_name = split_name(case.reporter_name)
        form = NewCitizenForm(
            initial={"first_name": first_name, "last_name": last_name,
                     "email": case.reporter_email, "preferred_language": case.language},
        )  # fmt: skip
    query = (request.GET.get("q") or "").strip()[:100]
    return render(
        request,
        "cases/requester.html",
        {
            "case": case,
            "new_form": form,
            "candidates": candidates,
            "query": query,
            "results": _search(request, query),
            "suggestion": requester_suggestion_text(case),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@staff_required()
def case_unassign(request: HttpRequest, reference: str) -> HttpResponse:
    case = _writable_case(request.user, reference)
    services.case_unassign(case=case, actor=request.user)
    messages.success(request, _("Nobody is assigned to this case now."))
    return redirect("cases:detail", reference=case.reference)


@require_GET
@staff_required()
def attachment_download(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    """A file of a case the caller may read, as a download typed by its detected content."""
    case = get_scoped_object_or_404(Case.objects.all(), request.user, reference=reference)
    attachment = get_object_or_404(Attachment, case=case, token=token)
    return attachment_response(attachment)


def bulk_apply(request: HttpRequest, *, back: str) -> HttpResponse:
    """Validate a BulkForm post, call the bulk service on the caller's own cases, redirect."""
    form = BulkForm(request.POST, agency_id=user_agency_id(request.user))
    ids = [int(value) for value in request.POST.getlist("cases") if value.isdigit()]
    own = selectors.cases_own_agency(request.user)
    cases = list(own.filter(pk__in=ids).order_by("created_at", "id"))
    if not cases:
        messages.error(request, _("Select at least one case first."))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        if form.cleaned_data["action"] == "assign":
            assignee = form.cleaned_data["assignee"]
            count = services.cases_bulk_assign(cases=cases, assignee=assignee, actor=request.user)
            name = assignee.get_full_name() or assignee.get_username()
            messages.success(
                request,
                ngettext(
                    "%(count)s case assigned to %(name)s.",
                    "%(count)s cases assigned to %(name)s.",
                    count,
                )
                % {"count": count, "name": name},
            )
        else:
            priority = form.cleaned_data["priority"]
            count = services.cases_bulk_set_priority(
                cases=cases, priority=priority, actor=request.user
            )
            messages.success(
                request,
                ngettext(
                    "%(count)s case set to priority %(priority)s.",
                    "%(count)s cases set to priority %(priority)s.",
                    count,
                )
                % {"count": count, "priority": Priority(priority).label},
            )
    except ValidationError as exc:
        messages.error(
            request,
            _("Nothing was changed: %(reason)s") % {"reason": " ".join(exc.messages)},
        )
    return redirect(back)


# --- followers, possible duplicates, merge, related cases --------------------------------------


def _joined_context(case: Case, user: Any, writable: bool) -> dict:
    """The case page's followers, possible duplicates, related and merged cases."""
    from cases.merge_services import unmerge_refusal

    followers = selectors.case_followers(case)
    duplicates = (
        selectors.possible_duplicates(case)
        if writable and case.is_open and case.merged_into_id is None
        else []
    )
    return {
        "followers": followers,
        "following": any(f.user_id == user.pk for f in followers),
        "duplicates": [
            {
                "case": d.case,
                "distance": presenters.distance_text(d.distance_m),
                "same_citizen": d.same_citizen,
            }
            for d in duplicates
        ],
        "duplicate_meters": settings.POSSIBLE_DUPLICATE_METERS,
        "duplicate_days": settings.POSSIBLE_DUPLICATE_DAYS,
        "related": selectors.case_related(case),
        "merged_here": selectors.case_merged_here(case),
        "can_unmerge": writable
        and case.merged_into_id is not None
        and unmerge_refusal(case) is None,
    }


def _redirect_back(case: Case) -> HttpResponse:
    return redirect("cases:detail", reference=case.reference)


@require_POST
@staff_required()
def case_follow(request: HttpRequest, reference: str) -> HttpResponse:
    from cases.follower_services import case_follow as follow

    case = _writable_case(request.user, reference)
    try:
        follow(case=case, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You follow this case: you will be told what happens to it."))
    return _redirect_back(case)


@require_POST
@staff_required()
def case_unfollow(request: HttpRequest, reference: str) -> HttpResponse:
    from cases.follower_services import case_unfollow as unfollow

    case = _writable_case(request.user, reference)
    unfollow(case=case, user=request.user)
    messages.success(request, _("You no longer follow this case."))
    return _redirect_back(case)


@staff_required()
def case_merge(request: HttpRequest, reference: str) -> HttpResponse:
    """ "Merge into another case…": choose the case to keep (a reference, or one of the
    possible duplicates), then a confirmation page saying what will happen; the POST merges.
    A reference that is not one of the caller's agency's cases answers 404 (with the form)."""
    from cases.merge_services import case_merge as merge
    from cases.merge_services import merge_refusal

    case = _writable_case(request.user, reference)
    # The chosen possible duplicate, else the reference typed (the form sends both fields).
    data = request.POST if request.method == "POST" else request.GET
    wanted = next((v.strip() for v in data.getlist("into") if v.strip()), "")[:40]
    context: dict[str, Any] = {"case": case, "typed": wanted}
    if case.merged_into_id is None and case.is_open:
        context["duplicates"] = selectors.possible_duplicates(case)
    if not wanted:
        if request.method == "POST":
            context["error"] = _("Give the reference of the case to keep.")
            return render(request, "cases/merge.html", context, status=400)
        return render(request, "cases/merge.html", context)
    into = (
        selectors.cases_own_agency(request.user)
        .filter(reference=reference_normalise(wanted))
        .select_related("category", "agency", "assignee")
        .first()
    )
    if into is None:
        context["error"] = _("No case of your agency has the reference “%(reference)s”.") % {
            "reference": wanted
        }
        return render(request, "cases/merge.html", context, status=404)
    refusal = merge_refusal(case, into)
    if refusal:
        context["error"] = refusal
        return render(request, "cases/merge.html", context, status=400)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            merge(duplicate=case, into=into, actor=request.user)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            return render(request, "cases/merge.html", context, status=400)
        messages.success(
            request,
            _("%(duplicate)s is merged into %(kept)s. You can undo it today from %(duplicate)s.")
            % {"duplicate": case.reference, "kept": into.reference},
        )
        return redirect("cases:detail", reference=into.reference)
    context.update({
        "into": into,
        "requester_follows": bool(case.contact_email) and not case.updates_opted_out,
        "followers_count": case.followers.filter(unsubscribed_at__isnull=True).count(),
        "distance": presenters.distance_text(selectors._distance(case, into)),
    })  # fmt: skip
    return render(request, "cases/merge_confirm.html", context)


@require_POST
@staff_required()
def case_unmerge(request: HttpRequest, reference: str) -> HttpResponse:
    from cases.merge_services import case_unmerge as unmerge

    case = _writable_case(request.user, reference)
    try:
        unmerge(duplicate=case, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The merge is undone: this case is open again."))
    return _redirect_back(case)


@require_POST
@staff_required()
def case_relate(request: HttpRequest, reference: str) -> HttpResponse:
    """Mark another case of the agency (by reference) as related to this one."""
    from cases.merge_services import case_link_related

    case = _writable_case(request.user, reference)
    wanted = (request.POST.get("other") or "").strip()[:40]
    other = (
        selectors.cases_own_agency(request.user)
        .filter(reference=reference_normalise(wanted))
        .first()
        if wanted
        else None
    )
    if other is None:
        messages.error(
            request,
            _("No case of your agency has the reference “%(reference)s”.") % {"reference": wanted}
            if wanted else _("Give the reference of the related case."),
        )  # fmt: skip
        return _redirect_back(case)
    try:
        case_link_related(case=case, other=other, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked as related to %(reference)s.") % {
            "reference": other.reference})  # fmt: skip
    return _redirect_back(case)


@require_POST
@staff_required()
def case_unrelate(request: HttpRequest, reference: str, other: str) -> HttpResponse:
    from cases.merge_services import case_unlink_related

    case = _writable_case(request.user, reference)
    other_case = get_object_or_404(selectors.cases_own_agency(request.user), reference=other)
    case_unlink_related(case=case, other=other_case, actor=request.user)
    messages.success(request, _("No longer related to %(reference)s.") % {"reference": other})
    return _redirect_back(case)
