"""`fields` (admin): create / read / update / delete fields of a collection.

read    collection? field?    GET /fields[/c[/f]]     (user collections only when no collection)
create  collection + data     POST /fields/c          (one per object: {field, type, meta?, schema?})
update  collection + field + data | collection + data array with `field`   PATCH /fields/c/f
delete  collection + field    DELETE /fields/c/f      (drops the column and its values)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Optional
from urllib.parse import quote

from app.directus.tools.arguments import ArgsModel, ArgumentProblem
from app.directus.tools.definition import CallPreview, ToolDef, count, read, write
from app.directus.tools.query import ObjectDataArg
from app.directus.tools.results import prune

if TYPE_CHECKING:
    from app.directus.client import DirectusClient

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
        if a in ("read", "delete") and self.data is not None:
            raise ArgumentProblem("data", f"not used by {a}; remove it")
        if a == "create":
            entries = self.data if isinstance(self.data, list) else [self.data] if self.data else []
            if not entries:
                raise ArgumentProblem("data", "required for create: {field, type, meta?, schema?} or an array")
            for i, e in enumerate(entries):
                at = f"data[{i}]" if isinstance(self.data, list) else "data"
                if not e.get("field"):
                    raise ArgumentProblem(at + ".field", "required")
                if not e.get("type"):
                    raise ArgumentProblem(
                        at + ".type", "required (string, text, integer, boolean, uuid, timestamp, json, alias, ...)"
                    )
        if a == "update":
            if not self.data:
                raise ArgumentProblem("data", "required for update")
            if isinstance(self.data, list):
                for i, e in enumerate(self.data):
                    if not e.get("field"):
                        raise ArgumentProblem(f"data[{i}].field", "required: which field to update")
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
    p = "/fields/" + quote(collection, safe="")
    return p if field is None else p + "/" + quote(field, safe="")


async def run(client: DirectusClient, a: FieldsArgs) -> Any:
    if a.action == "read":
        if a.collection:
            return shape(await client.request("GET", _path(a.collection, a.field)))
        all_ = await client.request("GET", "/fields") or []
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
    names = [e.get("field") for e in a.data] if isinstance(a.data, list) else [a.field or (a.data or {}).get("field")]
    listed = ", ".join(str(n) for n in names)
    if a.action == "create":
        return write(f"Add {count(len(names), 'field')} to {c}: {listed}", collection=c, data=a.data)
    if a.action == "update":
        return write(f"Change {count(len(names), 'field')} of {c}: {listed}", collection=c, field=a.field, data=a.data)
    return write(f"Delete field {c}.{a.field} and its values", destructive=True, collection=c, field=a.field)


TOOL = ToolDef(
    name="fields", description=DESCRIPTION, input_model=FieldsArgs, run=run, preview=preview, admin_only=True
)
