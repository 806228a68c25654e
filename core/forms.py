from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=100)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor = forms.CharField(label=_("Done by (username)"), required=False, max_length=150)
    since = forms.DateField(label=_("From date"), required=False)
    until = forms.DateField(label=_("To date"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "usa-input"
            if isinstance(field, forms.DateField):
                field.widget.input_type = "date"
            if name == "object_type":
                field.help_text = _("For example citizens.citizen")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data
