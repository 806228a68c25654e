"""Staff pages of the shared citizen record: search, create, 360° view, consent, merge."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from citizens import selectors, services
from citizens.forms import (
    CitizenCreateForm,
    CitizenForm,
    CitizenSearchForm,
    ConsentForm,
    MergeForm,
)
from citizens.models import ConsentKind, ConsentSource
from citizens.subject_access import citizen_subject_access as citizen_subject_access_data
from citizens.timeline import citizen_timeline
from core.permissions import has_role, staff_required

PAGE_SIZE = 25


@staff_required()
def citizen_search(request: HttpRequest) -> HttpResponse:
    form = CitizenSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = recent = None
    if query:
        results = selectors.citizens_search(user=request.user, query=query)
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        recent = selectors.citizens_recent(user=request.user, limit=PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "citizens/search.html",
        {
            "form": form,
            "query": query,
            "page": page,
            "recent": recent,
            "querystring": params.urlencode(),
        },
    )


@staff_required()
def citizen_create(request: HttpRequest) -> HttpResponse:
    form = CitizenCreateForm(request.POST or None)
    candidates = []
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        candidates = selectors.citizen_duplicates_to_confirm(
            user=request.user, data=data, seen=form.seen_ids(),
            create_anyway=form.cleaned_data["create_anyway"],
        )  # fmt: skip
        if candidates:
            # Show the candidates first, and ask for a confirmation that covers all of them.
            form = CitizenCreateForm(
                {**request.POST.dict(), "duplicates_seen": _ids(candidates), "create_anyway": ""},
            )
            form.is_valid()
        else:
            try:
                citizen = services.citizen_create(
                    actor=request.user,
                    consent_contact=form.consent_value("consent_contact"),
                    consent_surveys=form.consent_value("consent_surveys"),
                    **data,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Citizen record created."))
                return redirect("citizens:detail", pk=citizen.pk)
    return render(request, "citizens/create.html", {"form": form, "candidates": candidates})


def _ids(candidates) -> str:
    return ",".join(str(c.citizen.pk) for c in candidates)


def _live_or_redirect(request: HttpRequest, pk: int, view_name: str):
    """(citizen, None) for a live record; (None, redirect) to the survivor for a tombstone."""
    citizen = selectors.citizen_get_for_view(user=request.user, pk=pk)
    if citizen.is_tombstone:
        survivor = selectors.citizen_survivor(citizen)
        messages.info(
            request,
            _("Record %(old)s was merged into record %(new)s: you are seeing the merged record.")
            % {"old": citizen.pk, "new": survivor.pk},
        )
        return None, redirect(view_name, pk=survivor.pk)
    return citizen, None


@staff_required()
def citizen_detail(request: HttpRequest, pk: int) -> HttpResponse:
    citizen, moved = _live_or_redirect(request, pk, "citizens:detail")
    if moved:
        return moved
    latest = selectors.citizen_latest_consent(citizen=citizen)
    consent = [
        {
            "kind": kind,
            "label": label,
            "granted": getattr(citizen, f"consent_{kind}"),
            "at": getattr(citizen, f"consent_{kind}_at"),
            # Where the person said it (public form, Open311 app, staff…).
            "source": latest[kind].get_source_display() if kind in latest else "",
        }
        for kind, label in ConsentKind.choices
    ]
    return render(
        request,
        "citizens/detail.html",
        {
            "citizen": citizen,
            "consent": consent,
            "timeline": citizen_timeline(citizen=citizen, user=request.user),
            "can_merge": has_role(request.user, "supervisor"),
        },
    )


@staff_required()
def citizen_edit(request: HttpRequest, pk: int) -> HttpResponse:
    citizen, moved = _live_or_redirect(request, pk, "citizens:edit")
    if moved:
        return moved
    form = CitizenForm(request.POST or None, instance=citizen)
    if request.method == "POST" and form.is_valid():
        try:
            services.citizen_update(citizen=citizen, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("citizens:detail", pk=citizen.pk)
    return render(request, "citizens/edit.html", {"form": form, "citizen": citizen})


@require_POST
@staff_required()
def citizen_consent(request: HttpRequest, pk: int) -> HttpResponse:
    citizen = selectors.citizen_get_for_view(user=request.user, pk=pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That consent change was not understood; nothing was saved."))
    else:
        record = services.citizen_consent_set(
            citizen=citizen,
            kind=form.cleaned_data["kind"],
            granted=form.cleaned_data["granted"],
            source=ConsentSource.STAFF,
            actor=request.user,
        )
        citizen = record.citizen
        messages.success(
            request,
            _("Recorded: %(kind)s — %(state)s.")
            % {
                "kind": record.get_kind_display(),
                "state": _("given") if record.granted else _("refused or withdrawn"),
            },
        )
    return redirect(reverse("citizens:detail", kwargs={"pk": citizen.pk}) + "#consent")


@staff_required()
def citizen_duplicates(request: HttpRequest, pk: int) -> HttpResponse:
    citizen, moved = _live_or_redirect(request, pk, "citizens:duplicates")
    if moved:
        return moved
    context = {
        "citizen": citizen,
        "candidates": selectors.citizen_duplicates_of(user=request.user, citizen=citizen),
        "can_merge": has_role(request.user, "supervisor"),
    }
    template = "citizens/_duplicates.html" if request.htmx else "citizens/duplicates.html"
    return render(request, template, context)


@staff_required("supervisor")
def citizen_merge(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    """Merge record `other_pk` into record `pk` (the survivor), field by field."""
    survivor = selectors.citizen_get_for_view(user=request.user, pk=pk)
    other = selectors.citizen_get_for_view(user=request.user, pk=other_pk)
    if survivor.pk == other.pk or survivor.is_tombstone or other.is_tombstone:
        messages.error(request, _("These records cannot be merged: one was already merged."))
        return redirect("citizens:detail", pk=selectors.citizen_survivor(survivor).pk)
    rows = selectors.citizen_merge_preview(survivor=survivor, other=other)
    form = MergeForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.citizen_merge(
                survivor=survivor,
                other=other,
                actor=request.user,
                keep_from_other=form.keep_from_other(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Record %(other)s was merged into this record.") % {"other": other.pk},
            )
            return redirect("citizens:detail", pk=survivor.pk)
    return render(
        request,
        "citizens/merge.html",
        {
            "form": form,
            "survivor": survivor,
            "other": other,
            "same_rows": [row for row in rows if not row.differs],
            "moving": selectors.citizen_related_counts(citizen=other),
        },
    )


# --- subject access (supervisors: a disclosure of everything held, audited) --------------------


@require_GET
@staff_required("supervisor")
def citizen_subject_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable page of everything the agency holds on the citizen."""
    citizen, moved = _live_or_redirect(request, pk, "citizens:subject_access")
    if moved:
        return moved
    export = citizen_subject_access_data(citizen=citizen, user=request.user)
    services.citizen_subject_access_exported(citizen=citizen, actor=request.user, fmt="html")
    response = render(
        request, "citizens/subject_access.html", {"citizen": citizen, "export": export}
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@staff_required("supervisor")
def citizen_subject_access_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The same as JSON, as a download."""
    citizen, moved = _live_or_redirect(request, pk, "citizens:subject_access_json")
    if moved:
        return moved
    export = citizen_subject_access_data(citizen=citizen, user=request.user)
    services.citizen_subject_access_exported(citizen=citizen, actor=request.user, fmt="json")
    response = JsonResponse(
        export.as_data(), encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2}
    )
    stamp = export.generated_at.strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-{citizen.pk}-{stamp}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response
