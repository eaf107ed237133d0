"""`relations` (admin): create / read / update / delete relations.

read    collection? field?       GET /relations[/c[/f]]   (user collections only when no collection)
create  data                     POST /relations  ({collection, field, related_collection, meta?, schema?})
update  collection + field + data   PATCH /relations/c/f
delete  collection + field       DELETE /relations/c/f
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Optional

from app.directus.paths import api_path
from app.directus.scope import Scope
from app.directus.tools.arguments import ArgsModel, ArgumentProblem, check_name
from app.directus.tools.definition import CallPreview, ToolDef, blanks, read, write
from app.directus.tools.results import prune

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

DESCRIPTION = "CRUD relations {collection, field, related_collection, meta}."


class RelationsArgs(ArgsModel):
    action: Literal["create", "read", "update", "delete"]
    collection: Optional[str] = None
    field: Optional[str] = None
    data: Optional[dict[str, Any]] = None

    def check(self) -> None:
        a = self.action
        if self.field and not self.collection:
            raise ArgumentProblem("collection", "required with field")
        if self.collection is not None:
            check_name("collection", self.collection)
        if self.field is not None:
            check_name("field", self.field, "a field name")
        if a in ("read", "delete") and self.data is not None:
            raise ArgumentProblem("data", f"not used by {a}; remove it")
        if a == "create":
            data = self.data or {}
            for key in ("collection", "field"):
                if not data.get(key):
                    raise ArgumentProblem(
                        "data." + key, "required (the many side: the collection holding the foreign key)"
                    )
        if a in ("update", "delete"):
            if not self.collection:
                raise ArgumentProblem("collection", f"required for {a}")
            if not self.field:
                raise ArgumentProblem("field", f"required for {a}")
        if a == "update" and not self.data:
            raise ArgumentProblem("data", "required for update")


def shape(r: Any) -> Any:
    if isinstance(r, list):
        return [shape(x) for x in r]
    if not isinstance(r, dict):
        return r
    out = {k: r.get(k) for k in ("collection", "field", "related_collection") if r.get(k) is not None}
    meta = prune(r.get("meta") or {}, drop=("id", "many_collection", "many_field", "one_collection"))
    schema = prune(
        r.get("schema") or {},
        drop=("table", "column", "foreign_key_table", "foreign_key_column", "foreign_key_schema", "constraint_name"),
    )
    if meta:
        out["meta"] = meta
    if schema:
        out["schema"] = schema
    return out


def _path(collection: Optional[str] = None, field: Optional[str] = None) -> str:
    segments = ["relations", *([collection] if collection else []), *([field] if collection and field else [])]
    return api_path(*segments)


_VERBS = {"read": "GET", "create": "POST", "update": "PATCH", "delete": "DELETE"}


def scope(a: RelationsArgs) -> Scope:
    if a.action == "create":
        return Scope.of("POST", "relations")
    segments = [
        "relations",
        *([a.collection] if a.collection else []),
        *([a.field] if a.collection and a.field else []),
    ]
    return Scope.of(_VERBS[a.action], *segments)


async def run(client: DirectusApi, a: RelationsArgs) -> Any:
    if a.action == "read":
        result = await client.request("GET", _path(a.collection, a.field))
        if not a.collection:
            result = [r for r in result or [] if not str(r.get("collection", "")).startswith("directus_")]
        return shape(result)
    client.invalidate()
    if a.action == "create":
        return shape(await client.request("POST", api_path("relations"), json=a.data))
    if a.action == "update":
        return shape(await client.request("PATCH", _path(a.collection, a.field), json=a.data))
    await client.request("DELETE", _path(a.collection, a.field))
    return {"deleted": f"{a.collection}.{a.field}"}


def preview(a: RelationsArgs) -> CallPreview:
    if a.action == "read":
        target = f"{a.collection}.{a.field}" if a.field else (a.collection or "all collections")
        return read(f"Read relations of {target}", collection=a.collection, field=a.field)
    if a.action == "create":
        d = a.data or {}
        return write(
            f"Create a relation {d.get('collection')}.{d.get('field')} -> {d.get('related_collection')}",
            action="create",
            writes=1,
            data=a.data,
        )
    if a.action == "update":
        return write(
            f"Change the relation {a.collection}.{a.field}",
            action="update",
            writes=1,
            destructive=blanks(a.data),
            collection=a.collection,
            field=a.field,
            data=a.data,
        )
    return write(
        f"Delete the relation {a.collection}.{a.field}",
        action="delete",
        writes=1,
        destructive=True,
        collection=a.collection,
        field=a.field,
    )


TOOL = ToolDef(
    name="relations",
    description=DESCRIPTION,
    input_model=RelationsArgs,
    run=run,
    preview=preview,
    scope=scope,
    admin_only=True,
)
