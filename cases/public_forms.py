from django import forms
from django.utils.translation import gettext_lazy as _


class StatusLookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number"),
        help_text=_("For example CRM-2026-7K3QX9. It is in the email we sent you."),
        max_length=40,
        widget=forms.TextInput(attrs={"class": "usa-input", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email address you gave us"),
        widget=forms.EmailInput(attrs={"class": "usa-input", "autocomplete": "email"}),
    )
