from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from cases import services
from cases.models import ServiceCategory
from cases.questions import QuestionsMixin
from cases.uploads import photo_clean
from citizens.normalise import InvalidPhoneNumber, normalise_phone
from core.forms import FORM_ERROR_HEADING, UswdsForm, UswdsFormMixin
from core.translated import translate


class StatusLookupForm(UswdsForm):
    reference = forms.CharField(
        label=_("Reference number"),
        help_text=_("For example CRM-2026-7K3QX9. It is in the email we sent you."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email address you gave us"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


# --- the public request form ----------------------------------------------------------------


class CoordinateField(forms.DecimalField):
    """Decimal degrees, with a comma accepted as the decimal mark; rounded to 6 places."""

    def __init__(self, *, limit: int, message, **kwargs):
        self.limit_message = message
        super().__init__(required=False, **kwargs)
        self.limit = Decimal(limit)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        try:
            number = super().to_python(value)
        except ValidationError:
            raise ValidationError(self.limit_message, code="invalid") from None
        if number is None:
            return None
        if not number.is_finite() or not -self.limit <= number <= self.limit:
            raise ValidationError(self.limit_message, code="range")
        return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)

    def validate(self, value):
        pass  # range checked in to_python, with one clear message

    def run_validators(self, value):
        pass


MAX_PHOTOS = 3


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS images, each checked by its content and written anew without its
    metadata (cases.uploads.photo_clean); cleaned to the list of clean files."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"multiple": True, "accept": "image/*"})
        )
        super().__init__(required=False, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                ngettext(
                    "Choose at most %(limit)s photo.", "Choose at most %(limit)s photos.",
                    MAX_PHOTOS,
                ) % {"limit": MAX_PHOTOS},
                code="too_many",
            )  # fmt: skip
        cleaned, errors = [], []
        for upload in files:
            name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:100]
            try:
                cleaned.append(photo_clean(upload))
            except ValidationError as exc:
                errors += [f"{name}: {message}" if name else message for message in exc.messages]
        if errors:
            raise ValidationError(errors)
        return cleaned


class PublicRequestForm(QuestionsMixin, UswdsFormMixin, forms.Form):
    """Step 2 of the public request: the category's questions, description, place, contact.

    Attribute answers are passed through raw and checked by `cases.attributes.attributes_clean`
    (the same rules as every other channel); its errors land on the matching question.
    """

    error_heading = ngettext_lazy(
        "There is a problem with your request", "There are %(counter)s problems with your request",
        "counter",
    )  # fmt: skip
    service_fields = {"reporter_email": "contact_email", "reporter_name": "contact_name"}

    description = forms.CharField(
        label=_("Description"),
        help_text=_(
            "What is the problem or what do you need? Add anything that helps us find "
            "it or deal with it."
        ),
        max_length=5000,
        error_messages={"required": _("Describe the problem or what you need.")},
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    address = forms.CharField(
        label=_("Address or place"),
        help_text=_("A street address, a crossing or a landmark."),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = CoordinateField(
        label=_("Latitude"),
        help_text=_("In decimal degrees, between -90 and 90, for example 41.878113."),
        limit=90,
        message=_("Enter a latitude between -90 and 90, for example 41.878113."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    longitude = CoordinateField(
        label=_("Longitude"),
        help_text=_("In decimal degrees, between -180 and 180, for example -87.629799."),
        limit=180,
        message=_("Enter a longitude between -180 and 180, for example -87.629799."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    address_public = forms.BooleanField(
        label=_("You may publish this address with my report on the open data feed (otherwise "
                "only the area, to about 100 metres, is shown)"),
        required=False,
    )  # fmt: skip
    photos = PhotosField(label=_("Choose photos"))  # help text in __init__: it counts
    contact_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send the reference number there. You need it with your reference "
                    "to check the status online."),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    contact_phone = forms.CharField(
        label=_("Your phone number"),
        help_text=_("Optional. If we need to call you about this request."),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    email_updates = forms.BooleanField(
        label=_("Email me updates about this request"),
        required=False,
    )
    consent_surveys = forms.BooleanField(
        label=_("You may email me a short survey about how you handled my request, after it "
                "is closed"),
        help_text=_("A few questions, once. You can stop surveys from any survey email."),
        required=False,
    )  # fmt: skip

    def __init__(self, *args, category: ServiceCategory, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.fields["photos"].help_text = ngettext(
            "Optional. Up to %(count)s photo (JPEG, PNG, GIF or WebP). We remove the location "
            "and camera details stored inside photos before we keep them.",
            "Optional. Up to %(count)s photos (JPEG, PNG, GIF or WebP). We remove the location "
            "and camera details stored inside photos before we keep them.",
            MAX_PHOTOS,
        ) % {"count": MAX_PHOTOS}
        if not category.open_data:  # nothing of this service is published: nothing to ask
            del self.fields["address_public"]
        definitions = list(category.attributes.all())
        self.information = [
            translate(d.description) or translate(d.label) for d in definitions if not d.variable
        ]
        # The category's questions come first, then the fixed fields.
        self.fields = {**self.add_questions(definitions), **self.fields}

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            missing = "longitude" if latitude is not None else "latitude"
            if missing not in self.errors:
                self.add_error(missing, _("Give both latitude and longitude, or neither."))
        wants_updates = cleaned.get("email_updates") and not cleaned.get("contact_email")
        if wants_updates and "contact_email" not in self.errors:
            self.add_error("contact_email", _("Enter your email address to get updates by email."))
        wants_survey = cleaned.get("consent_surveys") and not cleaned.get("contact_email")
        if wants_survey and "contact_email" not in self.errors:
            self.add_error("contact_email", _("Enter your email address to get the survey."))
        self.questions_clean(timezone=self.category.agency.timezone)
        if not any(name in self.errors for name in ("address", "latitude", "longitude")):
            try:  # the service's rule, said here with the form's other errors
                services.case_location_check(
                    category=self.category, address=cleaned.get("address", ""),
                    latitude=cleaned.get("latitude"), longitude=cleaned.get("longitude"),
                )  # fmt: skip
            except ValidationError as exc:
                self.add_service_errors(exc)
        return cleaned

    def clean_contact_phone(self) -> str:
        raw = self.cleaned_data.get("contact_phone", "").strip()
        try:
            return normalise_phone(raw)
        except InvalidPhoneNumber:
            raise ValidationError(
                _("Enter a phone number we can call, for example (312) 555-0142."),
                code="invalid",
            ) from None

    @property
    def photos_chosen(self) -> bool:
        """Photos were sent but the form comes back: a browser cannot keep a chosen file."""
        return self.is_bound and bool(self.files.getlist("photos"))


class FollowForm(UswdsForm):
    """ "This is my problem too": be kept informed about a report someone else made."""

    error_heading = FORM_ERROR_HEADING  # the page shows the error summary

    name = forms.CharField(
        label=_("Your name"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("Your email address"), max_length=254,
        help_text=_("We email you when the problem is fixed or there is news about it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    consent_surveys = forms.BooleanField(
        label=_("You may email me a short survey about how you handled this problem, after it "
                "is closed"),
        help_text=_("A few questions, once. You can stop surveys from any survey email."),
        required=False,
    )  # fmt: skip
