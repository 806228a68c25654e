from django.contrib import admin

from core.admin_scoping import AgencyScopedAdmin, AgencyScopedInline
from core.scoping import scope_queryset
from visits.models import Desk, Office


class DeskInline(AgencyScopedInline, admin.TabularInline):
    model = Desk
    extra = 1
    fields = ["name", "services", "active"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = scope_queryset(
                db_field.remote_field.model._default_manager.filter(active=True),
                request.user,
                for_write=True,
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Office)
class OfficeAdmin(AgencyScopedAdmin):
    list_display = ["name", "slug", "agency", "calendar", "active"]
    list_filter = ["active", "agency"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["agency", "name", "slug", "address", "calendar", "services", "active"]
    filter_horizontal = ["services"]
    inlines = [DeskInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency", "calendar")
