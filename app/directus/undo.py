"""Undo for writes to items, file folders and file details: what a write is about to change, captured just
before it runs, and how to put it back.

    plan = await capture(client, args)    # before the write (items tool arguments); None: no undo for this call
    plan = plan.completed(result)         # after it: a create learns the keys it made
    await apply(client, plan)             # the user pressed Undo

Undo puts back the fields an update changed, deletes what a create (or a file import) made, and creates again
the items or folders a delete removed, with their own fields. It stays out of what it cannot put back
faithfully: relational list fields (o2m, m2m, m2a are "alias" fields in Directus), updates by query over
UNDO_LIMIT items, deleted files (their content is gone), and plans over MAX_PLAN_CHARS (the plan is kept with
the conversation in localStorage). What Directus did around the call (flows, cascades, links from other items
to a deleted one, files that were in a deleted folder) is not undone; the summary says so for deletes.

A plan is kept with the conversation, so it may come from an imported file: it loads only when it names an items
collection (an identifier, not directus_*) or the folders or files endpoint, and `apply` reaches that base only.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Awaitable, Literal, Optional

from pydantic import BaseModel, Field, model_validator

from app.directus.errors import DirectusError
from app.directus.paths import api_path, name_problem
from app.directus.scope import Scope, scoped
from app.directus.tools.collection_info import fields_of, is_singleton, primary_key
from app.directus.tools.definition import count

if TYPE_CHECKING:
    from app.directus.client import DirectusApi
    from app.directus.tools.crud import CrudArgs
    from app.directus.tools.files import FilesArgs
    from app.directus.tools.items import ItemsArgs
    from app.directus.tools.query import Query

UNDO_LIMIT = 100
MAX_PLAN_CHARS = 50_000
_SYSTEM = {  # the endpoints a plan may name
    "/folders": "directus_folders",
    "/files": "directus_files",
    "/dashboards": "directus_dashboards",
    "/panels": "directus_panels",
}


class UndoPlan(BaseModel):
    kind: Literal["create", "update", "delete", "singleton"]  # the call it undoes
    summary: str  # what Undo will do, in plain words
    collection: str  # for folders and files: directus_folders, directus_files
    endpoint: str = ""  # "/folders", "/files"; "" for items: /items/<collection>
    noun: str = "item"  # "file folder", "file": what the summaries count
    pk: str = ""
    delete_keys: list = Field(default_factory=list)  # items the call created
    restore: list[dict] = Field(default_factory=list)  # items as they were: primary key + the fields it changed
    recreate: list[dict] = Field(default_factory=list)  # items it deleted, with their own fields
    singleton: Optional[dict] = None  # a singleton's values before the call

    @model_validator(mode="after")
    def _reaches_its_own_base(self) -> "UndoPlan":
        """A plan reaches an items collection, or the folders or files endpoint, and nothing else."""
        system = _SYSTEM.get(self.endpoint)
        if self.endpoint and system != self.collection:
            raise ValueError(f"an undo plan cannot reach {self.endpoint!r} for {self.collection!r}")
        if not self.endpoint and (name_problem(self.collection) or self.collection.startswith("directus_")):
            raise ValueError(f"an undo plan cannot reach the collection {self.collection!r}")
        return self

    def completed(self, result: Any) -> Optional["UndoPlan"]:
        """The plan once the call has run: a create learns its keys (None if the result does not show them)."""
        if self.kind != "create":
            return self
        rows = result if isinstance(result, list) else [result]
        made = [row for row in rows if isinstance(row, dict) and not ("error" in row and self.pk not in row)]
        keys = [row.get(self.pk) for row in made]  # (an import reports the URLs it could not fetch as errors)
        if not keys or any(k is None for k in keys):
            return None
        return self.model_copy(
            update={
                "delete_keys": keys,
                "summary": f"Delete the {count(len(keys), self.noun)} this created{self.where}",
            }
        )

    @property
    def base(self) -> str:
        return self.endpoint or _path(self.collection)

    @property
    def where(self) -> str:
        return "" if self.endpoint else " in " + self.collection


async def capture(client: DirectusApi, args: ItemsArgs) -> Optional[UndoPlan]:
    """What an `items` write needs to be undone, read before it runs; None when it cannot be (or it only reads)."""
    return await _bounded(_capture(client, args))


async def capture_folders(client: DirectusApi, a: CrudArgs) -> Optional[UndoPlan]:
    """The same for the `folders` tool: folders are {id, name, parent, type (files or flows)}."""
    system = {"collection": "directus_folders", "endpoint": "/folders", "noun": "file folder", "pk": "id"}
    return await _bounded(
        _capture_system(
            client,
            a,
            system,
            recreate_fields=("id", "name", "parent", "type"),
            lost_on_delete="files and folders that were in it are not moved back",
        )
    )


async def capture_files(client: DirectusApi, a: FilesArgs) -> Optional[UndoPlan]:
    """The same for the `files` tool: an import is undone by deleting the files it made, an update of their details
    by putting the fields back. A deleted file cannot come back: its content is gone."""
    system = {"collection": "directus_files", "endpoint": "/files", "noun": "file", "pk": "id"}
    if a.action == "import":
        if a.query and a.query.fields and "id" not in a.query.fields:
            return None
        return UndoPlan(kind="create", summary="", **system)
    if a.action != "update":
        return None
    return await _bounded(_capture_system(client, a, system))


async def _bounded(capturing: Awaitable[Optional[UndoPlan]]) -> Optional[UndoPlan]:
    try:
        plan = await capturing
    except DirectusError:  # e.g. the user may write but not read: the call runs, without undo
        return None
    if plan is not None and len(plan.model_dump_json()) > MAX_PLAN_CHARS:
        return None
    return plan


async def _capture_system(
    client: DirectusApi, a: CrudArgs | FilesArgs, system: dict, recreate_fields: tuple = (), lost_on_delete: str = ""
) -> Optional[UndoPlan]:
    """`recreate_fields`: what a deleted record is created again with (those the Directus has); none: no undo."""
    base = system["endpoint"]
    if a.action == "create":
        return UndoPlan(kind="create", summary="", **system)
    if a.action == "delete":
        if not recreate_fields:
            return None
        rows = await _read(client, base, "id", list(a.keys or []), ["*"])
        before = [{k: v for k, v in row.items() if k in recreate_fields} for row in rows]
        if not before:
            return None
        return UndoPlan(
            kind="delete",
            recreate=_parents_first(before),
            **system,
            summary=f"Create the {count(len(before), 'deleted ' + system['noun'])} again ({lost_on_delete})",
        )
    if a.action != "update":
        return None
    return await _capture_update(client, a, UndoPlan(kind="update", summary="", **system), aliases=set())


async def _capture(client: DirectusApi, a: ItemsArgs) -> Optional[UndoPlan]:
    c = a.collection
    if a.action == "read":
        return None
    if isinstance(a.data, dict) and a.action == "update" and not a.keys and (a.query is None or a.query.writes_all):
        if await is_singleton(client, c):
            before = await client.request("GET", _path(c), params={"fields": list(a.data)})
            return UndoPlan(
                kind="singleton", summary=f"Put back the previous values of {c}", collection=c, singleton=before or {}
            )
    pk = await primary_key(client, c)
    if not pk:
        return None
    fields = await fields_of(client, c) or []
    aliases = {f["field"] for f in fields if f.get("type") == "alias"}
    if a.action == "create":
        if a.query and a.query.fields and pk not in a.query.fields:
            return None  # the result will not show the new keys
        return UndoPlan(kind="create", summary="", collection=c, pk=pk)
    if a.action == "delete":
        own = [f["field"] for f in fields if f["field"] not in aliases]
        before = await _read(client, _path(c), pk, list(a.keys or []), own)
        if not before:
            return None
        summary = (
            f"Create the {count(len(before), 'deleted item')} in {c} again "
            "(their own fields; links from other items are not restored)"
        )
        return UndoPlan(kind="delete", summary=summary, collection=c, pk=pk, recreate=before)
    return await _capture_update(client, a, UndoPlan(kind="update", summary="", collection=c, pk=pk), aliases)


async def _capture_update(
    client: DirectusApi, a: ItemsArgs | CrudArgs | FilesArgs, plan: UndoPlan, aliases: set
) -> Optional[UndoPlan]:
    """An update by keys, by a list of rows with their keys, or by query (up to UNDO_LIMIT matches)."""
    if a.data is None:  # never: the arguments were checked (an update has data)
        return None
    pk = plan.pk
    query: Optional[Query] = getattr(a, "query", None)  # the folders tool has none
    rows = a.data if isinstance(a.data, list) else [a.data]
    touched = sorted({name for row in rows for name in row} - {pk})
    if not touched or set(touched) & aliases:
        return None
    if isinstance(a.data, list):
        keys = [row.get(pk) for row in rows]
        if any(k is None for k in keys):
            return None
    elif a.keys:
        keys = list(a.keys)
    elif query is None or query.writes_all:
        return None  # the call itself refuses this (not a singleton)
    else:
        params = {k: v for k, v in query.to_params().items() if k in ("filter", "search")}
        found = await client.request("GET", plan.base, params={**params, "fields": [pk], "limit": UNDO_LIMIT + 1})
        if not isinstance(found, list) or len(found) > UNDO_LIMIT:
            return None
        keys = [row[pk] for row in found]
    before = await _read(client, plan.base, pk, keys, [pk, *touched])
    if not before:
        return None
    summary = f"Put back the previous values of {count(len(before), plan.noun)}{plan.where}"
    return plan.model_copy(update={"summary": summary, "restore": before})


def _parents_first(folders: list[dict]) -> list[dict]:
    """Deleted folders in an order they can be created again: a parent before the folders in it."""
    left, ordered, placed = list(folders), [], set()
    ids = {f.get("id") for f in folders}
    while left:
        ready = [f for f in left if f.get("parent") not in ids or f.get("parent") in placed]
        ready = ready or left  # a cycle cannot happen in Directus; never loop forever on bad data
        for f in ready:
            ordered.append(f)
            placed.add(f.get("id"))
        left = [f for f in left if f.get("id") not in placed]
    return ordered


async def _read(client: DirectusApi, base: str, pk: str, keys: list, fields: list[str]) -> list[dict]:
    if not keys:
        return []
    rows = await client.request(
        "GET",
        base,
        params={
            "filter": {pk: {"_in": keys}},
            "fields": fields,
            "limit": len(keys),
        },
    )
    return rows if isinstance(rows, list) else []


async def apply(client: DirectusApi, plan: UndoPlan) -> None:
    """Put things back as the plan says, reaching the plan's base only. Raises DirectusError (e.g. FORBIDDEN, or an
    item changed since)."""
    base = plan.base
    client = scoped(client, Scope(frozenset((method, base) for method in ("PATCH", "DELETE", "POST"))))
    if plan.singleton is not None:
        await client.request("PATCH", base, json=plan.singleton)
    if plan.delete_keys:
        await client.request("DELETE", base, json=plan.delete_keys)
    if plan.restore:
        await client.request("PATCH", base, json=plan.restore)
    if plan.recreate:
        await client.request("POST", base, json=plan.recreate)


def undone_note(plan: UndoPlan) -> str:
    """What the model reads in front of the call's result once the user has undone it."""
    return json.dumps({"undone_by_user": plan.summary}) + "\n"


def _path(collection: str) -> str:
    return api_path("items", collection)
