"""Input shapes of `feedback`: the public feedback form, the survey form, staff triage forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from agencies.models import Agency
from cases.models import ServiceCategory
from core.forms import UswdsForm, UswdsFormMixin
from feedback import selectors
from feedback.models import FeedbackSubmission, Question, Survey

# The error summary's heading on the public feedback form and the survey.
ANSWERS_ERROR_HEADING = ngettext_lazy(
    "There is a problem with your answers", "There are %(counter)s problems with your answers",
    "counter",
)  # fmt: skip


# --- the public feedback form ---------------------------------------------------------------


class FeedbackForm(UswdsFormMixin, forms.Form):
    error_heading = ANSWERS_ERROR_HEADING

    kind = forms.ChoiceField(
        label=_("What kind of feedback is it?"),
        choices=FeedbackSubmission.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of feedback this is.")},
    )
    about = forms.ChoiceField(
        label=_("What is it about?"),
        help_text=_("Choose a department, or one of its services."),
        error_messages={"required": _("Choose what your feedback is about."),
                        "invalid_choice": _("Choose what your feedback is about.")},
    )  # fmt: skip
    case_reference = forms.CharField(
        label=_("Request reference number (optional)"),
        help_text=_("If it is about a request you made: for example CRM-2026-7K3QX9."),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "usa-input usa-input--medium",
                                      "autocomplete": "off"}),
    )  # fmt: skip
    message = forms.CharField(
        label=_("Your feedback"),
        max_length=5000,
        error_messages={"required": _("Write your feedback.")},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    contact_name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Your email address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Your phone number (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "usa-input usa-input--medium",
                                      "autocomplete": "tel", "type": "tel"}),
    )  # fmt: skip
    consent_contact = forms.BooleanField(
        label=_("You may contact me about this feedback"), required=False
    )
    consent_surveys = forms.BooleanField(
        label=_("You may email me a short survey about how you dealt with this, afterwards"),
        help_text=_("A few questions, once. You can stop surveys from any survey email."),
        required=False,
    )

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
        if (
            cleaned.get("consent_surveys")
            and not cleaned.get("contact_email")
            and "contact_email" not in self.errors
        ):
            self.add_error("contact_email", _("Enter your email address to get the survey."))
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


class SurveyForm(UswdsFormMixin, forms.Form):
    """One field per question ("q<id>"), in the survey's order; "anonymous" if allowed."""

    error_heading = ANSWERS_ERROR_HEADING

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
            )  # fmt: skip

    def _field(self, question: Question) -> forms.Field:
        Kind = Question.Kind
        label = question.display_text
        help_text = question.display_help
        required = question.required
        errors = {"required": _("Answer this question."),
                  "invalid_choice": _("Choose one of the answers.")}  # fmt: skip
        radio = forms.RadioSelect()
        if question.kind == Kind.TEXT:
            return forms.CharField(
                label=label, help_text=help_text, required=required, max_length=2000,
                error_messages=errors,
                widget=forms.Textarea(attrs={"rows": 4}),
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


# --- staff ----------------------------------------------------------------------------------


class TriageFilterForm(UswdsForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("new", _("New")), ("handled", _("Handled")), ("all", _("All"))],
    )  # fmt: skip
    kind = forms.ChoiceField(
        label=_("Kind"), required=False,
        choices=[("", _("All kinds")), *FeedbackSubmission.Kind.choices],
    )  # fmt: skip


class LinkCitizenForm(UswdsForm):
    citizen = forms.IntegerField(
        label=_("Citizen record number"),
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "usa-input usa-input--small"}),
    )


class OpenCaseForm(UswdsForm):
    category = forms.ModelChoiceField(
        label=_("Service of the new case"), queryset=ServiceCategory.objects.none()
    )

    def __init__(self, *args: Any, categories: Any, initial_category: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        if initial_category is not None:
            self.fields["category"].initial = initial_category


class ResultsFilterForm(UswdsForm):
    start = forms.DateField(
        label=_("From"), required=False,
        widget=forms.DateInput(attrs={"class": "usa-input usa-input--medium", "type": "date"}),
    )  # fmt: skip
    end = forms.DateField(
        label=_("To"), required=False,
        widget=forms.DateInput(attrs={"class": "usa-input usa-input--medium", "type": "date"}),
    )  # fmt: skip
    by = forms.ChoiceField(
        label=_("Break down by"), required=False,
        choices=[("team", _("Team")), ("category", _("Service")), ("agent", _("Agent"))],
    )  # fmt: skip
