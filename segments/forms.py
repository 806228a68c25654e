from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.models import Case, ServiceCategory
from core.forms import UswdsForm


class CategoryChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class SegmentForm(UswdsForm):
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

    def definition(self) -> dict:
        data = self.cleaned_data
        return {
            "languages": data["languages"],
            "postal_code": data["postal_code"],
            "city": data["city"],
            "categories": [c.pk for c in data["categories"]],
            "statuses": data["statuses"],
            "channels": data["channels"],
            "case_from": data["case_from"].isoformat() if data["case_from"] else "",
            "case_to": data["case_to"].isoformat() if data["case_to"] else "",
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
