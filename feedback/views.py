"""Pages of `feedback`: the public feedback form and survey (no account), staff triage and
survey results. Views parse input, call a service or selector, and render."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cases.forms import NewCitizenForm
from cases.links import staff_case_url
from citizens.models import Citizen
from citizens.normalise import split_name
from citizens.selectors import citizen_duplicates_to_confirm
from core.guards import public_post_accepted, public_post_refusal
from core.permissions import staff_required
from feedback import selectors, services, survey_services
from feedback.exports import neutralise_cell
from feedback.forms import (
    FeedbackForm,
    LinkCitizenForm,
    OpenCaseForm,
    ResultsFilterForm,
    SurveyForm,
    TriageFilterForm,
)
from feedback.models import FeedbackSubmission, SurveyInvitation

PAGE_SIZE = 25


# --- public: feedback form ------------------------------------------------------------------


@never_cache
def feedback_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _feedback_page(request, FeedbackForm())
    form = FeedbackForm(request.POST)
    refused = public_post_refusal(
        request, form, scope="public-feedback",
        page=lambda form, **extra: _feedback_page(request, form, **extra),
        decoy=lambda: redirect("feedback_thanks"),  # looks like success, stores nothing
    )  # fmt: skip
    if refused:
        return refused
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.feedback_submit(
                agency=data["agency"],
                category=data["category"],
                kind=data["kind"],
                message=data["message"],
                case_reference=data["case_reference"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                consent_contact=data["consent_contact"],
                consent_surveys=bool(data["consent_surveys"]),
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            public_post_accepted(request, scope="public-feedback")
            return redirect("feedback_thanks")
    return _feedback_page(request, form)


def _feedback_page(request: HttpRequest, form: FeedbackForm, **extra: Any) -> HttpResponse:
    return render(request, "feedback/public/feedback_form.html", {"form": form, **extra})


def feedback_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/public/feedback_thanks.html")


# --- public: the survey ---------------------------------------------------------------------


def _invitation_or_404(token: str) -> SurveyInvitation:
    invitation = selectors.invitation_for_survey_token(token)
    if invitation is None or invitation.sent_at is None:
        raise Http404("This link is not valid.")
    return invitation


def _closed_page(request: HttpRequest, invitation: SurveyInvitation, reason: str) -> HttpResponse:
    return render(
        request, "feedback/public/survey_closed.html",
        {"invitation": invitation, "case": invitation.case, "reason": reason},
    )  # fmt: skip


@never_cache
def survey(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_or_404(token)
    reason = selectors.invitation_closed_reason(invitation.pk)
    if invitation.status not in (SurveyInvitation.Status.SENT, SurveyInvitation.Status.SENDING) or (
        reason == "expired"
    ):
        return _closed_page(request, invitation, reason)
    questions = list(invitation.survey.questions.all())
    form = SurveyForm(request.POST or None, survey=invitation.survey, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            response = survey_services.survey_respond(
                invitation=invitation,
                answers=form.answers(),
                anonymous=form.cleaned_data.get("anonymous", False),
                language=request.LANGUAGE_CODE,
            )
        except services.SurveyClosed as closed:
            return _closed_page(request, invitation, closed.reason)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            url = reverse("survey_thanks", args=[token])
            return redirect(f"{url}?reopened=1" if response.reopened_case else url)
    return render(
        request, "feedback/public/survey.html",
        {"invitation": invitation, "case": invitation.case, "survey": invitation.survey,
         "form": form},
    )  # fmt: skip


@never_cache
def survey_thanks(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_or_404(token)
    if invitation.status != SurveyInvitation.Status.ANSWERED:
        return redirect("survey", token=token)
    return render(
        request, "feedback/public/survey_thanks.html",
        {"case": invitation.case, "reopened": request.GET.get("reopened") == "1"},
    )  # fmt: skip


@csrf_exempt  # the signed token is the authority; mail clients POST here (RFC 8058 one-click)
@never_cache
def survey_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A page with one button; a POST (the button, or a mail client's one-click) unsubscribes.

    A GET never unsubscribes: mail scanners follow links.
    """
    invitation = selectors.invitation_for_unsubscribe_token(token)
    if invitation is None:
        raise Http404("This link is not valid.")
    if request.method == "POST":
        survey_services.survey_unsubscribe(invitation=invitation)
        done = True
    else:
        done = not invitation.citizen.consent_surveys
    return render(
        request, "feedback/public/survey_unsubscribe.html",
        {"done": done, "case": invitation.case},
    )  # fmt: skip


# --- staff: triage --------------------------------------------------------------------------


@staff_required()
def feedback_list(request: HttpRequest) -> HttpResponse:
    form = TriageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    status = filters.get("status") or "new"
    rows = selectors.feedback_triage(
        request.user, status="" if status == "all" else status, kind=filters.get("kind") or ""
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "feedback/staff/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "status": status},
    )  # fmt: skip


@staff_required()
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get_for_staff(request.user, pk)
    return _detail_page(request, feedback)


