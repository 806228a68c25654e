"""Serializer fields shared by every app's API (kept apart from core.api, which DRF imports
while it loads its settings)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class StrictBooleanField(serializers.BooleanField):
    """JSON true/false (or "true"/"false" in a multipart form), nothing else: DRF's own field
    also takes 0, 1, "yes", "on"…, which the schema does not promise and a client should not
    rely on."""

    def to_internal_value(self, data: Any) -> bool:
        if data is True or data is False:
            return data
        if isinstance(data, str) and data in ("true", "false"):
            return data == "true"
        self.fail("invalid", input=data)


class StrictCharField(serializers.CharField):
    """A JSON string, not a number or boolean turned into one."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class InputSerializer(serializers.Serializer):
    """A request body: text fields take strings only, and an unknown field is an error (a typo
    such as "priorty" must not be ignored silently). The schema says so too
    (additionalProperties: false, see core.api_schema)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)
