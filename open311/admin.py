"""Open311 client applications in the Django admin: make a key (shown once), revoke keys.

The raw key is never stored, so it can never be shown again: the add form only asks for a name
(and, for superusers, the agency); saving makes the key through the service and shows it in a
message. Keys are revoked with the list action (there is nothing else to edit on a key).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import ngettext

from core.admin_scoping import AgencyScopedAdmin
from open311.models import Open311Client
from open311.services import open311_client_create, open311_client_revoke

READONLY = ["key_prefix", "active", "created_at", "last_used_at", "revoked_at"]


@admin.register(Open311Client)
class Open311ClientAdmin(AgencyScopedAdmin):
    list_display = ["name", "agency", "key_prefix", "active", "created_at", "last_used_at"]
    list_filter = ["active", "agency"]
    search_fields = ["name", "key_prefix"]
    list_select_related = ["agency"]
    actions = ["revoke_keys"]

    def get_fields(self, request: HttpRequest, obj: Open311Client | None = None):
        if obj is None:
            return ["name", "agency"]
        return ["name", "agency", *READONLY]

    def get_readonly_fields(self, request: HttpRequest, obj: Open311Client | None = None):
        if obj is None:
            return []
        return ["name", "agency", *READONLY]

    def save_model(self, request: HttpRequest, obj: Open311Client, form: Any, change: bool):
        if change:  # nothing is editable on a key: no change to save
            return
        self._set_agency(request, obj)
        client, raw_key = open311_client_create(name=obj.name, agency=obj.agency,
                                                actor=request.user)  # fmt: skip
        obj.pk = client.pk
        obj.refresh_from_db()
        obj._state.adding = False
        messages.warning(
            request,
            f"The API key of “{client.name}” is {raw_key} — copy it now: it is stored hashed "
            "and will not be shown again.",
        )

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[Open311Client]) -> None:
        revoked = 0
        for client in queryset.filter(active=True):
            open311_client_revoke(client=client, actor=request.user)
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
