from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.attributes import attributes_clean
from cases.models import AttributeDefinition, ServiceCategory
from core.translated import translate


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


# --- the public request form ----------------------------------------------------------------

Datatype = AttributeDefinition.Datatype
ATTRIBUTE_PREFIX = "attr_"
RADIO_LIMIT = 6  # more options than this: a select instead of radios
INPUT = "usa-input"
ERROR_CLASS = {"usa-input": "usa-input--error", "usa-textarea": "usa-input--error",
               "usa-select": "usa-input--error"}  # fmt: skip


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"


class RawListField(forms.Field):
    """Checkbox answers as submitted (a list of strings); attributes_clean judges them."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        if not value:
            return []
        return [str(v) for v in (value if isinstance(value, list | tuple) else [value])]


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


class PublicRequestForm(forms.Form):
    """Step 2 of the public request: the category's questions, description, place, contact.

    Attribute answers are passed through raw and checked by `cases.attributes.attributes_clean`
    (the same rules as every other channel); its errors land on the matching question.
    """

    description = forms.CharField(
        label=_("Description"),
        help_text=_(
            "What is the problem or what do you need? Add anything that helps us find "
            "it or deal with it."
        ),
        max_length=5000,
        error_messages={"required": _("Describe the problem or what you need.")},
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 5}),
    )
    address = forms.CharField(
        label=_("Address or place"),
        help_text=_("A street address, a crossing or a landmark."),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": INPUT, "autocomplete": "street-address"}),
    )
    latitude = CoordinateField(
        label=_("Latitude"),
        help_text=_("Optional. In decimal degrees, between -90 and 90, for example 41.878113."),
        limit=90,
        message=_("Enter a latitude between -90 and 90, for example 41.878113."),
        widget=forms.TextInput(attrs={"class": INPUT, "inputmode": "decimal"}),
    )
    longitude = CoordinateField(
        label=_("Longitude"),
        help_text=_("Optional. In decimal degrees, between -180 and 180, for example -87.629799."),
        limit=180,
        message=_("Enter a longitude between -180 and 180, for example -87.629799."),
        widget=forms.TextInput(attrs={"class": INPUT, "inputmode": "decimal"}),
    )
    address_public = forms.BooleanField(
        label=_("You may publish this address with my report on the open data feed (otherwise "
                "only the area, to about 100 metres, is shown)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )  # fmt: skip
    contact_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": INPUT, "autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send the reference number there. You need it with your reference "
                    "to check the status online."),
        required=False,
        widget=forms.EmailInput(attrs={"class": INPUT, "autocomplete": "email"}),
    )  # fmt: skip
    email_updates = forms.BooleanField(
        label=_("Email me updates about this request"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )
    # The honeypot: hidden from people (CSS class, aria-hidden, out of the tab order); bots
    # that fill every field fill it. Never rendered through the field include.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, category: ServiceCategory, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        if not category.open_data:  # nothing of this service is published: nothing to ask
            del self.fields["address_public"]
        self.definitions = [d for d in category.attributes.all()]
        self.questions = [d for d in self.definitions if d.variable]
        self.information = [
            translate(d.description) or translate(d.label)
            for d in self.definitions
            if not d.variable
        ]
        attribute_fields = {
            ATTRIBUTE_PREFIX + d.code: self._attribute_field(d) for d in self.questions
        }
        # The category's questions come first, then the fixed fields.
        self.fields = {**attribute_fields, **self.fields}
        for name, bound in ((n, self[n]) for n in self.fields):
            if not hasattr(bound.field, "question_required"):
                bound.field.question_required = bound.field.required  # what the page marks
            if bound.help_text and name != "website":
                self._describe(name, f"{bound.auto_id}-hint")

    # --- construction -----------------------------------------------------------------------

    def _attribute_field(self, definition: AttributeDefinition) -> forms.Field:
        label = translate(definition.label) or definition.code
        help_text = translate(definition.description)
        if definition.datatype == Datatype.DATETIME and not help_text:
            help_text = _("For example 2026-05-01 14:30.")
        attrs: dict = {"required": True} if definition.required else {}
        datatype = definition.datatype
        if datatype == Datatype.TEXT:
            widget = forms.Textarea(attrs={**attrs, "class": "usa-textarea", "rows": 4})
        elif datatype == Datatype.NUMBER:
            widget = forms.NumberInput(
                attrs={**attrs, "class": f"{INPUT} usa-input--small", "step": "any"}
            )
        elif datatype == Datatype.DATETIME:
            widget = DateTimeLocalInput(attrs={**attrs, "class": f"{INPUT} usa-input--medium"})
        elif datatype == Datatype.SINGLEVALUELIST:
            choices = definition.choices()
            if len(choices) <= RADIO_LIMIT:
                widget = forms.RadioSelect(
                    attrs={**attrs, "class": "usa-radio__input"}, choices=choices
                )
            else:
                widget = forms.Select(
                    attrs={**attrs, "class": "usa-select"},
                    choices=[("", _("- Select -")), *choices],
                )
        elif datatype == Datatype.MULTIVALUELIST:
            field = RawListField(
                label=label,
                help_text=help_text,
                required=False,
                widget=forms.CheckboxSelectMultiple(
                    attrs={"class": "usa-checkbox__input"}, choices=definition.choices()
                ),
            )
        else:
            widget = forms.TextInput(attrs={**attrs, "class": INPUT})
        if datatype != Datatype.MULTIVALUELIST:
            field = forms.CharField(
                label=label, help_text=help_text, required=False, widget=widget, strip=False
            )  # attributes_clean strips and measures the answer itself
        # Not `required`: an empty answer must reach attributes_clean, whose message it shows.
        field.question_required = definition.required
        return field

    # --- validation -------------------------------------------------------------------------

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def attribute_values(self) -> dict:
        """The answers, raw, keyed by attribute code (for attributes_clean / case_create)."""
        values = {}
        for definition in self.questions:
            value = self.cleaned_data.get(ATTRIBUTE_PREFIX + definition.code)
            if value not in (None, "", []):
                values[definition.code] = value
        return values

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
        try:
            attributes_clean(
                self.definitions, self.attribute_values(), timezone=self.category.agency.timezone
            )
        except ValidationError as exc:
            self.add_service_errors(exc)
        return cleaned

    SERVICE_FIELDS = {"reporter_email": "contact_email", "reporter_name": "contact_name"}

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (attribute codes included)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, errors in exc.error_dict.items():
            name = self.SERVICE_FIELDS.get(key, key)
            if ATTRIBUTE_PREFIX + key in self.fields:
                name = ATTRIBUTE_PREFIX + key
            messages = ValidationError(errors).messages
            if name in self.fields and name != "website":
                if name not in self.errors:
                    self.add_error(name, messages)
            else:
                self.add_error(None, messages)
        self._mark_errors()

    def full_clean(self):
        super().full_clean()
        self._mark_errors()

    def _mark_errors(self) -> None:
        """Fields in error say so to assistive technology and show the USWDS error style."""
        for name in self._errors or {}:
            if name not in self.fields:
                continue
            self._describe(name, f"{self[name].auto_id}-error")
            widget = self.fields[name].widget
            widget.attrs["aria-invalid"] = "true"
            classes = widget.attrs.get("class", "").split()
            error_class = ERROR_CLASS.get(classes[0] if classes else "")
            if error_class and error_class not in classes:
                widget.attrs["class"] = " ".join([*classes, error_class])

    def _describe(self, name: str, element_id: str) -> None:
        if isinstance(self.fields[name].widget, forms.RadioSelect):
            return  # a group of options: its fieldset carries the description
        attrs = self.fields[name].widget.attrs
        ids = [i for i in attrs.get("aria-describedby", "").split() if i != element_id]
        attrs["aria-describedby"] = " ".join([*ids, element_id])

    # --- rendering helpers --------------------------------------------------------------------

    def error_summary(self) -> list[dict]:
        """One entry per field error, each linking to its field, in the order of the form."""
        entries = [{"anchor": "", "label": "", "message": m} for m in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors:
                bound = self[name]
                anchor = bound.auto_id
                if isinstance(bound.field.widget, forms.RadioSelect):
                    anchor = f"{bound.auto_id}_0"
                for message in self.errors[name]:
                    entries.append({"anchor": anchor, "label": bound.label, "message": message})
        return entries

    def question_fields(self) -> list[forms.BoundField]:
        return [self[ATTRIBUTE_PREFIX + d.code] for d in self.questions]
