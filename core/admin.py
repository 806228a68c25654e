from django.apps import apps
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import services
from core.models import AuditEvent, OutboxMessage

# --- names of the admin's sections -----------------------------------------------------------
# Sections that came with third-party apps, or that are named in an integration's terms, under
# names a service manager understands. Only what people read changes: migrations take a model's
# names from its Meta (`_meta.original_attrs`), never from these, so none is made.
ADMIN_SECTION_NAMES = {
    "auth": _("User accounts"),
    "cases": _("Services and SLAs"),
    "axes": _("Sign-in lockouts"),
    "otp_totp": _("Two-step verification"),
    "open311": _("Civic apps (Open311)"),
}
ADMIN_MODEL_NAMES = {
    "axes.AccessAttempt": (_("failed sign-ins of a user"), _("failed sign-ins and lockouts")),
    "axes.AccessLog": (_("sign-in"), _("sign-in history")),
    "axes.AccessFailureLog": (_("failed sign-in"), _("failed sign-in history")),
    "otp_totp.TOTPDevice": (_("authenticator app"), _("authenticator apps")),
    "open311.Open311Client": (_("app key (Open311)"), _("app keys (Open311)")),
}


def name_admin_sections() -> None:
    for label, name in ADMIN_SECTION_NAMES.items():
        apps.get_app_config(label).verbose_name = name
    for label, (singular, plural) in ADMIN_MODEL_NAMES.items():
        meta = apps.get_model(label)._meta
        meta.verbose_name, meta.verbose_name_plural = singular, plural


name_admin_sections()


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "status", "attempts", "available_at", "created_at", "last_error"]
    list_filter = ["status", "topic"]
    search_fields = ["topic", "last_error"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["requeue"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description="Requeue selected dead-lettered messages")
    def requeue(self, request, queryset):
        dead = queryset.filter(status=OutboxMessage.Status.DEAD)
        for message in dead:
            services.outbox_requeue(message=message, actor=request.user)
        self.message_user(
            request,
            ngettext("Requeued %(count)d message.", "Requeued %(count)d messages.", len(dead))
            % {"count": len(dead)},
            messages.SUCCESS,
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "ip_address",
    ]
    list_filter = ["action", "object_type", "actor_type"]
    search_fields = ["object_id", "actor_label"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
