"""The one way querysets are scoped to the caller's agency (DESIGN.md "Scoping and data sharing").

Every model that views, admin or API expose declares `agency_scope`: the lookup path from the
model to its owning agency id ("agency", "team__agency", "pk" for Agency itself), or
`SHARED` for deployment-wide records (the citizen record). A model may also declare
`agency_read_scopes`, further paths that grant read-only access (a case referred away stays
readable by the sender); writers pass `for_write=True` and get only what they own. Anything
outside the caller's
agency is simply absent from the queryset, so fetching it answers 404, never 403.
Deployment superusers see everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation

SHARED = "__shared__"


def staff_profile(user: Any) -> Any | None:
    """The signed-in user's staff profile (`agencies.StaffMember`), or None (anonymous, a
    system actor, no profile). The one place `core`, which cannot import `agencies`, reads it;
    the other apps ask `agencies.selectors`."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "staff_profile", None)


def user_agency_id(user: Any) -> int | None:
    """The agency a signed-in staff member works for, or None (anonymous, no profile)."""
    profile = staff_profile(user)
    return profile.agency_id if profile is not None else None


def agency_staff_users(agency_id: int) -> Any:
    """The user accounts of an agency's staff (active or not: the audit trail names both)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(staff_profile__agency_id=agency_id)


def user_role(user: Any) -> str | None:
    profile = staff_profile(user)
    return profile.role if profile is not None else None


def user_language(user: Any) -> str:
    """The language a staff member reads (pages, notices, emails): their own, or the site's."""
    profile = staff_profile(user)
    return getattr(profile, "preferred_language", None) or settings.LANGUAGE_CODE


def user_zone(user: Any) -> ZoneInfo:
    """The time zone a staff member reads times in (`StaffMember.zone`), or the site's."""
    profile = staff_profile(user)
    return profile.zone if profile is not None else ZoneInfo(settings.TIME_ZONE)


@contextmanager
def as_read_by(user: Any) -> Iterator[None]:
    """Render what `user` will read (a notice, an email) in their language and time zone."""
    with translation.override(user_language(user)), timezone.override(user_zone(user)):
        yield


def two_factor_required(user: Any) -> bool:
    """Deployment superusers and the roles in STAFF_2FA_REQUIRED_ROLES must use two-step
    verification: to sign in, and for their API tokens to work."""
    return bool(user.is_superuser or user_role(user) in settings.STAFF_2FA_REQUIRED_ROLES)


def scope_queryset(queryset: QuerySet, user: Any, *, for_write: bool = False) -> QuerySet:
    path = getattr(queryset.model, "agency_scope", None)
    if path is None:
        raise ImproperlyConfigured(f"{queryset.model.__name__} declares no agency_scope")
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if getattr(user, "is_superuser", False):
        return queryset
    agency_id = user_agency_id(user)
    if agency_id is None:
        return queryset.none()
    if path == SHARED:
        return queryset
    read_paths = () if for_write else getattr(queryset.model, "agency_read_scopes", ())
    if not read_paths:
        return queryset.filter(**{path: agency_id})
    # A subquery keeps rows unique when a read path crosses a one-to-many relation.
    condition = Q(**{path: agency_id})
    for read_path in read_paths:
        condition |= Q(**{read_path: agency_id})
    visible = queryset.model._default_manager.filter(condition).values("pk")
    return queryset.filter(pk__in=visible)


def get_scoped_object_or_404(
    queryset: QuerySet | type[Model], user: Any, *, for_write: bool = False, **lookup: Any
) -> Any:
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        return scope_queryset(queryset, user, for_write=for_write).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
