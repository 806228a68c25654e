from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import audit_presenters, services
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


class AuditKindFilter(admin.SimpleListFilter):
    """The kinds of action the audit page offers, in words (not a list of codes)."""

    title = _("what happened")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = ((kind.key, str(kind.label)) for kind in audit_presenters.action_kinds())
        return sorted(kinds, key=lambda pair: pair[1].casefold())

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        condition = audit_presenters.action_kind_filter(self.value())
        return queryset.filter(condition) if condition is not None else queryset.none()


class AuditChangeList(ChangeList):
    """Presents a page of rows in words at once (one query per kind of object, not per row)."""

    def get_results(self, request):
        super().get_results(request)
        rows = audit_presenters.present_events(self.result_list, viewer=request.user)
        for event, row in zip(self.result_list, rows, strict=True):
            event.audit_row = row


def _row(request, event: AuditEvent) -> audit_presenters.AuditRow:
    row = event.audit_row = audit_presenters.present_events([event], viewer=request.user)[0]
    return row


def _named(named: audit_presenters.Named):
    if named.url:
        return format_html('<a href="{}">{}</a>', named.url, named.label)
    return named.label


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "who", "what", "on", "changes_in_words", "ip_address"]
    list_filter = [AuditKindFilter, "actor_type", "occurred_at"]
    list_select_related = ["actor_user"]
    search_fields = ["object_id", "actor_label"]
    readonly_fields = ["what", "who", "on", "changes_in_words", "behind_it"] + [
        f.name for f in AuditEvent._meta.fields
    ]

    def get_changelist(self, request, **kwargs):
        return AuditChangeList

    def get_object(self, request, object_id, from_field=None):
        event = super().get_object(request, object_id, from_field)
        if event is not None:  # its page reads it in words, as its reader may see it
            _row(request, event)
        return event

    @staticmethod
    def _present(event: AuditEvent) -> audit_presenters.AuditRow:
        row = getattr(event, "audit_row", None)
        if row is None:  # not shown through the change list or get_object: no links
            row = event.audit_row = audit_presenters.present_events([event], viewer=None)[0]
        return row

    @admin.display(description=_("what happened"))
    def what(self, event: AuditEvent) -> str:
        return self._present(event).what

    @admin.display(description=_("who"), ordering="actor_label")
    def who(self, event: AuditEvent) -> str:
        return _named(self._present(event).who)

    @admin.display(description=_("on what"))
    def on(self, event: AuditEvent) -> str:
        row = self._present(event)
        return format_html("{} {}", capfirst(row.noun), _named(row.subject))

    @admin.display(description=_("changes"))
    def changes_in_words(self, event: AuditEvent) -> str:
        lines = self._present(event).changes
        return format_html_join(
            mark_safe("<br>"), "{}: {}{}",
            ((line.label, f"{line.before.label} → " if line.before else "", line.after.label)
             for line in lines),
        )  # fmt: skip

    @admin.display(description=_("behind it"))
    def behind_it(self, event: AuditEvent) -> str:
        row = self._present(event)
        if not row.related_count:
            return "—"
        shown = format_html_join(", ", "{}", ((_named(item),) for item in row.related))
        more = format_html(" …") if row.related_more else ""
        return format_html("{}: {}{}", row.related_summary, shown, more)

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
