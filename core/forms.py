"""The one USWDS form layer, for every public and staff form.

A form built on `UswdsFormMixin` (or `UswdsForm`) renders its fields through
`templates/core/_field.html` and its error summary through `templates/core/_error_summary.html`.
Its widgets get, when they are rendered, what assistive technology and the USWDS styles need:

- the USWDS class of the widget's kind, unless the widget sets its own (`usa-input--small`...);
- `aria-describedby` naming the field's hint (`<id>-hint`) and error (`<id>-error`), on the
  widget itself, or for a group of options on its fieldset (the template sets that one);
- `aria-invalid="true"` and the USWDS error class while the field is in error.

Because this happens at render time, fields a form adds after `__init__` (a service's
questions, a survey's) and errors a service adds after validation are covered alike.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

ERROR_CLASS = "usa-input--error"  # for the widgets whose first class is one of these:
ERROR_CLASS_FOR = ("usa-input", "usa-textarea", "usa-select")


def _uswds_class(widget: forms.Widget) -> str:
    """The USWDS class of a widget's kind."""
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
        return "usa-checkbox__input"
    if isinstance(widget, forms.RadioSelect):
        return "usa-radio__input"
    if isinstance(widget, forms.Select):
        return "usa-select"
    if isinstance(widget, forms.Textarea):
        return "usa-textarea"
    if isinstance(widget, forms.FileInput):
        return "crm-file-input"
    return "usa-input"


class UswdsBoundField(BoundField):
    """A field as rendered: USWDS class, hint and error ids, invalid state (see the module)."""

    @property
    def aria_describedby(self) -> str | None:
        if self.field.widget.attrs.get("aria-describedby"):
            return None  # the form set its own
        ids = []
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(f"{self.auto_id}-hint")
            if self.errors:
                ids.append(f"{self.auto_id}-error")
        return " ".join(ids)

    def build_widget_attrs(self, attrs: dict, widget: forms.Widget | None = None) -> dict:
        # Django's own: required, disabled, aria-invalid, aria-describedby (unless a fieldset).
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        if widget.is_hidden:
            return attrs
        classes = (attrs.get("class") or widget.attrs.get("class") or _uswds_class(widget)).split()
        if self.errors and classes[0] in ERROR_CLASS_FOR and ERROR_CLASS not in classes:
            classes.append(ERROR_CLASS)
        attrs["class"] = " ".join(classes)
        return attrs


def style(form: forms.Form) -> None:
    """The USWDS layer for a form not built on UswdsFormMixin (django-filter's FilterSet.form).

    Call it before the form is rendered."""
    form.bound_field_class = UswdsBoundField


# The error summary's heading where a form names none of its own.
FORM_ERROR_HEADING = ngettext_lazy(
    "There is a problem with this form", "There are %(counter)s problems with this form", "counter"
)


class UswdsFormMixin:
    """The USWDS form layer (see the module): put it before `forms.Form` in the bases."""

    bound_field_class = UswdsBoundField
    # Set on forms whose page shows the error summary (core/_error_summary.html): its heading,
    # with "%(counter)s" for the number of problems. The summary is the page's alert and links
    # to each field, so the fields' own messages are not alerts too; on a form without a
    # summary each field's message is announced (role="alert") by itself.
    error_heading: Any = None
    # Names a service's ValidationError uses that are not this form's field names.
    service_fields: dict[str, str] = {}

    def error_summary(self) -> list[dict[str, str]]:
        """One entry per error, each linking to its field, in the order of the form."""
        if not self.is_bound:
            return []
        entries = [{"anchor": "", "label": "", "message": m} for m in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors:
                bound = self[name]
                anchor = bound.auto_id
                if isinstance(bound.field.widget, forms.RadioSelect):  # checkboxes too
                    anchor = f"{bound.auto_id}_0"  # the first option: a group takes no focus
                for message in self.errors[name]:
                    entries.append({"anchor": anchor, "label": bound.label, "message": message})
        return entries

    def error_summary_heading(self) -> str:
        heading = self.error_heading or FORM_ERROR_HEADING
        return heading % {"counter": len(self.error_summary())}

    def service_field_name(self, key: str) -> str:
        """The field that shows a service's error about `key`."""
        return self.service_fields.get(key, key)

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the fields it names, the rest above the form.

        A field that already shows an error of its own keeps only that one (the same problem
        said twice helps nobody)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, errors in exc.error_dict.items():
            name = self.service_field_name(key)
            messages = ValidationError(errors).messages
            if name not in self.fields:
                self.add_error(None, messages)
            elif name not in self.errors:
                self.add_error(name, messages)

    def as_typed(self) -> None:
        """Show the form again as typed, without judging it (nothing was read from it)."""
        self.is_valid()
        self.errors.clear()


class UswdsForm(UswdsFormMixin, forms.Form):
    """A plain form with the USWDS layer."""


# --- forms of core's own pages --------------------------------------------------------------


class AuditFilterForm(UswdsForm):
    """What a supervisor narrows the audit trail by: who, what kind of action, which days (in
    the agency's time zone). An object's history (`object_type`, `object_id`) and an action
    code (`action`, as the API takes it) come from links and stay hidden."""

    who = forms.ChoiceField(label=_("Done by"), required=False)
    kind = forms.ChoiceField(label=_("What happened"), required=False)
    since = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    object_type = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    object_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    action = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: Any = (), kinds: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [
            ("", _("Anyone")),
            ("system", _("Automatic (the system)")),
            ("citizen", _("Citizens")),
            (_("Staff"), list(people)),
        ]
        self.fields["kind"].choices = [("", _("Anything")), *kinds]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data
