"""Configuration screens of `cases`: the service catalogue and its questions, SLA policies.

Worded for the service manager who fills them in: "question" rather than Open311's
"attribute definition", options as rows rather than JSON, targets in hours and minutes.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cases.models import (
    AttributeDefinition,
    CannedReply,
    ServiceCategory,
    SlaEscalationLevel,
    SlaPolicy,
)
from core.admin_forms import (
    BusinessDurationField,
    CodeFromTextMixin,
    OptionsFormField,
    format_minutes,
)
from core.admin_scoping import AgencyScopedAdmin, AgencyScopedInline
from core.scoping import user_agency_id
from core.translated import translate

LIST_TYPES = {
    AttributeDefinition.Datatype.SINGLEVALUELIST,
    AttributeDefinition.Datatype.MULTIVALUELIST,
}


# --- service categories and their questions --------------------------------------------------


class QuestionForm(CodeFromTextMixin, forms.ModelForm):
    """A question asked when a case is opened in the service (an AttributeDefinition)."""

    code_source = "label"

    values = OptionsFormField(
        label_key="name",
        shown_for=("datatype", sorted(LIST_TYPES)),
        label=_("Options"),
        help_text=_(
            "For “Pick one” and “Pick any”: one row per option. The value is stored with each "
            "answer (left empty, it is made from the English label). Empty a row to remove it."
        ),
    )

    class Meta:
        model = AttributeDefinition
        fields = ["code", "label", "description", "datatype", "values", "required", "variable",
                  "order"]  # fmt: skip
        labels = {
            "code": _("Code"),
            "label": _("Question"),
            "description": _("Hint"),
            "datatype": _("Answer type"),
            "required": _("An answer is required"),
            "variable": _("The citizen answers it"),
            "order": _("Order"),
        }
        help_texts = {
            "code": _(
                "A short name that never changes, e.g. “size”: lower-case letters, digits and "
                "hyphens. Apps and exports use it. Left empty, it is made from the English "
                "question."
            ),
            "description": _("Shown under the question."),
            "variable": _("Off: the question is shown as information only, with no answer."),
            "order": _("Questions are asked in this order, lowest first."),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("datatype") not in LIST_TYPES:
            # Options belong to "Pick one"/"Pick any" only (the table is hidden for the others).
            self.errors.pop("values", None)
            cleaned["values"] = []
        elif not cleaned.get("values") and "values" not in self.errors:
            self.add_error("values", _("Give at least one option to pick from."))
        return cleaned


class QuestionInline(AgencyScopedInline, admin.StackedInline):
    model = AttributeDefinition
    form = QuestionForm
    extra = 0
    verbose_name = _("question")
    verbose_name_plural = _("questions asked with a request")


class ServiceCategoryForm(CodeFromTextMixin, forms.ModelForm):
    class Meta:
        model = ServiceCategory
        fields = ["agency", "code", "name", "description", "group", "keywords", "owning_team",
                  "default_priority", "active", "public", "open_data", "order"]  # fmt: skip
        labels = {"code": _("Code"), "order": _("Order")}
        help_texts = {
            "code": _(
                "A short name that never changes, e.g. “pothole”: lower-case letters, digits "
                "and hyphens. Apps and links use it. Left empty, it is made from the English "
                "name."
            ),
            "order": _("Services are listed in this order, lowest first."),
        }


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(AgencyScopedAdmin):
    form = ServiceCategoryForm
    list_display = ["code", "display_name", "group_name", "owning_team", "default_priority",
                    "active", "public"]  # fmt: skip
    list_filter = ["active", "public", "default_priority", "owning_team"]
    search_fields = ["code", "keywords"]
    fieldsets = [
        (None, {"fields": ["agency", "code", "name", "description", "group", "keywords"]}),
        (_("Handling"), {"fields": ["owning_team", "default_priority", "location_required"]}),
        (_("Offered"), {"fields": ["active", "public", "open_data", "order"]}),
    ]
    inlines = [QuestionInline]

    @admin.display(description=_("name"))
    def display_name(self, obj: ServiceCategory) -> str:
        return translate(obj.name)

    @admin.display(description=_("group"))
    def group_name(self, obj: ServiceCategory) -> str:
        return translate(obj.group)


# --- SLA policies ----------------------------------------------------------------------------


class SlaEscalationLevelForm(forms.ModelForm):
    after_minutes = BusinessDurationField(
        label=_("After the resolution target is missed by"),
        help_text=_("Hours and minutes of business time."),
    )

    class Meta:
        model = SlaEscalationLevel
        fields = ["level", "after_minutes", "notify", "reassign_team", "reassign_user"]


class SlaEscalationLevelInline(AgencyScopedInline, admin.TabularInline):
    model = SlaEscalationLevel
    form = SlaEscalationLevelForm
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reassign_user" and not request.user.is_superuser:
            kwargs["queryset"] = get_user_model().objects.filter(
                is_active=True, staff_profile__agency_id=user_agency_id(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SlaPolicyForm(forms.ModelForm):
    first_response_minutes = BusinessDurationField(
        required=False,
        label=_("First response target"),
        help_text=_(
            "Hours and minutes of business time: counted in the team calendar's opening hours, "
            "or round the clock when “count business hours only” is off. Met by the first "
            "public update or outbound contact. Empty: no target."
        ),
    )
    resolution_minutes = BusinessDurationField(
        required=False,
        label=_("Resolution target"),
        help_text=_(
            "Hours and minutes of business time, counted as above. Time waiting on the citizen "
            "does not count. Empty: no target."
        ),
    )

    class Meta:
        model = SlaPolicy
        fields = ["agency", "name", "category", "priority", "first_response_minutes",
                  "resolution_minutes", "warning_percent", "business_hours", "active"]  # fmt: skip
        labels = {"category": _("Service")}
        help_texts = {"category": _("Empty: every service of the agency.")}


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AgencyScopedAdmin):
    """Targets per category and priority; empty category/priority = the agency-wide default.

    Changes apply to new cases, and to open cases at their next change (priority, category,
    team, status): their deadlines are then recomputed from the time already consumed.
    """

    form = SlaPolicyForm
    list_display = ["name", "agency", "category_name", "priority_name", "first_response_target",
                    "resolution_target", "counting", "active", "level_count"]  # fmt: skip
    list_filter = ["active", "business_hours", "priority", "agency", "category"]
    search_fields = ["name"]
    list_select_related = ["agency", "category"]
    fields = ["agency", "name", "category", "priority", "first_response_minutes",
              "resolution_minutes", "warning_percent", "business_hours", "active"]  # fmt: skip
    inlines = [SlaEscalationLevelInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("escalations")

    @admin.display(description=_("service"), ordering="category")
    def category_name(self, obj: SlaPolicy) -> str:
        return str(obj.category) if obj.category_id else _("every service")

    @admin.display(description=_("priority"), ordering="priority")
    def priority_name(self, obj: SlaPolicy) -> str:
        return obj.get_priority_display() if obj.priority else _("every priority")

    @admin.display(description=_("first response"), ordering="first_response_minutes")
    def first_response_target(self, obj: SlaPolicy) -> str:
        return format_minutes(obj.first_response_minutes)

    @admin.display(description=_("resolution"), ordering="resolution_minutes")
    def resolution_target(self, obj: SlaPolicy) -> str:
        return format_minutes(obj.resolution_minutes)

    @admin.display(description=_("counted in"), ordering="business_hours")
    def counting(self, obj: SlaPolicy) -> str:
        return _("business hours") if obj.business_hours else _("round the clock")

    @admin.display(description=_("escalation levels"))
    def level_count(self, obj: SlaPolicy) -> int:
        return len(obj.escalations.all())


# --- saved replies ---------------------------------------------------------------------------


@admin.register(CannedReply)
class CannedReplyAdmin(AgencyScopedAdmin):
    list_display = ["title", "languages", "team", "category", "active"]
    list_filter = ["active", "team"]
    search_fields = ["title"]
    fields = ["agency", "title", "body", "team", "category", "active"]

    @admin.display(description=_("languages"))
    def languages(self, obj: CannedReply) -> str:
        return ", ".join(code for code, text in (obj.body or {}).items() if text) or "—"
