"""Input shape of the citizen pages. Writing is the services' job."""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from citizens import normalise
from citizens.models import Channel, Citizen, ConsentKind
from citizens.selectors import MergeFieldChoice
from citizens.services import EDITABLE_FIELDS
from core.forms import UswdsForm


class CitizenSearchForm(UswdsForm):
    q = forms.CharField(
        label=_("Name, email or phone number"),
        required=False,
        max_length=200,
        help_text=_("Names match despite typos, accents and word order."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class CitizenForm(UswdsForm):
    """Contact data of one citizen (create and edit); fields, labels and limits from the model."""

    def __init__(self, *args, instance: Citizen | None = None, **kwargs):
        if instance is not None:
            initial = model_to_dict(instance, fields=EDITABLE_FIELDS)
            initial["phone"] = instance.phone_display
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Citizen,
                fields=EDITABLE_FIELDS,
                widgets={
                    "email": forms.EmailInput(),
                    "phone": forms.TextInput(attrs={"type": "tel"}),
                },
                help_texts={
                    "phone": _(
                        "Include the country code for numbers from abroad, e.g. +34 612 345 678."
                    ),
                },
            )
        )
        self.fields["preferred_channel"].choices = [("", _("No preference")), *Channel.choices]
        self.order_fields(EDITABLE_FIELDS)
        for field in self.fields.values():
            # Staff type someone else's details: their own browser's autofill would be wrong.
            field.widget.attrs["autocomplete"] = "off"

    def clean_phone(self) -> str:
        try:
            return normalise.normalise_phone(self.cleaned_data.get("phone", ""))
        except normalise.InvalidPhoneNumber:
            raise forms.ValidationError(
                _("Enter a valid phone number, for example +1 312 555 0142.")
            ) from None

    def clean_email(self) -> str:
        return normalise.normalise_email(self.cleaned_data.get("email", ""))

    def clean(self):
        data = super().clean()
        if not (data.get("first_name") or data.get("last_name")):
            self.add_error("last_name", _("Enter a first name or a last name."))
        channel = data.get("preferred_channel")
        if channel == Channel.EMAIL and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Add an email address, or choose another preferred channel."))
        phone_missing = not data.get("phone") and "phone" not in self.errors
        if channel in (Channel.PHONE, Channel.SMS) and phone_missing:
            self.add_error("phone", _("Add a phone number, or choose another preferred channel."))
        if channel == Channel.POST and not (data.get("address_line1") and data.get("city")):
            self.add_error(
                "address_line1",
                _(
                    "Add a postal address (at least the first line and the city), or choose "
                    "another preferred channel."
                ),
            )
        return data


CONSENT_CHOICES = [("", _("Not asked yet")), ("yes", _("Yes, agrees")), ("no", _("No, refuses"))]


class CitizenCreateForm(CitizenForm):
    """A new record: contact data, consent if asked, and the duplicate confirmation."""

    consent_contact = forms.ChoiceField(
        label=_("Agrees to be contacted about their requests and services"),
        choices=CONSENT_CHOICES,
        required=False,
    )
    consent_surveys = forms.ChoiceField(
        label=_("Agrees to satisfaction surveys"), choices=CONSENT_CHOICES, required=False
    )
    duplicates_seen = forms.CharField(required=False, widget=forms.HiddenInput)
    create_anyway = forms.BooleanField(
        label=_("I have checked the possible duplicates: this is a different person"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([*EDITABLE_FIELDS, "consent_contact", "consent_surveys"])

    def consent_value(self, name: str) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get(name) or "")

    def seen_ids(self) -> set[int]:
        raw = self.cleaned_data.get("duplicates_seen") or ""
        return {int(part) for part in raw.split(",") if part.strip().isdigit()}


class ConsentForm(UswdsForm):
    kind = forms.ChoiceField(choices=ConsentKind.choices)
    granted = forms.TypedChoiceField(
        choices=[("yes", _("Given")), ("no", _("Refused or withdrawn"))],
        coerce=lambda value: value == "yes",
    )


class MergeForm(UswdsForm):
    """One radio group per field whose values differ; the survivor's value is preselected."""

    confirm = forms.BooleanField(
        label=_("I have checked that both records are the same person"),
        error_messages={"required": _("Confirm that both records are the same person.")},
    )

    def __init__(self, *args, rows: list[MergeFieldChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = [row for row in rows if row.differs]
        empty = _("(empty)")
        for row in self.rows:
            self.fields[row.group] = forms.ChoiceField(
                label=row.label,
                choices=[
                    ("survivor", row.survivor_value or empty),
                    ("other", row.other_value or empty),
                ],
                initial="survivor",
                widget=forms.RadioSelect(
                    attrs={"class": "usa-radio__input usa-radio__input--tile"}
                ),
            )
        self.order_fields([row.group for row in self.rows] + ["confirm"])

    def keep_from_other(self) -> list[str]:
        return [row.group for row in self.rows if self.cleaned_data.get(row.group) == "other"]

    def bound_rows(self):
        return [(row, self[row.group]) for row in self.rows]
