"""Staff pages of the citizen CSV import (admins): upload, map and preview, run with a
progress bar that survives a reload (htmx polls the job row), download the problem rows."""

from __future__ import annotations

import csv
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citizen_import import selectors, services
from citizen_import.forms import MappingForm, UploadForm
from citizen_import.models import CitizenImport
from core.permissions import staff_required
from feedback.exports import neutralise_cell

ROLE = "admin"


@staff_required(ROLE)
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            job = services.import_upload(
                actor=request.user, file_name=upload_file.name, raw=upload_file.read()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("citizen_import:detail", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    jobs = selectors.imports_visible_to(request.user)[:20]
    return render(request, "citizen_import/upload.html", {"form": form, "jobs": jobs},
                  status=status)  # fmt: skip


@staff_required(ROLE)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_get(request.user, pk=pk)
    if request.htmx:
        response = render(request, "citizen_import/_progress.html", {"job": job})
        if job.status == CitizenImport.Status.DONE:
            response.status_code = 286  # htmx: stop polling
        return response
    form = None
    preview = []
    if job.status == CitizenImport.Status.UPLOADED:
        form = MappingForm(request.POST or None, headers=job.headers, mapping=job.mapping,
                           initial={"consent_source": job.consent_source})  # fmt: skip
        if request.method == "POST" and form.is_valid():
            try:
                job = services.import_set_mapping(
                    job=job, mapping=form.mapping(), actor=request.user,
                    consent_source=form.cleaned_data["consent_source"],
                )  # fmt: skip
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Mapping saved: check the preview below."))
                return redirect("citizen_import:detail", pk=job.pk)
        preview = selectors.import_preview(job, request.user)
    status = 400 if request.method == "POST" else 200
    return render(request, "citizen_import/detail.html",
                  {"job": job, "form": form, "preview": preview}, status=status)  # fmt: skip


@staff_required(ROLE)
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_get(request.user, pk=pk)
    try:
        services.import_start(job=job, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("citizen_import:detail", pk=job.pk)


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_required(ROLE)
def problems_csv(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_get(request.user, pk=pk)
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # spreadsheets read UTF-8 with a BOM
        yield writer.writerow([_("Row"), _("Problem"), _("Reason"), _("Existing record"),
                               *job.headers])  # fmt: skip
        for problem in job.problems.all().iterator():
            yield writer.writerow([
                problem.row_number, problem.get_kind_display(), problem.message,
                problem.existing_record or "",
                *(neutralise_cell(cell) for cell in problem.values),
            ])  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", job.file_name.rsplit(".", 1)[0])[:80] or "import"
    response["Content-Disposition"] = f'attachment; filename="{name}-problems.csv"'
    return response
