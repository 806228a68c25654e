"""Signed links people get by email and open without an account (follow a case, answer a
survey, stop emails).

A token is a value signed with the deployment's secret and a salt of its own purpose, so a
token made for one purpose is worthless for another and changing one character spoils it.
The salts and token formats of the links are part of emails already sent: never change them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation


@dataclass(frozen=True)
class SignedLink:
    """One kind of link: the page it opens (`url_name`, taking the token) and its token."""

    salt: str
    url_name: str
    value_type: type = str  # what a token must carry; anything else is not one of ours
    compress: bool = True  # zlib when shorter; part of the token format (surveys': off)
    max_age: int | None = None  # seconds; None: the token does not expire by itself

    def token(self, value: Any) -> str:
        return signing.dumps(value, salt=self.salt, compress=self.compress)

    def value(self, token: str) -> Any | None:
        """What a token carries, or None if it is forged, tampered with or expired."""
        try:
            value = signing.loads(token, salt=self.salt, max_age=self.max_age)
        except signing.BadSignature:
            return None
        if not isinstance(value, self.value_type) or isinstance(value, bool):
            return None
        return value

    @property
    def functions(self) -> tuple[Callable[..., str], Callable[[str], Any], Callable[..., str]]:
        """(token, value, url): what an app's links module offers for this kind of link."""
        return self.token, self.value, self.url

    def url(self, value: Any, language: str) -> str:
        """The absolute URL of the page, in `language`."""
        with translation.override(language):
            return absolute(reverse(self.url_name, args=[self.token(value)]))


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
