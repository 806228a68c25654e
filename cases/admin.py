"""Configuration screens of `cases`: the service catalogue and its questions."""

from django.contrib import admin

from cases.models import AttributeDefinition, ServiceCategory
from core.admin_scoping import AgencyScopedAdmin
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
