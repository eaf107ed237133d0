"""How the real services check a tool's input schema, for the fake server's request validation.

All four accept a JSON Schema whose root is an object schema; an invalid schema (say `"type": "objekt"`)
is a 400. Gemini's older `parameters` field takes only an OpenAPI subset (one type name per schema, no
`additionalProperties`); our Gemini module sends `parametersJsonSchema`, which takes full JSON Schema.
"""

from __future__ import annotations

from typing import Any, Optional

from jsonschema import Draft202012Validator, SchemaError

OPENAPI_SUBSET_FORBIDS = ("additionalProperties", "$ref", "$defs", "oneOf", "allOf", "const")


def problem(schema: Any, *, openapi_subset: bool = False) -> Optional[str]:
    """Why a service would reject this tool input schema, or None."""
    if not isinstance(schema, dict):
        return "the schema must be an object"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        return "invalid JSON Schema at %s: %s" % ("/".join(str(p) for p in error.path) or "root", error.message)
    if schema.get("type") != "object":
        return "the root schema must have type 'object'"
    if openapi_subset:
        return _openapi_problem(schema, "parameters")
    return None


def _openapi_problem(schema: Any, path: str) -> Optional[str]:
    if isinstance(schema, dict):
        if isinstance(schema.get("type"), list):
            return "%s.type: only one type name is allowed" % path
        for key in OPENAPI_SUBSET_FORBIDS:
            if key in schema:
                return "%s: unknown field %r" % (path, key)
        for key, value in schema.items():
            found = _openapi_problem(value, path + "." + key)
            if found:
                return found
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found = _openapi_problem(value, "%s[%d]" % (path, i))
            if found:
                return found
    return None
