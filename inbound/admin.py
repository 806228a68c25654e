"""Inbound email in the admin: each agency's addresses (editable, per agency), and the
received messages with what became of them (read-only; dead letters can be processed again)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scoping import AgencyScopedAdmin
from inbound.models import InboundAddress, InboundMessage
from inbound.services import inbound_requeue


@admin.register(InboundAddress)
class InboundAddressAdmin(AgencyScopedAdmin):
    list_display = ["address", "agency", "team", "active"]
    list_filter = ["active", "agency"]
    search_fields = ["address"]
    list_select_related = ["agency", "team"]
    fields = ["address", "agency", "team", "active"]


@admin.register(InboundMessage)
class InboundMessageAdmin(AgencyScopedAdmin):
    list_display = ["received_at", "sender", "subject", "status", "reason", "case", "source"]
    list_filter = ["status", "source"]
    search_fields = ["sender", "subject", "message_id"]
    list_select_related = ["case", "agency"]
    actions = ["process_again"]
    readonly_fields = ["message_id", "content_hash", "source", "envelope_from", "envelope_to",
                       "sender", "subject", "size", "received_at", "status", "reason",
                       "processed_at", "agency", "case", "event", "raw_text"]  # fmt: skip
    fields = readonly_fields

    @admin.display(description=_("raw message"))
    def raw_text(self, obj: InboundMessage) -> str:
        return bytes(obj.raw or b"")[:200_000].decode("utf-8", "replace")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Process the selected dead letters again"),
                  permissions=["change"])  # fmt: skip
    def process_again(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        count = sum(inbound_requeue(message=m, actor=request.user)
                    for m in queryset.filter(status=InboundMessage.Status.DEAD))  # fmt: skip
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
