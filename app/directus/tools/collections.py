"""`collections` (admin): create / read / update / delete collections (tables, and folders with schema null).

read    keys?           GET /collections[/name]   (user collections only when no keys)
create  data obj|array  POST /collections         ({collection, meta?, schema: {} | null, fields?})
update  keys + data | data array with `collection`   PATCH /collections/name
delete  keys            DELETE /collections/name  (drops the table and its items)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Optional

from pydantic import field_validator

from app.directus.paths import api_path
from app.directus.scope import Scope, union
from app.directus.tools.arguments import ArgsModel, ArgumentProblem, as_list, check_name
from app.directus.tools.definition import CallPreview, ToolDef, blanks, count, read, write
from app.directus.tools.query import ObjectDataArg
from app.directus.tools.results import prune

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

DESCRIPTION = "CRUD collections; keys are names. schema: {} table, null folder."


class CollectionsArgs(ArgsModel):
    action: Literal["create", "read", "update", "delete"]
    keys: Optional[list[str]] = None
    data: ObjectDataArg = None

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        return as_list(value, split_commas=True)

    def check(self) -> None:
        for i, key in enumerate(self.keys or []):
            check_name(f"keys[{i}]", key)
        if self.action in ("read", "delete") and self.data is not None:
            raise ArgumentProblem("data", f"not used by {self.action}; remove it")
        if self.action == "create":
            for i, entry in enumerate(_entries(self.data)):
                check_name(
                    "data" + (f"[{i}]" if isinstance(self.data, list) else "") + ".collection", entry.get("collection")
                )
            if not self.data:
                raise ArgumentProblem("data", "required for create: {collection, meta?, schema?, fields?}")
        if self.action == "update":
            if not self.data:
                raise ArgumentProblem("data", "required for update")
            if isinstance(self.data, list):
                for i, entry in enumerate(self.data):
                    check_name(f"data[{i}].collection", entry.get("collection"), "the collection to update")
            elif not self.keys:
                raise ArgumentProblem("keys", "required for update: the collection names")
        if self.action == "delete" and not self.keys:
            raise ArgumentProblem("keys", "delete needs the collection names")


def _entries(data: Any) -> list:
    return data if isinstance(data, list) else [data] if data else []


def shape(c: Any) -> Any:
    if isinstance(c, list):
        return [shape(x) for x in c]
    if not isinstance(c, dict):
        return c
    out: dict = {"collection": c.get("collection")}
    meta = prune(c.get("meta") or {}, drop=("collection",))
    if meta:
        out["meta"] = meta
    out["schema"] = {} if c.get("schema") else None
    if c.get("fields"):
        out["fields"] = [f.get("field") for f in c["fields"] if isinstance(f, dict)]
    return out


def _path(name: str) -> str:
    return api_path("collections", name)


_VERBS = {"read": "GET", "create": "POST", "update": "PATCH", "delete": "DELETE"}


def _names(a: CollectionsArgs) -> list[str]:
    """The collections a call names: its keys, or the `collection` of each object of its data."""
    return [str(n) for n in a.keys or [e.get("collection") for e in _entries(a.data)]]


def scope(a: CollectionsArgs) -> Scope:
    methods = "GET " + _VERBS[a.action]
    return union([Scope.of(methods, "collections"), *(Scope.of(methods, "collections", n) for n in _names(a))])


async def run(client: DirectusApi, a: CollectionsArgs) -> Any:
    if a.action == "read":
        if a.keys:
            return [shape(await client.request("GET", _path(k))) for k in a.keys]
        all_ = await client.request("GET", api_path("collections")) or []
        return [shape(c) for c in all_ if not str(c.get("collection", "")).startswith("directus_")]
    client.invalidate()
    if a.action == "create":
        created = [
            shape(await client.request("POST", api_path("collections"), json=entry)) for entry in _entries(a.data)
        ]
        return created if isinstance(a.data, list) else created[0]
    if a.action == "update":
        pairs: list[tuple[str, Any]]
        if isinstance(a.data, list):
            pairs = [(e["collection"], {k: v for k, v in e.items() if k != "collection"}) for e in a.data]
        else:
            pairs = [(k, a.data) for k in a.keys or []]
        return [shape(await client.request("PATCH", _path(name), json=body)) for name, body in pairs]
    for k in a.keys or []:
        await client.request("DELETE", _path(k))
    return {"deleted": a.keys}


def preview(a: CollectionsArgs) -> CallPreview:
    names = _names(a)
    listed = ", ".join(names)
    n = len(names)
    if a.action == "read":
        return read("Read collection settings" + (f" of {listed}" if a.keys else ""), keys=a.keys)
    if a.action == "create":
        return write(f"Create {count(n, 'collection')}: {listed}", action="create", writes=n, data=a.data)
    if a.action == "update":
        return write(
            f"Change {count(n, 'collection')}: {listed}",
            action="update",
            writes=n,
            destructive=blanks(a.data),
            keys=a.keys,
            data=a.data,
        )
    return write(
        f"Delete {count(n, 'collection')} and all their items: {listed}",
        action="delete",
        writes=n,
        destructive=True,
        bulk=True,
        keys=a.keys,
    )


TOOL = ToolDef(
    name="collections",
    description=DESCRIPTION,
    input_model=CollectionsArgs,
    run=run,
    preview=preview,
    scope=scope,
    admin_only=True,
)
