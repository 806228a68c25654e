from django.contrib import admin, messages

from core import services
from core.models import AuditEvent, OutboxMessage


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
        self.message_user(request, f"Requeued {len(dead)} message(s).", messages.SUCCESS)


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
