"""Who may open a staff page. Views combine this with `core.scoping` for which objects they see.

Roles are ordered: an admin can do what a supervisor can, a supervisor what an agent can.
Deployment superusers pass every role check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.scoping import user_role

ROLE_RANK = {"agent": 1, "supervisor": 2, "admin": 3}


def has_role(user: Any, minimum: str) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    role = user_role(user)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def staff_required(minimum_role: str = "agent") -> Callable:
    """Anonymous → sign-in page; signed in without a staff profile or the role → 403.

    (Objects of another agency are a different matter: scoping makes them 404.)
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, minimum_role):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
