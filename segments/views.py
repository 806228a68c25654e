"""Staff pages of segments (supervisors): build one with its size shown as it changes, its
members paged, a survey campaign and an outreach email; the public unsubscribe page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from agencies.selectors import staff_agency
from citizens.models import Citizen, ConsentKind, ConsentSource
from citizens.services import citizen_consent_set
from core.permissions import staff_required
from segments import links, selectors, services
from segments.forms import OutreachForm, SegmentForm, SurveyCampaignForm

ROLE = "supervisor"
PAGE_SIZE = 25


@staff_required(ROLE)
def segment_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "segments/list.html", {"segments": selectors.segments_visible_to(request.user)}
    )


def _agency(request: HttpRequest):
    agency = staff_agency(request.user)
    if agency is None:  # a deployment superuser without an agency: no agency data to filter
        raise Http404("Segments belong to an agency.")
    return agency


def _size(request: HttpRequest, form: SegmentForm) -> int | None:
    if not form.is_valid():
        return None
    agency = _agency(request)
    return selectors.segment_members(agency=agency, definition=form.definition()).count()


@staff_required(ROLE)
def segment_count(request: HttpRequest) -> HttpResponse:
    form = SegmentForm(request.GET, agency=_agency(request))
    return render(request, "segments/_size.html", {"size": _size(request, form)})


@staff_required(ROLE)
def segment_new(request: HttpRequest) -> HttpResponse:
    return _segment_form(request, segment=None)


@staff_required(ROLE)
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _segment_form(request, segment=selectors.segment_get(request.user, pk=pk))


def _segment_form(request: HttpRequest, segment) -> HttpResponse:
    """The builder, for a new segment or to change one (its size shown as it changes)."""
    agency = _agency(request)
    initial = SegmentForm.initial_from(segment) | {"name": segment.name} if segment else None
    form = SegmentForm(request.POST or None, agency=agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {"name": form.cleaned_data["name"], "definition": form.definition(),
                  "actor": request.user}  # fmt: skip
        try:
            if segment is None:
                segment = services.segment_create(**fields)
            else:
                segment = services.segment_update(segment=segment, **fields)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("segments:detail", pk=segment.pk)
    size = None
    if request.method == "POST":
        size = _size(request, form)
    elif segment is not None:
        size = selectors.segment_members(agency=agency, definition=segment.definition).count()
    return render(
        request, "segments/new.html", {"form": form, "size": size, "segment": segment},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


def _describe(segment, agency) -> list[str]:
    form = SegmentForm(agency=agency)
    parts = []
    d = segment.definition
    near = d.get("near")
    if near:
        parts.append(
            _("Has a case of ours located within %(metres)s m of %(latitude)s, %(longitude)s")
            % near
        )
    for key in form.fields:
        value = d.get(key)
        if not value:
            continue
        field = form.fields[key]
        if key == "categories":
            names = [c.display_name for c in field.queryset.filter(pk__in=value)]
            parts.append(f"{field.label}: {', '.join(names)}")
        elif hasattr(field, "choices") and isinstance(value, list):
            labels = dict(field.choices)
            parts.append(f"{field.label}: {', '.join(str(labels.get(v, v)) for v in value)}")
        elif isinstance(value, bool):
            parts.append(str(field.label))
        elif key == "consent":
            parts.append(str(dict(field.choices).get(value, value)))
        else:
            parts.append(f"{field.label}: {value}")
    return parts


@staff_required(ROLE)
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = selectors.segment_get(request.user, pk=pk)
    members = selectors.segment_members(agency=segment.agency, definition=segment.definition)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "segments/detail.html",
        {
            "segment": segment,
            "page": page,
            "description": _describe(segment, segment.agency),
            "survey_form": SurveyCampaignForm(agency=segment.agency),
            "outreach_form": OutreachForm(),
        },
    )


# The reasons the survey and outreach rules give (feedback.selectors.invitation_refusal,
# segments.services), in words for staff.
REASONS = {
    "no citizen record": gettext_lazy("no citizen record"),
    "no survey consent": gettext_lazy("did not agree to surveys"),
    "no email address": gettext_lazy("no email address"),
    "closed without contact": gettext_lazy("case closed without contact"),
    "no survey for this service": gettext_lazy("survey not offered for this service"),
    "already invited for this case": gettext_lazy("already invited about this case"),
    "invited recently (recontact window)": gettext_lazy("invited recently (recontact window)"),
    "no closed case to ask about": gettext_lazy("no closed case to ask about"),
    "not agreed to be contacted": gettext_lazy("did not agree to be contacted"),
}


def _counts_message(counts) -> str:
    def words(reason: str) -> str:
        if reason.startswith("closed as "):
            return _("case closed as %(code)s") % {"code": reason.removeprefix("closed as ")}
        return str(REASONS.get(reason, reason))

    return "; ".join(f"{words(reason)}: {n}" for reason, n in sorted(counts.items()))


@staff_required(ROLE)
@require_POST
def segment_survey(request: HttpRequest, pk: int) -> HttpResponse:
    segment = selectors.segment_get(request.user, pk=pk)
    form = SurveyCampaignForm(request.POST, agency=segment.agency)
    if not form.is_valid():
        messages.error(request, _("Choose a survey."))
        return redirect("segments:detail", pk=segment.pk)
    try:
        counts = services.segment_survey_campaign(
            segment=segment, actor=request.user, survey=form.cleaned_data["survey"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        invited = counts.get("invited", 0)
        messages.success(
            request,
            ngettext(
                "%(count)s member invited to the survey.",
                "%(count)s members invited to the survey.",
                invited,
            )
            % {"count": invited}
            + " "
            + _("Not invited (fatigue rules): %(why)s.")
            % {
                "why": _counts_message({k: v for k, v in counts.items() if k != "invited"})
                or _("nobody")
            },
        )
    return redirect("segments:detail", pk=segment.pk)


@staff_required(ROLE)
@require_POST
def segment_outreach(request: HttpRequest, pk: int) -> HttpResponse:
    segment = selectors.segment_get(request.user, pk=pk)
    form = OutreachForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write at least the subject and the message in English."))
        return redirect("segments:detail", pk=segment.pk)
    data = form.cleaned_data
    counts = services.segment_outreach_send(
        segment=segment,
        actor=request.user,
        subject={"en": data["subject_en"], "es": data["subject_es"]},
        body={"en": data["body_en"], "es": data["body_es"]},
    )
    sent = counts.get("sent", 0)
    left_out = _counts_message({k: v for k, v in counts.items() if k != "sent"})
    messages.success(
        request,
        ngettext("%(count)s email queued.", "%(count)s emails queued.", sent) % {"count": sent}
        + (" " + _("Not sent: %(why)s.") % {"why": left_out} if left_out else ""),
    )
    return redirect("segments:detail", pk=segment.pk)


@never_cache
def outreach_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    citizen_id = links.unsubscribe_citizen_id(token)
    citizen = Citizen.objects.filter(pk=citizen_id).first() if citizen_id else None
    if citizen is None:
        raise Http404("This link is not valid.")
    done = False
    if request.method == "POST":
        citizen_consent_set(
            citizen=citizen,
            kind=ConsentKind.CONTACT,
            granted=False,
            source=ConsentSource.EMAIL_UNSUBSCRIBE,
        )
        done = True
    return render(request, "segments/unsubscribe.html", {"done": done})
