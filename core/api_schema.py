"""OpenAPI descriptions drf-spectacular cannot infer (loaded by CoreConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A staff member's API token (issued on /staff/tokens/ or by "
            "`manage.py api_token create USERNAME`).",
        }


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
        }
    },
}
ERRORS = {
    "400": "Invalid input: `fields` names what to fix. Nothing was written.",
    "401": "No valid credentials (send `Authorization: Bearer <token>`).",
    "403": "Your role may not do this.",
    "404": "No such object in your agency.",
    "412": "The object changed since your read (If-Match did not match): read it again.",
    "428": "Send If-Match with the ETag of your last read.",
    "429": "Too many requests: wait as Retry-After says.",
}


def add_error_responses(result, generator, request, public):
    """Document the error answers every operation can give, in the one error body shape."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not path.startswith("/api/v1/"):
                continue
            # Request bodies refuse unknown fields (core.api_fields.InputSerializer).
            for content in operation.get("requestBody", {}).get("content", {}).values():
                name = content.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                if name in schemas:
                    schemas[name]["additionalProperties"] = False
            codes = ["401", "403", "429"]
            if "{" in path:
                codes.append("404")
            if method in ("post", "put", "patch") or operation.get("parameters"):
                codes.append("400")
            if method in ("put", "patch"):
                codes += ["412", "428"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": ERRORS[code],
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
