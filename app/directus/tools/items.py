"""`items`: create, read, update and delete items of user collections, with the user's own permissions.

    read    keys? + query?       GET /items/c[/key]             (several keys: filter on the primary key)
    create  data (obj | array)   POST /items/c                  (refused on a singleton: it would overwrite; update)
    update  data array with PKs  PATCH /items/c [..]
            keys + data          PATCH /items/c/key | PATCH /items/c {keys, data}
            query.filter + data  PATCH /items/c {query, data}   (a filter is required: no accidental "all")
            data only            PATCH /items/c                 (singletons)
    delete  keys                 DELETE /items/c/key | DELETE /items/c [keys]

System collections (directus_*) are refused: files, folders, flows and the schema have their own tools.
Collection names are identifiers and keys stay one path segment (app/directus/paths.py); a call reaches only
/items/<collection>[/<key>] and reads /fields/<collection> and /collections/<collection> (`scope`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Literal, Optional

from pydantic import field_validator

from app.directus.chart_query import ChartKind
from app.directus.paths import api_path
from app.directus.scope import Scope, union
from app.directus.tools import visualize
from app.directus.tools.arguments import ArgsModel, ArgumentProblem, check_keys, check_name, keys_text
from app.directus.tools.collection_info import is_singleton, primary_key
from app.directus.tools.definition import CallPreview, ToolDef, blanks, count, read, with_related, write
from app.directus.tools.query import DataArg, KeysArg, Query, QueryArg, keys_validator
from app.directus.undo import capture

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

DESCRIPTION = "delete needs keys. Batch: data array with PKs, or keys/query.filter + data."


class ItemsArgs(ArgsModel):
    action: Literal["create", "read", "update", "delete", "chart"]
    collection: str
    chart: Optional[ChartKind] = None  # action chart: app/directus/tools/visualize.py
    keys: KeysArg = None
    data: DataArg = None
    query: QueryArg = None

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        return keys_validator(value)

    def check(self) -> None:
        check_name("collection", self.collection, system=False)
        check_keys(self.keys)
        check_write_shape(self.action, self.keys, self.data, self.query)
        visualize.check_chart(self)


def check_write_shape(action: str, keys: Optional[list], data: Any, query: Optional[Query]) -> None:
    """The per-action rules items and files share."""
    if action in ("read", "delete") and data is not None:
        raise ArgumentProblem("data", f"not used by {action}; remove it")
    if action == "create":
        if data is None:
            raise ArgumentProblem("data", "required for create: an object, or an array of objects")
        if keys:
            raise ArgumentProblem("keys", "not used by create; put primary keys inside data")
    if action == "update":
        if data is None:
            raise ArgumentProblem("data", "required for update")
        if isinstance(data, list):
            if keys or (query and not query.writes_all):
                raise ArgumentProblem(
                    "data", "an array updates each item by the primary key inside it; drop keys and query.filter"
                )
        elif keys and query and query.filter:
            raise ArgumentProblem("query", "give keys or query.filter, not both")
        elif query and not keys and query.writes_all:
            raise ArgumentProblem("query.filter", "update by query needs a filter (it would change every item)")
    if action == "delete":
        if not keys:
            raise ArgumentProblem("keys", "delete needs the primary keys of the items; read them first")
        if query and (query.filter or query.search):
            raise ArgumentProblem("query", "delete works by keys only; read the keys with this filter first")


def path_of(collection: str, key: Any = None) -> str:
    return api_path("items", collection) if key is None else api_path("items", collection, key)


_VERBS = {"read": "GET", "chart": "GET", "create": "POST", "update": "PATCH", "delete": "DELETE"}


def scope(a: ItemsArgs) -> Scope:
    """The collection's items (and each key's), with the action's method; reads of its fields and settings."""
    c, methods = a.collection, "GET " + _VERBS[a.action]
    return union(
        [
            Scope.of(methods, "items", c),
            *(Scope.of(methods, "items", c, k) for k in a.keys or []),
            Scope.of("GET", "fields", c),
            Scope.of("GET", "collections", c),
        ]
    )


