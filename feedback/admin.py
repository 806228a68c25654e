"""Configuration screens of `feedback`: survey definitions (per agency), and read-only views of
feedback and invitations for support."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_forms import CodeFromTextMixin, OptionsFormField
from core.admin_scoping import AgencyScopedAdmin, AgencyScopedInline
from core.translated import translate
from feedback import survey_services
from feedback.models import FeedbackSubmission, Question, Survey, SurveyInvitation


class QuestionForm(CodeFromTextMixin, forms.ModelForm):
    code_source = "text"

    choices = OptionsFormField(
        label_key="label",
        shown_for=("kind", [Question.Kind.CHOICE]),
        label=_("Options"),
        help_text=_(
            "For “Single choice”: one row per option. The value is stored with each answer "
            "(left empty, it is made from the English label). Empty a row to remove it."
        ),
    )

    class Meta:
        model = Question
        fields = ["order", "code", "kind", "is_resolution", "text", "help_text", "choices",
                  "required"]  # fmt: skip
        labels = {
            "order": _("Order"),
            "code": _("Code"),
            "kind": _("Answer type"),
            "is_resolution": _("“Was your request resolved?”"),
            "text": _("Question"),
            "help_text": _("Hint"),
            "required": _("An answer is required"),
        }
        help_texts = {
            "code": _(
                "A short name that never changes, e.g. “csat”: the column of the CSV export. "
                "Left empty, it is made from the English question."
            ),
            "is_resolution": _("The built-in question: a “no” reopens the case."),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != Question.Kind.CHOICE:
            # Options belong to "Single choice" only (the table is hidden for the others).
            self.errors.pop("choices", None)
            cleaned["choices"] = []
        elif not cleaned.get("choices") and "choices" not in self.errors:
            self.add_error("choices", _("Give at least one option to pick from."))
        return cleaned


class QuestionInline(AgencyScopedInline, admin.StackedInline):
    model = Question
    form = QuestionForm
    extra = 0


class SurveyAdminForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["agency", "name", "title", "intro", "categories", "is_default",
                  "allow_anonymous", "active"]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        agency_id = cleaned["agency"].pk if cleaned.get("agency") else self.instance.agency_id
        foreign = [c for c in cleaned.get("categories") or [] if c.agency_id != agency_id]
        if agency_id and foreign:
            self.add_error("categories", _("Choose services of the survey's own agency."))
        return cleaned


@admin.register(Survey)
class SurveyAdmin(AgencyScopedAdmin):
    form = SurveyAdminForm
    list_display = ["name", "agency", "display_title", "is_default", "active", "allow_anonymous"]
    list_filter = ["active", "is_default", "agency"]
    search_fields = ["name"]
    filter_horizontal = ["categories"]
    inlines = [QuestionInline]

    @admin.display(description="title")
    def display_title(self, obj: Survey) -> str:
        return translate(obj.title)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Every survey asks the built-in "Was your request resolved?" question.
        survey_services.survey_ensure_builtin_question(survey=form.instance, actor=request.user)


@admin.register(FeedbackSubmission)
class FeedbackSubmissionAdmin(AgencyScopedAdmin):
    list_display = ["id", "kind", "agency", "status", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in FeedbackSubmission._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(AgencyScopedAdmin):
    list_display = ["id", "case", "survey", "status", "attempts", "send_after", "sent_at",
                    "last_error"]  # fmt: skip
    list_filter = ["status"]
    readonly_fields = [f.name for f in SurveyInvitation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
