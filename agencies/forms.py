from django.contrib.auth.forms import AuthenticationForm


class StaffSignInForm(AuthenticationForm):
    """Django's sign-in form, with the autocomplete hints password managers expect."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "class": "usa-input"}
        )
        self.fields["password"].widget.attrs.update(
            {"autocomplete": "current-password", "class": "usa-input"}
        )
