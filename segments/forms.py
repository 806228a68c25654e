from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.models import Case, ServiceCategory
from core.forms import FORM_ERROR_HEADING, UswdsForm


class CategoryChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class SegmentForm(UswdsForm):
    error_heading = FORM_ERROR_HEADING  # the page shows the error summary
    name = forms.CharField(label=_("Name of the segment"), max_length=200, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    postal_code = forms.CharField(label=_("Postal code starts with"), required=False, max_length=20)
    city = forms.CharField(label=_("City or town"), required=False, max_length=100)
    categories = CategoryChoice(
        label=_("Has a case of ours in these services"),
        queryset=ServiceCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    statuses = forms.MultipleChoiceField(
        label=_("…with one of these statuses"),
        choices=Case.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("…made through"),
        choices=Case.Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    case_from = forms.DateField(
        label=_("…opened on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    case_to = forms.DateField(
        label=_("…opened on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    near_latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    near_longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=6
    )
    near_metres = forms.IntegerField(
        label=_("Within (metres)"), required=False, min_value=10, max_value=50_000,
        help_text=_("From 10 to 50,000 metres."),
    )  # fmt: skip
    has_feedback = forms.BooleanField(label=_("Has sent us feedback"), required=False)
    answered_survey = forms.BooleanField(label=_("Has answered one of our surveys"), required=False)
    consent = forms.ChoiceField(
        label=_("Consent"),
        required=False,
        widget=forms.RadioSelect,
        initial="",
        choices=[
            ("", _("Any")),
            ("surveys", _("Agreed to surveys")),
            ("contact", _("Agreed to be contacted")),
        ],
    )

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = ServiceCategory.objects.filter(
            agency=agency, active=True
        ).order_by("order", "code")

    NEAR_FIELDS = ("near_latitude", "near_longitude", "near_metres")

    def clean(self):
        data = super().clean()
        given = [name for name in self.NEAR_FIELDS if data.get(name) is not None]
        if given and len(given) < len(self.NEAR_FIELDS):
            for name in self.NEAR_FIELDS:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(
                        name,
                        _("Give the point's latitude and longitude and a distance, or none "
                          "of them."),
                    )  # fmt: skip
        return data

    @classmethod
    def initial_from(cls, segment) -> dict:
        """The form's values for an existing segment's definition."""
        return {key: value for key, value in segment.definition.items() if key != "near"} | {
            f"near_{key}": value for key, value in (segment.definition.get("near") or {}).items()
        }

    def definition(self) -> dict:
        data = self.cleaned_data
        near = {}
        if data.get("near_metres") is not None:
            near = {
                "latitude": float(data["near_latitude"]),
                "longitude": float(data["near_longitude"]),
                "metres": data["near_metres"],
            }
        return {
            "languages": data["languages"],
            "postal_code": data["postal_code"],
            "city": data["city"],
            "categories": [c.pk for c in data["categories"]],
            "statuses": data["statuses"],
            "channels": data["channels"],
            "case_from": data["case_from"].isoformat() if data["case_from"] else "",
            "case_to": data["case_to"].isoformat() if data["case_to"] else "",
            "near": near,
            "has_feedback": data["has_feedback"],
            "answered_survey": data["answered_survey"],
            "consent": data["consent"],
        }


class SurveyCampaignForm(UswdsForm):
    survey = forms.ModelChoiceField(label=_("Survey"), queryset=None, empty_label=None)

    def __init__(self, *args, agency=None, **kwargs):
        from feedback.models import Survey

        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.filter(agency=agency, active=True)


class OutreachForm(UswdsForm):
    subject_en = forms.CharField(label=_("Subject in English"), max_length=200)
    body_en = forms.CharField(label=_("Message in English"), widget=forms.Textarea)
    subject_es = forms.CharField(label=_("Subject in Spanish"), max_length=200, required=False)
    body_es = forms.CharField(label=_("Message in Spanish"), widget=forms.Textarea, required=False)
