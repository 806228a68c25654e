from django.contrib import admin

from agencies.models import Agency, StaffMember


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "preferred_language"]
    list_filter = ["agency", "role"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["agency"]
