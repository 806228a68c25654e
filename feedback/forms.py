"""Input shapes of `feedback`: the public feedback form, the survey form, staff triage forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from cases.models import ServiceCategory
from feedback import selectors
from feedback.models import FeedbackSubmission, Question, Survey

INPUT = "usa-input"
ERROR_CLASS = {"usa-input": "usa-input--error", "usa-textarea": "usa-input--error",
               "usa-select": "usa-input--error"}  # fmt: skip


class AccessibleFormMixin:
    """Hints and errors announced with their field (aria-describedby, aria-invalid), and an
    error summary whose entries link to the fields (the pattern of the public request form)."""

    def _describe(self, name: str, element_id: str) -> None:
        attrs = self.fields[name].widget.attrs
        ids = [i for i in attrs.get("aria-describedby", "").split() if i != element_id]
        attrs["aria-describedby"] = " ".join([*ids, element_id])

    def describe_hints(self) -> None:
        for name in self.fields:
            bound = self[name]
            if bound.help_text and name != "website":
                self._describe(name, f"{bound.auto_id}-hint")

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self._describe(name, f"{self[name].auto_id}-error")
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                base = widget.attrs.get("class", "").split(" ")[0]
                if base in ERROR_CLASS:
                    widget.attrs["class"] += f" {ERROR_CLASS[base]}"

    def error_summary(self) -> list[dict]:
        if not self.is_bound:
            return []
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

    def add_service_errors(self, exc: Any) -> None:
        """A service's ValidationError on the matching fields, else on the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, errors in exc.error_dict.items():
            messages = forms.ValidationError(errors).messages
            if key in self.fields and key not in self.errors and key != "website":
                self.add_error(key, messages)
            else:
                self.add_error(None, messages)


# --- the public feedback form ---------------------------------------------------------------


class FeedbackForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of feedback is it?"),
        choices=FeedbackSubmission.Kind.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": _("Choose what kind of feedback this is.")},
    )
    about = forms.ChoiceField(
        label=_("What is it about?"),
        help_text=_("Choose a department, or one of its services."),
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"required": _("Choose what your feedback is about."),
                        "invalid_choice": _("Choose what your feedback is about.")},
    )  # fmt: skip
    case_reference = forms.CharField(
        label=_("Request reference number (optional)"),
        help_text=_("If it is about a request you made: for example CRM-2026-7K3QX9."),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": f"{INPUT} usa-input--medium",
                                      "autocomplete": "off"}),
    )  # fmt: skip
    message = forms.CharField(
        label=_("Your feedback"),
        max_length=5000,
        error_messages={"required": _("Write your feedback.")},
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 6}),
    )
    contact_name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": INPUT, "autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Your email address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"class": INPUT, "autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Your phone number (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": f"{INPUT} usa-input--medium",
                                      "autocomplete": "tel", "type": "tel"}),
    )  # fmt: skip
    consent_contact = forms.BooleanField(
        label=_("You may contact me about this feedback"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )
    # The honeypot: hidden from people (CSS class, aria-hidden, out of the tab order); bots
    # that fill every field fill it.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = selectors.feedback_form_choices()
        choices: list[Any] = [("", _("- Select -"))]
        for group in self.groups:
            options = [(f"a{group.agency.pk}", _("%(agency)s: in general")
                        % {"agency": group.agency.name})]  # fmt: skip
            options += [(f"c{c.pk}", c.display_name) for c in group.categories]
            choices.append((group.agency.name, options))
        self.fields["about"].choices = choices
        self.describe_hints()

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        about = cleaned.get("about") or ""
        agency = category = None
        if about.startswith("a"):
            agency = Agency.objects.filter(pk=_int(about[1:])).first()
        elif about.startswith("c"):
            category = (
                ServiceCategory.objects.filter(pk=_int(about[1:]), active=True, public=True)
                .select_related("agency")
                .first()
            )
            agency = category.agency if category else None
        if about and agency is None and "about" not in self.errors:
            self.add_error("about", _("Choose what your feedback is about."))
        reference = (cleaned.get("case_reference") or "").strip()
        if agency is not None and category is None and reference:
            # General feedback with a reference: it goes to the agency that owns the case.
            case = selectors.case_by_reference(reference)
            if case is not None:
                agency = case.agency
        cleaned["agency"], cleaned["category"] = agency, category
        has_contact = cleaned.get("contact_email") or (cleaned.get("contact_phone") or "").strip()
        if (
            cleaned.get("consent_contact")
            and not has_contact
            and "contact_email" not in self.errors
        ):
            self.add_error(
                "contact_email", _("Give an email address or a phone number so we can reply.")
            )
        return cleaned


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


# --- the survey -----------------------------------------------------------------------------

CSAT_LABELS = {
    1: _("Very dissatisfied (1)"),
    2: _("Dissatisfied (2)"),
    3: _("Neither satisfied nor dissatisfied (3)"),
    4: _("Satisfied (4)"),
    5: _("Very satisfied (5)"),
}


class SurveyForm(AccessibleFormMixin, forms.Form):
    """One field per question ("q<id>"), in the survey's order; "anonymous" if allowed."""

    def __init__(self, *args: Any, survey: Survey, questions: list[Question], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field(question)
        if survey.allow_anonymous:
            self.fields["anonymous"] = forms.BooleanField(
                label=_("Answer anonymously"),
                help_text=_("Your answers are not linked to you or your request, so we cannot "
                            "reopen your request if you tell us it was not resolved. To have it "
                            "reopened, leave this unticked."),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
            )  # fmt: skip
        self.describe_hints()

    def _field(self, question: Question) -> forms.Field:
        Kind = Question.Kind
        label = question.display_text
        help_text = question.display_help
        required = question.required
        errors = {"required": _("Answer this question."),
                  "invalid_choice": _("Choose one of the answers.")}  # fmt: skip
        radio = forms.RadioSelect(attrs={"class": "usa-radio__input"})
        if question.kind == Kind.TEXT:
            return forms.CharField(
                label=label, help_text=help_text, required=required, max_length=2000,
                error_messages=errors,
                widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4}),
            )  # fmt: skip
        if question.kind == Kind.CSAT:
            choices = [(str(k), v) for k, v in CSAT_LABELS.items()]
        elif question.kind == Kind.NPS:
            choices = [(str(k), str(k)) for k in range(11)]
            help_text = help_text or _("0 means not at all likely, 10 means extremely likely.")
        elif question.kind == Kind.YES_NO:
            choices = [("1", _("Yes")), ("0", _("No"))]
            if question.is_resolution and not help_text:
                help_text = _("If you answer “No”, we reopen your request.")
        else:
            choices = question.choice_options()
        field = forms.ChoiceField(label=label, help_text=help_text, required=required,
                                  choices=choices, widget=radio, error_messages=errors)  # fmt: skip
        field.inline = question.kind in (Kind.NPS, Kind.YES_NO)
        return field

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q{q.pk}"] for q in self.questions]

    def add_service_errors(self, exc: Any) -> None:
        if hasattr(exc, "error_dict"):
            for key, errors in exc.error_dict.items():
                if key in self.fields and key not in self.errors:
                    self.add_error(key, forms.ValidationError(errors).messages)
                elif key not in self.fields:
                    self.add_error(None, forms.ValidationError(errors).messages)
            return
        self.add_error(None, exc.messages)


# --- staff ----------------------------------------------------------------------------------


class TriageFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("new", _("New")), ("handled", _("Handled")), ("all", _("All"))],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )  # fmt: skip
    kind = forms.ChoiceField(
        label=_("Kind"), required=False,
        choices=[("", _("All kinds")), *FeedbackSubmission.Kind.choices],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )  # fmt: skip


class LinkCitizenForm(forms.Form):
    citizen = forms.IntegerField(
        label=_("Citizen record number"),
        min_value=1,
        widget=forms.NumberInput(attrs={"class": f"{INPUT} usa-input--small"}),
    )


class OpenCaseForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Service of the new case"),
        queryset=ServiceCategory.objects.none(),
        widget=forms.Select(attrs={"class": "usa-select"}),
    )

    def __init__(self, *args: Any, categories: Any, initial_category: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        if initial_category is not None:
            self.fields["category"].initial = initial_category


class ResultsFilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False,
        widget=forms.DateInput(attrs={"class": f"{INPUT} usa-input--medium", "type": "date"}),
    )  # fmt: skip
    end = forms.DateField(
        label=_("To"), required=False,
        widget=forms.DateInput(attrs={"class": f"{INPUT} usa-input--medium", "type": "date"}),
    )  # fmt: skip
    by = forms.ChoiceField(
        label=_("Break down by"), required=False,
        choices=[("team", _("Team")), ("category", _("Service")), ("agent", _("Agent"))],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )  # fmt: skip
