from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from citizen_import.parsing import FIELDS
from core.forms import FORM_ERROR_HEADING, UswdsForm


class UploadForm(UswdsForm):
    error_heading = FORM_ERROR_HEADING  # the page shows the error summary
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or Windows-1252 text, columns separated by commas or semicolons, "
                    "with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )  # fmt: skip


class MappingForm(UswdsForm):
    error_heading = FORM_ERROR_HEADING  # the page shows the error summary
    consent_source = forms.CharField(
        label=_("Where consent in this file was given (if no column says)"), required=False,
        max_length=200,
        help_text=_("For example “paper form at the library, 2025”. Consent is imported only "
                    "with its source and date."),
    )  # fmt: skip

    def __init__(self, *args, headers=(), mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        mapping = mapping or {}
        choices = [("", _("(ignore this column)")), *((k, str(v)) for k, v in FIELDS.items())]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=_("Column “%(header)s”") % {"header": header or index + 1},
                choices=choices, required=False, initial=mapping.get(str(index), ""),
            )  # fmt: skip
        self.order_fields([*(f"col_{i}" for i in range(len(headers))), "consent_source"])

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("col_") and value
        }

    def column_fields(self):
        return [self[name] for name in self.fields if name.startswith("col_")]