def _detail_page(
    request: HttpRequest, feedback: FeedbackSubmission, *, link_form: Any = None,
    case_form: Any = None, citizen_form: Any = None, candidates: Any = (), status: int = 200,
) -> HttpResponse:  # fmt: skip
    categories = selectors.categories_for_case_opening(request.user, feedback)
    if citizen_form is None:
        first_name, last_name = split_name(feedback.contact_name)
        citizen_form = NewCitizenForm(
            initial={"first_name": first_name, "last_name": last_name,
                     "email": feedback.contact_email, "phone": feedback.contact_phone,
                     "preferred_language": feedback.language},
        )  # fmt: skip
    context = {
        "feedback": feedback,
        "suggestions": selectors.feedback_citizen_suggestions(feedback),
        "suggestion": selectors.feedback_suggestion_text(feedback),
        "citizen_form": citizen_form,
        "candidates": candidates,
        "link_form": link_form or LinkCitizenForm(),
        "case_form": case_form
        or OpenCaseForm(categories=categories, initial_category=feedback.category_id),
        "can_open_case": feedback.kind != FeedbackSubmission.Kind.COMPLIMENT
        and feedback.follow_up_case_id is None,
        "case_url": staff_case_url(feedback.case.reference) if feedback.case_id else None,
        "follow_up_url": (
            staff_case_url(feedback.follow_up_case.reference)
            if feedback.follow_up_case_id
            else None
        ),
    }
    return render(request, "feedback/staff/detail.html", context, status=status)


@require_POST
@staff_required()
def feedback_handle(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get_for_staff(request.user, pk, for_write=True)
    handled = request.POST.get("handled", "1") != "0"
    services.feedback_mark_handled(feedback=feedback, actor=request.user, handled=handled)
    messages.success(request, _("Marked as handled.") if handled else _("Marked as new again."))
    return redirect("feedback:detail", pk=feedback.pk)


@require_POST
@staff_required()
def feedback_link_citizen(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get_for_staff(request.user, pk, for_write=True)
    form = LinkCitizenForm(request.POST)
    citizen = None
    if form.is_valid():
        citizen = Citizen.objects.filter(pk=form.cleaned_data["citizen"]).first()
        if citizen is None:
            form.add_error("citizen", _("There is no citizen record with this number."))
    if citizen is None:
        return _detail_page(request, feedback, link_form=form, status=400)
    services.feedback_link_citizen(feedback=feedback, citizen=citizen, actor=request.user)
    messages.success(request, _("Linked to the citizen record."))
    return redirect("feedback:detail", pk=feedback.pk)


@require_POST
@staff_required()
def feedback_reject_suggested_citizen(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get_for_staff(request.user, pk, for_write=True)
    try:
        services.feedback_reject_suggested_citizen(feedback=feedback, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The suggested record was set aside. Link the feedback to another record, or "
              "create one."),
        )  # fmt: skip
    return redirect("feedback:detail", pk=feedback.pk)


@require_POST
@staff_required()
def feedback_create_citizen(request: HttpRequest, pk: int) -> HttpResponse:
    """A new record for the person who wrote (after the duplicate check), linked."""
    feedback = selectors.feedback_get_for_staff(request.user, pk, for_write=True)
    form = NewCitizenForm(request.POST)
    candidates: list = []
    if form.is_valid():
        candidates = citizen_duplicates_to_confirm(
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
                services.feedback_create_citizen(
                    feedback=feedback, actor=request.user, data=form.citizen_data()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Citizen record created and linked."))
                return redirect("feedback:detail", pk=feedback.pk)
    return _detail_page(request, feedback, citizen_form=form, candidates=candidates, status=400)


@require_POST
@staff_required()
def feedback_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get_for_staff(request.user, pk, for_write=True)
    categories = selectors.categories_for_case_opening(request.user, feedback)
    form = OpenCaseForm(request.POST, categories=categories)
    if form.is_valid():
        try:
            case = services.feedback_open_case(
                feedback=feedback, category=form.cleaned_data["category"], actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("Case %(reference)s opened from this feedback.")
                % {"reference": case.reference},
            )  # fmt: skip
            return redirect(staff_case_url(case.reference))
    return _detail_page(request, feedback, case_form=form, status=400)


# --- staff: results -------------------------------------------------------------------------


def _results_filters(request: HttpRequest) -> tuple[ResultsFilterForm, dict]:
    form = ResultsFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {"start": data.get("start"), "end": data.get("end")}


@staff_required("supervisor")
def results(request: HttpRequest) -> HttpResponse:
    form, period = _results_filters(request)
    group_by = form.cleaned_data.get("by") if form.is_bound and form.is_valid() else ""
    figures = selectors.survey_results(request.user, group_by=group_by or "team", **period)
    chart = {
        "labels": [m.label for m in figures.months],
        "csat": [m.csat_average for m in figures.months],
        "resolved": [m.resolved_rate for m in figures.months],
        "csatLabel": _("CSAT average (1 to 5)"),
        "resolvedLabel": _("Resolved (%)"),
    }
    query = request.GET.urlencode()
    return render(
        request, "feedback/staff/results.html",
        {"form": form, "results": figures, "chart": chart, "query": query},
    )  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_required("supervisor")
def results_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The period's responses, one row each; formula-like cells neutralised."""
    _form, period = _results_filters(request)
    writer = csv.writer(_Echo())
    rows = selectors.results_csv_rows(request.user, **period)
    response = StreamingHttpResponse(
        (writer.writerow([neutralise_cell(cell) for cell in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="survey-results-{stamp}.csv"'
    return response
