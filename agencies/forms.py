from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.forms import UswdsForm, UswdsFormMixin


class StaffSignInForm(UswdsFormMixin, AuthenticationForm):
    """Django's sign-in form, with the autocomplete hints password managers expect."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class OneTimeCodeForm(UswdsForm):
    code = forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits shown in your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "class": "usa-input usa-input--small",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "maxlength": "8",
            }
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class ApiTokenForm(UswdsForm):
    name = forms.CharField(
        label=_("What will use the token"),
        help_text=_("For example “phone system” or “city app”. You can revoke it at any time."),
        max_length=100,
    )