async def run(client: DirectusApi, a: ItemsArgs) -> Any:
    q = a.query or Query()
    c = a.collection
    if a.action == "read":
        return await read_items(client, c, a.keys, q)
    if a.action == "chart":
        return await visualize.run(client, a)
    params = {"fields": q.fields} if q.fields else None
    if a.action == "create":
        if await is_singleton(client, c):  # its one item exists: "create" would overwrite it, previewed as a create
            raise ArgumentProblem(
                "action", f"{c} is a singleton: it has one item already; change it with action update (data, no keys)"
            )
        return await client.request("POST", path_of(c), params=params, json=a.data)
    if a.action == "update":
        if isinstance(a.data, list):
            return await client.request("PATCH", path_of(c), params=params, json=a.data)
        if a.keys:
            if len(a.keys) == 1:
                return await client.request("PATCH", path_of(c, a.keys[0]), params=params, json=a.data)
            return await client.request("PATCH", path_of(c), params=params, json={"keys": a.keys, "data": a.data})
        if a.query and not a.query.writes_all:
            body = {"query": {k: v for k, v in q.to_body().items() if k in ("filter", "search")}, "data": a.data}
            return await client.request("PATCH", path_of(c), params=params, json=body)
        if await is_singleton(client, c):
            return await client.request("PATCH", path_of(c), params=params, json=a.data)
        raise ArgumentProblem(
            "keys", f"{c} is not a singleton: give keys, query.filter, or an array of items with primary keys"
        )
    # delete
    keys = a.keys or []
    if len(keys) == 1:
        await client.request("DELETE", path_of(c, keys[0]))
    else:
        await client.request("DELETE", path_of(c), json=keys)
    return {"deleted": keys}


async def read_items(client: DirectusApi, collection: str, keys: Optional[list], q: Query) -> Any:
    params = q.to_params()
    if not keys:
        body = await client.request_body("GET", path_of(collection), params=params)
        if isinstance(body, dict) and "meta" in body:
            return body
        return body.get("data") if isinstance(body, dict) else body
    if len(keys) == 1:
        return await client.request("GET", path_of(collection, keys[0]), params=_one_item_params(params))
    pk = await primary_key(client, collection)
    if pk:
        params["filter"] = (
            {"_and": [{pk: {"_in": keys}}, params["filter"]]} if params.get("filter") else {pk: {"_in": keys}}
        )
        params.setdefault("limit", len(keys))
        return await client.request("GET", path_of(collection), params=params)
    # Without read access to the field list: fetch the items one by one.
    one = _one_item_params(params)
    results = await asyncio.gather(
        *(client.request("GET", path_of(collection, k), params=one) for k in keys), return_exceptions=True
    )
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return list(results)


def _one_item_params(params: dict) -> dict:
    return {k: v for k, v in params.items() if k in ("fields", "deep", "alias", "backlink")}


def preview(a: ItemsArgs) -> CallPreview:
    return with_related(_preview(a), a.data)  # nested data writes related items too: it always asks


def _preview(a: ItemsArgs) -> CallPreview:
    c = a.collection
    q = a.query.describe() if a.query else None
    if a.action == "chart":
        return visualize.preview(a)
    if a.action == "read":
        what = f" ({keys_text(a.keys)})" if a.keys else ""
        return read(f"Read {c}{what}", collection=c, keys=a.keys, query=q)
    if a.action == "create":
        n = len(a.data) if isinstance(a.data, list) else 1
        return write(f"Create {count(n, 'item')} in {c}", action="create", writes=n, collection=c, data=a.data)
    if a.action == "update":
        empties = blanks(a.data)
        if isinstance(a.data, list):
            n = len(a.data)
            return write(
                f"Update {count(n, 'item')} in {c}",
                action="update",
                writes=n,
                destructive=empties,
                collection=c,
                data=a.data,
            )
        if a.keys:
            n = len(a.keys)
            return write(
                f"Update {count(n, 'item')} in {c} ({keys_text(a.keys)})",
                action="update",
                writes=n,
                destructive=empties,
                collection=c,
                keys=a.keys,
                data=a.data,
            )
        if a.query and not a.query.writes_all:
            return write(
                f"Update every item in {c} that matches a filter",
                action="update",
                writes=0,
                destructive=empties,
                bulk=True,
                collection=c,
                query=q,
                data=a.data,
            )
        return write(
            f"Update {c} (singleton)", action="update", writes=1, destructive=empties, collection=c, data=a.data
        )
    n = len(a.keys or [])
    return write(
        f"Delete {count(n, 'item')} from {c} ({keys_text(a.keys)})",
        action="delete",
        writes=n,
        destructive=True,
        collection=c,
        keys=a.keys,
    )


TOOL = ToolDef(
    name="items",
    description=DESCRIPTION,
    input_model=ItemsArgs,
    run=run,
    preview=preview,
    scope=scope,
    capture=capture,
)
