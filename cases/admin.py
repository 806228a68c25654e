"""Configuration screens of `cases`: the service catalogue and its questions, SLA policies."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from cases.models import AttributeDefinition, ServiceCategory, SlaEscalationLevel, SlaPolicy
from core.admin_scoping import AgencyScopedAdmin, AgencyScopedInline
from core.scoping import user_agency_id
from core.translated import translate


class AttributeDefinitionInline(admin.StackedInline):
    model = AttributeDefinition
    extra = 0
    fields = ["code", "label", "description", "datatype", "required", "order", "values",
              "variable"]  # fmt: skip


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(AgencyScopedAdmin):
    list_display = ["code", "display_name", "group_name", "owning_team", "default_priority",
                    "active", "public"]  # fmt: skip
    list_filter = ["active", "public", "default_priority", "owning_team"]
    search_fields = ["code", "keywords"]
    inlines = [AttributeDefinitionInline]

    @admin.display(description="name")
    def display_name(self, obj: ServiceCategory) -> str:
        return translate(obj.name)

    @admin.display(description="group")
    def group_name(self, obj: ServiceCategory) -> str:
        return translate(obj.group)


class SlaEscalationLevelInline(AgencyScopedInline, admin.TabularInline):
    model = SlaEscalationLevel
    extra = 0
    fields = ["level", "after_minutes", "notify", "reassign_team", "reassign_user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reassign_user" and not request.user.is_superuser:
            kwargs["queryset"] = get_user_model().objects.filter(
                is_active=True, staff_profile__agency_id=user_agency_id(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AgencyScopedAdmin):
    """Targets per category and priority; empty category/priority = the agency-wide default.

    Changes apply to new cases, and to open cases at their next change (priority, category,
    team, status): their deadlines are then recomputed from the time already consumed.
    """

    list_display = ["name", "agency", "category", "priority", "first_response_minutes",
                    "resolution_minutes", "warning_percent", "business_hours", "active",
                    "level_count"]  # fmt: skip
    list_filter = ["active", "business_hours", "priority", "agency"]
    search_fields = ["name"]
    list_select_related = ["agency", "category"]
    fields = ["agency", "name", "category", "priority", "first_response_minutes",
              "resolution_minutes", "warning_percent", "business_hours", "active"]  # fmt: skip
    inlines = [SlaEscalationLevelInline]

    @admin.display(description="escalation levels")
    def level_count(self, obj: SlaPolicy) -> int:
        return obj.escalations.count()
