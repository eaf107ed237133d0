"""A lean JSON schema from a pydantic input model: what the model needs to call the tool, nothing else.

Tool schemas are paid on every request, so `compact_schema()` keeps only `type`, `properties`, `required`,
`items`, `enum` and `description`: no titles, no defaults, no `$defs` (references are inlined), nullable
unions collapse to their one real type, and unions of plain types become a `type` list. A field can pin
its own schema with `pydantic.WithJsonSchema`. The result stays inside the subset that OpenAI (Chat and
Responses), Anthropic and Gemini (`parametersJsonSchema`) all accept: every array has `items`.
"""

from __future__ import annotations

from typing import Any, Type

from pydantic import BaseModel

_KEEP = ("type", "description", "enum", "properties", "required", "items", "additionalProperties")


def compact_schema(model: Type[BaseModel]) -> dict:
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})
    schema = _clean(raw, defs)
    schema.pop("description", None)  # the tool's own description says it
    schema.pop("additionalProperties", None)
    schema.setdefault("properties", {})
    return schema


def _clean(node: Any, defs: dict) -> Any:
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    for union in ("anyOf", "oneOf"):
        if union in node:
            members = [_clean(m, defs) for m in node[union] if m.get("type") != "null"]
            rest = {k: v for k, v in node.items() if k != union}
            if len(members) == 1:
                node = {**members[0], **rest}
            elif all(set(m) <= {"type"} and isinstance(m.get("type"), str) for m in members):
                node = {**rest, "type": [m["type"] for m in members]}
            else:
                node = {**rest, union: members}
    if "const" in node:
        node = {**node, "enum": [node["const"]]}
    out: dict = {}
    for key in _KEEP + ("anyOf", "oneOf"):
        if key not in node:
            continue
        value = node[key]
        if key == "properties":
            value = {name: _clean(sub, defs) for name, sub in value.items()}
        elif key == "items":
            value = _clean(value, defs) if value else {}
        elif key in ("anyOf", "oneOf"):
            value = [_clean(m, defs) for m in value]
        elif key == "additionalProperties":
            if value is True or value == {}:
                continue  # the default
            value = _clean(value, defs) if isinstance(value, dict) else value
        elif key == "required" and not value:
            continue
        out[key] = value
    if out.get("type") == "array" and "items" not in out:
        out["items"] = {}
    return out
