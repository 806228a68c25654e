"""Writers of the GeoReport v2 updates extension: a citizen's comment posted by a client app
lands on the case as a "citizen replied" event (cases.services.case_citizen_reply), once per
client update id."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import Case
from cases.services import case_citizen_reply
from core.services import audit_record
from open311.models import Open311Client, Open311Update
from open311.services import MAX_DESCRIPTION, _check_media_url


@dataclass(frozen=True)
class PostedUpdate:
    client_update_id: str
    description: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    status: str = ""
    media_url: str = ""
    updated_datetime: str = ""


@transaction.atomic
def open311_update_post(
    *, client: Open311Client, case: Case, update: PostedUpdate
) -> tuple[Open311Update, bool]:
    """(the stored update, True if new). The same client update id again returns the first."""
    if case.agency_id != client.agency_id:
        raise ValidationError("This key does not belong to the request's jurisdiction.")
    update_id = (update.client_update_id or "").strip()[:100]
    if not update_id:
        raise ValidationError({"update_id": ["update_id was not provided."]})
    existing = Open311Update.objects.filter(client=client, client_update_id=update_id).first()
    if existing is not None:
        return existing, False
    description = (update.description or "").strip()
    if not description:
        raise ValidationError({"description": ["description was not provided."]})
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {"description": [f"Keep the description under {MAX_DESCRIPTION} characters."]}
        )
    media_url = _check_media_url(update.media_url)
    name = f"{update.first_name} {update.last_name}".strip(" -")
    actor = f"citizen:{update.email or client.name}"
    try:
        with transaction.atomic():
            row = Open311Update.objects.create(client=client, client_update_id=update_id, case=case)
    except IntegrityError:  # the same update posted twice at once
        return Open311Update.objects.get(client=client, client_update_id=update_id), False
    event = case_citizen_reply(
        case=case, body=description, actor=actor, channel=Case.Channel.OPEN311,
        data={"client": client.name, "update_id": update_id, "name": name,
              "email": update.email, "status": update.status, "media_url": media_url,
              "updated_datetime": update.updated_datetime},
    )  # fmt: skip
    row.event = event
    row.save(update_fields=["event"])
    audit_record(
        action="open311.update_posted", obj=case, actor=f"open311:{client.name}",
        agency_id=case.agency_id,
        changes={"client": (None, client.name), "update_id": (None, update_id)},
    )  # fmt: skip
    return row, True
