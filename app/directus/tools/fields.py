"""`fields` (admin): create / read / update / delete fields of a collection.

read    collection? field?    GET /fields[/c[/f]]     (user collections only when no collection)
create  collection + data     POST /fields/c          (one per object: {field, type, meta?, schema?})
update  collection + field + data | collection + data array with `field`   PATCH /fields/c/f
delete  collection + field    DELETE /fields/c/f      (drops the column and its values)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Optional

from app.directus.paths import api_path
from app.directus.scope import Scope, union
from app.directus.tools.arguments import ArgsModel, ArgumentProblem, check_name
from app.directus.tools.definition import CallPreview, ToolDef, blanks, count, read, write
from app.directus.tools.query import ObjectDataArg
from app.directus.tools.results import prune

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

DESCRIPTION = "CRUD fields {field, type, meta, schema}."


class FieldsArgs(ArgsModel):
    action: Literal["create", "read", "update", "delete"]
    collection: Optional[str] = None
    field: Optional[str] = None
    data: ObjectDataArg = None

    def check(self) -> None:
        a = self.action
        if a != "read" and not self.collection:
            raise ArgumentProblem("collection", f"required for {a}")
        if self.field and not self.collection:
            raise ArgumentProblem("collection", "required with field")
        if self.collection is not None:
            check_name("collection", self.collection)
        if self.field is not None:
            check_name("field", self.field, "a field name")
        if a in ("read", "delete") and self.data is not None:
            raise ArgumentProblem("data", f"not used by {a}; remove it")
        if a == "create":
            entries = self.data if isinstance(self.data, list) else [self.data] if self.data else []
            if not entries:
                raise ArgumentProblem("data", "required for create: {field, type, meta?, schema?} or an array")
            for i, e in enumerate(entries):
                at = f"data[{i}]" if isinstance(self.data, list) else "data"
                check_name(at + ".field", e.get("field"), "a field name")
                if not e.get("type"):
                    raise ArgumentProblem(
                        at + ".type", "required (string, text, integer, boolean, uuid, timestamp, json, alias, ...)"
                    )
        if a == "update":
            if not self.data:
                raise ArgumentProblem("data", "required for update")
            if isinstance(self.data, list):
                for i, e in enumerate(self.data):
                    check_name(f"data[{i}].field", e.get("field"), "the field to update")
            elif not self.field:
                raise ArgumentProblem("field", "required for update (or send data as an array with field names)")
        if a == "delete" and not self.field:
            raise ArgumentProblem("field", "required for delete")


def shape(f: Any) -> Any:
    if isinstance(f, list):
        return [shape(x) for x in f]
    if not isinstance(f, dict):
        return f
    out = {"collection": f.get("collection"), "field": f.get("field"), "type": f.get("type")}
    schema = prune(f.get("schema") or {}, drop=("table", "name", "schema", "comment"))
    meta = prune(f.get("meta") or {}, drop=("id", "collection", "field"))
    if schema:
        out["schema"] = schema
    if meta:
        out["meta"] = meta
    return out


def _path(collection: str, field: Optional[str] = None) -> str:
    return api_path("fields", collection) if field is None else api_path("fields", collection, field)


def _names(a: FieldsArgs) -> list[str]:
    """The fields a write names: `field`, or the `field` of each object of its data."""
    if isinstance(a.data, list):
        return [str(e.get("field")) for e in a.data]
    return [str(a.field or (a.data or {}).get("field"))]


def scope(a: FieldsArgs) -> Scope:
    if a.action == "read":
        paths: list[tuple[str, ...]] = [("fields",)]
        if a.collection:
            paths.append(("fields", a.collection))
            if a.field:
                paths.append(("fields", a.collection, a.field))
        return union([Scope.of("GET", *p) for p in paths])
    c = a.collection or ""
    if a.action == "create":
        return Scope.of("POST", "fields", c)
    method = "PATCH" if a.action == "update" else "DELETE"
    return union([Scope.of(method, "fields", c, f) for f in _names(a)])


async def run(client: DirectusApi, a: FieldsArgs) -> Any:
    if a.action == "read":
        if a.collection:
            return shape(await client.request("GET", _path(a.collection, a.field)))
        all_ = await client.request("GET", api_path("fields")) or []
        return [shape(f) for f in all_ if not str(f.get("collection", "")).startswith("directus_")]
    client.invalidate()
    c = a.collection or ""
    if a.action == "create":
        entries = a.data if isinstance(a.data, list) else [a.data]
        created = [shape(await client.request("POST", _path(c), json=e)) for e in entries]
        return created if isinstance(a.data, list) else created[0]
    if a.action == "update":
        if isinstance(a.data, list):
            return [shape(await client.request("PATCH", _path(c, e["field"]), json=e)) for e in a.data]
        return shape(await client.request("PATCH", _path(c, a.field), json=a.data))
    await client.request("DELETE", _path(c, a.field))
    return {"deleted": f"{c}.{a.field}"}


def preview(a: FieldsArgs) -> CallPreview:
    c = a.collection
    if a.action == "read":
        target = f"{c}.{a.field}" if a.field else (c or "all collections")
        return read(f"Read field settings of {target}", collection=c, field=a.field)
    names = _names(a)
    listed = ", ".join(names)
    n = len(names)
    if a.action == "create":
        return write(f"Add {count(n, 'field')} to {c}: {listed}", action="create", writes=n, collection=c, data=a.data)
    if a.action == "update":
        return write(
            f"Change {count(n, 'field')} of {c}: {listed}",
            action="update",
            writes=n,
            destructive=blanks(a.data),
            collection=c,
            field=a.field,
            data=a.data,
        )
    return write(
        f"Delete field {c}.{a.field} and its values",
        action="delete",
        writes=1,
        destructive=True,
        collection=c,
        field=a.field,
    )


TOOL = ToolDef(
    name="fields",
    description=DESCRIPTION,
    input_model=FieldsArgs,
    run=run,
    preview=preview,
    scope=scope,
    admin_only=True,
)
