"""`schema`: the data model, read fresh on every call (so a schema change shows at once).

    schema()                        -> {"collections": {name: note or ""}, "folders": {folder: [members]},
                                        "singletons": [...], "notes": {folder: note}}
    schema(collections=["articles"]) -> {"articles": {"id": "integer, pk", "title": "string, required",
                                        "author": "m2o -> authors", "categories": "m2m -> categories via
                                        articles_categories.categories_id", ...}}

One short line per field: type, then flags (pk, required, readonly, unique, auto), choices, default, and the
field note after "; ". Relations come from /relations: m2o, o2m, m2m (with the junction field to fill when
linking), m2a and translations. UI-only alias fields (dividers, groups) are left out. System collections are
left out of the list (their fields can still be asked for, e.g. directus_files), and so are the collections the
user's permissions (read at connect time: app/directus/capabilities.py, kept in `client.cache["permissions"]`)
give no access to.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Optional

from pydantic import Field, field_validator

from app.directus.errors import DirectusError
from app.directus.paths import api_path, name_problem
from app.directus.permissions import ACTIONS, from_permissions_me
from app.directus.scope import Scope, union
from app.directus.tools.arguments import ArgsModel, ArgumentProblem, as_list
from app.directus.tools.definition import CallPreview, ToolDef, read

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

DESCRIPTION = "Data model. No args: collections. With collections: fields, relations."

_INTERFACE_HINTS = {
    "input-rich-text-html": "html",
    "input-rich-text-md": "markdown",
    "input-code": "code",
    "tags": "tags",
    "input-multiline": "multiline",
}
_AUTO_SPECIALS = {"date-created", "date-updated", "user-created", "user-updated", "uuid", "cast-timestamp"}
_RELATIONAL_SPECIALS = {"m2o", "o2m", "m2m", "m2a", "translations", "files", "file"}


class SchemaArgs(ArgsModel):
    collections: Optional[list[str]] = Field(None, max_length=10)

    @field_validator("collections", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        return as_list(value, split_commas=True)

    def check(self) -> None:
        for i, name in enumerate(self.collections or []):
            problem = name_problem(name)
            if problem:
                raise ArgumentProblem(f"collections[{i}]", problem)


def scope(a: SchemaArgs) -> Scope:
    overview = [Scope.of("GET", "collections"), Scope.of("GET", "permissions", "me")]
    fields = [Scope.of("GET", "fields", c) for c in a.collections or []]
    return union([*overview, Scope.of("GET", "relations"), *fields])


async def run(client: DirectusApi, a: SchemaArgs) -> Any:
    if not a.collections:
        return await overview(client)
    names = list(dict.fromkeys(a.collections))
    relations_task = asyncio.ensure_future(_relations(client))
    fields = await asyncio.gather(*(_fields(client, c) for c in names), return_exceptions=True)
    relations = await relations_task
    out: dict = {}
    for name, result in zip(names, fields, strict=True):
        if isinstance(result, DirectusError):
            out[name] = {"error": result.message if result.code != "FORBIDDEN" else "no access, or no such collection"}
        elif isinstance(result, BaseException):
            raise result
        else:
            out[name] = describe_fields(name, result, relations)
    return out


async def overview(client: DirectusApi) -> dict:
    try:
        collections = await client.request("GET", "/collections") or []
    except DirectusError as exc:
        if exc.code != "FORBIDDEN":
            raise
        return await _overview_from_permissions(client)
    # Each collection with its note in one entry: the names are not listed twice.
    permissions = client.cache.get("permissions")
    names: dict[str, str] = {}
    singletons: list[str] = []
    notes: dict[str, str] = {}  # of folders
    folders: dict[str, list[str]] = {}
    for c in collections if isinstance(collections, list) else []:
        if not isinstance(c, dict):
            continue
        name = str(c.get("collection", ""))
        meta = _dict(c.get("meta"))
        if name.startswith("directus_"):
            continue
        if meta.get("group"):
            folders.setdefault(str(meta["group"]), []).append(name)
        if c.get("schema") is None:
            folders.setdefault(name, [])
            if meta.get("note"):
                notes[name] = meta["note"]
            continue
        if permissions is not None and not any(permissions.allows(name, a) for a in ACTIONS):
            continue  # no access: not offered
        names[name] = str(meta.get("note") or "")
        if meta.get("singleton"):
            singletons.append(name)
    out: dict = {"collections": names}
    if folders:
        out["folders"] = folders
    if singletons:
        out["singletons"] = singletons
    if notes:
        out["notes"] = notes
    return out


async def _overview_from_permissions(client: DirectusApi) -> dict:
    """Users who may not read directus_collections: list what their permissions give them (as read at connect
    time; else from /permissions/me)."""
    permissions = client.cache.get("permissions")
    if permissions is None or not permissions.known:
        permissions = from_permissions_me(await client.request("GET", "/permissions/me"))
    access = {}
    for name, actions in sorted(permissions.allowed.items()):
        if not name.startswith("directus_"):
            access[name] = ",".join(a for a in ACTIONS if a in actions)
    return {"collections": list(access), "access": access}


async def _fields(client: DirectusApi, collection: str) -> list:
    return await client.request("GET", api_path("fields", collection)) or []


async def _relations(client: DirectusApi) -> list:
    try:
        return await client.request("GET", "/relations") or []
    except DirectusError as exc:
        if exc.code == "FORBIDDEN":
            return []
        raise


def describe_fields(collection: str, fields: list, relations: list) -> dict:
    """Each field in one line. A hostile or odd answer (not a list, an entry or meta that is not an object, a sort
    that is not a number) is read as far as it makes sense; the rest is left out."""
    out = {}
    relations = [r for r in relations if isinstance(r, dict)] if isinstance(relations, list) else []
    fields = (
        [f for f in fields if isinstance(f, dict) and isinstance(f.get("field"), str)]
        if isinstance(fields, list)
        else []
    )
    fields.sort(key=lambda f: _sort(_dict(f.get("meta")).get("sort")))
    for f in fields:
        line = describe_field(collection, f, relations)
        if line is not None:
            out[f["field"]] = line
    return out


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _sort(value: Any) -> float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def describe_field(collection: str, f: dict, relations: list) -> Optional[str]:
    name = f.get("field", "")
    meta = _dict(f.get("meta"))
    schema = _dict(f.get("schema"))
    special = (
        {s for s in meta.get("special") or [] if isinstance(s, str)} if isinstance(meta.get("special"), list) else set()
    )
    relation = _relation_text(collection, name, f.get("type"), special, relations)
    if f.get("type") == "alias" and relation is None:
        return None  # UI only: divider, group, notice, button
    parts = [relation or str(f.get("type"))]
    if schema.get("is_primary_key"):
        parts.append("pk" + (", auto" if schema.get("has_auto_increment") or "uuid" in special else ""))
    else:
        auto = special & _AUTO_SPECIALS
        if auto:
            parts.append("auto")
        elif meta.get("required") or (
            schema
            and schema.get("is_nullable") is False
            and schema.get("default_value") is None
            and f.get("type") != "alias"
        ):
            parts.append("required")
        if meta.get("readonly") and not auto:
            parts.append("readonly")
        if schema.get("is_unique"):
            parts.append("unique")
    hint = _INTERFACE_HINTS.get(str(meta.get("interface") or ""))
    if hint:
        parts.append(hint)
    choices = _dict(meta.get("options")).get("choices") or []
    choices = choices if isinstance(choices, list) else []
    values = [str(c.get("value")) if isinstance(c, dict) else str(c) for c in choices]
    if values:
        parts.append("choices " + "|".join(values))
    default = schema.get("default_value")
    if default is not None and not schema.get("is_primary_key"):
        parts.append(f"default {default}")
    text = ", ".join(parts)
    note = str(meta.get("note") or "").strip()
    if note:
        text += "; " + note
    return text


def _relation_text(collection: str, field: str, ftype: Any, special: set, relations: list) -> Optional[str]:
    many = next((r for r in relations if r.get("collection") == collection and r.get("field") == field), None)
    if many is not None:
        rmeta = _dict(many.get("meta"))
        if many.get("related_collection"):
            return f"m2o -> {many['related_collection']}"
        allowed = rmeta.get("one_allowed_collections") or []
        return f"m2a item -> {'|'.join(allowed)} (collection in {rmeta.get('one_collection_field')})"
    one = next(
        (
            r
            for r in relations
            if r.get("related_collection") == collection and _dict(r.get("meta")).get("one_field") == field
        ),
        None,
    )
    if one is None:
        if special & _RELATIONAL_SPECIALS:
            return next(iter(sorted(special & _RELATIONAL_SPECIALS)))  # relation not readable: say its kind
        return None
    junction = one.get("collection")
    junction_field = _dict(one.get("meta")).get("junction_field")
    if not junction_field:
        return f"o2m <- {junction}.{one.get('field')}"
    other = next((r for r in relations if r.get("collection") == junction and r.get("field") == junction_field), None)
    kind = "translations" if "translations" in special else "m2m"
    if other is not None and other.get("related_collection"):
        return f"{kind} -> {other['related_collection']} via {junction}.{junction_field}"
    allowed = _dict((other or {}).get("meta")).get("one_allowed_collections") or []
    collection_field = _dict((other or {}).get("meta")).get("one_collection_field") or "collection"
    return f"m2a -> {'|'.join(allowed)} via {junction}.{junction_field} (+{collection_field})"


def preview(a: SchemaArgs) -> CallPreview:
    if a.collections:
        return read("Read the fields of " + ", ".join(a.collections), collections=a.collections)
    return read("Read the list of collections")


TOOL = ToolDef(name="schema", description=DESCRIPTION, input_model=SchemaArgs, run=run, preview=preview, scope=scope)
