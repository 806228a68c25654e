"""A bulk import of citizens from a CSV file (DESIGN.md "Interfaces": /staff/citizens/import/).

The file's text is kept on the job; the job runs in chunks, each chunk committed together with
the cursor (the number of data rows done), so a worker killed mid-chunk leaves the chunk
undone and the next run starts from the cursor: nothing twice, nothing lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CitizenImport(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded: map the columns")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    encoding = models.CharField(max_length=20)
    delimiter = models.CharField(max_length=1)
    content = models.TextField()
    headers = models.JSONField(default=list)
    # {column index (str): citizen field}; unmapped columns are ignored.
    mapping = models.JSONField(default=dict, blank=True)
    consent_source = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    cursor = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    agency_scope = "agency"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else int(100 * self.cursor / self.total_rows)


class ImportProblem(models.Model):
    """A row not imported (an error) or left alone (a possible duplicate), for the errors CSV."""

    class Kind(models.TextChoices):
        ERROR = "error", _("Error")
        DUPLICATE = "duplicate", _("Possible duplicate")

    citizen_import = models.ForeignKey(
        CitizenImport, on_delete=models.CASCADE, related_name="problems"
    )
    row_number = models.PositiveIntegerField()  # as a spreadsheet shows it (header = 1)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    message = models.CharField(max_length=500)
    values = models.JSONField(default=list)
    existing_record = models.PositiveIntegerField(null=True, blank=True)

    agency_scope = "citizen_import__agency"

    class Meta:
        ordering = ["row_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_import", "row_number"], name="import_problem_once_per_row"
            )
        ]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.message}"
