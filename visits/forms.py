from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import FORM_ERROR_HEADING, UswdsForm


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class CheckInForm(UswdsForm):
    error_heading = FORM_ERROR_HEADING  # the page shows the error summary
    category = ServiceChoiceField(
        label=_("What do you need help with?"), queryset=None, widget=forms.RadioSelect,
        empty_label=None, error_messages={"required": _("Choose a service.")},
    )  # fmt: skip
    priority = forms.BooleanField(
        label=_("I need priority service"), required=False,
        help_text=_("For example if you are pregnant, have reduced mobility or cannot wait "
                    "standing. Staff may ask you about it."),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("Email (optional)"), required=False,
        help_text=_("We email you when you are next. Used for nothing else."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    phone = forms.CharField(
        label=_("Phone (optional)"), required=False, max_length=30,
        help_text=_("So staff can reach you if you step out."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )  # fmt: skip

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        from cases.models import ServiceCategory

        self.fields["category"].queryset = ServiceCategory.objects.filter(
            pk__in=[s.pk for s in services]
        ).order_by("order", "code")


class TransferForm(UswdsForm):
    desk = forms.ModelChoiceField(label=_("To another desk"), queryset=None, required=False)
    category = ServiceChoiceField(label=_("Or to another service"), queryset=None,
                                  required=False)  # fmt: skip

    def __init__(self, *args, office=None, exclude_desk=None, **kwargs):
        super().__init__(*args, **kwargs)
        desks = office.desks.filter(active=True)
        if exclude_desk is not None:
            desks = desks.exclude(pk=exclude_desk.pk)
        self.fields["desk"].queryset = desks
        self.fields["desk"].empty_label = _("(no desk)")
        self.fields["category"].queryset = office.services.filter(active=True)
        self.fields["category"].empty_label = _("(same service)")

    def clean(self):
        data = super().clean()
        if bool(data.get("desk")) == bool(data.get("category")):
            raise forms.ValidationError(_("Choose a desk or a service, not both."))
        return data


class CitizenLookupForm(UswdsForm):
    q = forms.CharField(
        label=_("Find the citizen by name, email or phone"), required=False, max_length=200
    )


class OpenCaseForm(UswdsForm):
    error_heading = FORM_ERROR_HEADING  # the page shows the error summary
    citizen = forms.IntegerField(required=False, widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES, required=False
    )
    create_anyway = forms.BooleanField(
        label=_("None of these is the person: create a new record anyway"), required=False
    )
    description = forms.CharField(
        label=_("What the citizen asked for"), widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000, error_messages={"required": _("Describe the request.")},
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if not data.get("citizen") and not (data.get("first_name") or data.get("last_name")):
            raise forms.ValidationError(
                _("Choose a citizen from the search, or enter a first or last name for a new "
                  "record.")
            )  # fmt: skip
        return data

    def new_citizen(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"], "last_name": data["last_name"],
            "email": data["email"], "phone": data["phone"],
            "preferred_language": data["preferred_language"] or settings.LANGUAGE_CODE,
        }  # fmt: skip
