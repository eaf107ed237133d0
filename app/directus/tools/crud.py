"""Create / read / update / delete over one keyed REST endpoint (folders, flows, operations).

read    keys?             GET base[/key]        (several keys: filter id _in; none: all)
create  data obj | array  POST base
update  keys + data       PATCH base/key | PATCH base {keys, data};  data array with ids: PATCH base [..]
delete  keys              DELETE base/key | DELETE base [keys]

Keys are UUIDs, as Directus gives folders, flows and operations; a call reaches its base and its keys only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Literal

from pydantic import field_validator

from app.directus.paths import api_path
from app.directus.scope import Scope, union
from app.directus.tools.arguments import ArgsModel, ArgumentProblem, check_keys, keys_text
from app.directus.tools.definition import CallPreview, blanks, count, read, write
from app.directus.tools.query import KeysArg, ObjectDataArg, keys_validator

if TYPE_CHECKING:
    from app.directus.client import DirectusApi


class CrudArgs(ArgsModel):
    action: Literal["create", "read", "update", "delete"]
    keys: KeysArg = None
    data: ObjectDataArg = None

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        return keys_validator(value)

    def check(self) -> None:
        a = self.action
        check_keys(self.keys, uuid=True, what="an id")
        if a in ("read", "delete") and self.data is not None:
            raise ArgumentProblem("data", f"not used by {a}; remove it")
        if a == "create":
            if self.data is None:
                raise ArgumentProblem("data", "required for create: an object, or an array of objects")
            if self.keys:
                raise ArgumentProblem("keys", "not used by create")
        if a == "update":
            if self.data is None:
                raise ArgumentProblem("data", "required for update")
            if isinstance(self.data, list):
                if self.keys:
                    raise ArgumentProblem("keys", "an array of data updates each entry by its id; drop keys")
            elif not self.keys:
                raise ArgumentProblem("keys", "required for update (or send data as an array of objects with ids)")
        if a == "delete" and not self.keys:
            raise ArgumentProblem("keys", "delete needs the ids; read them first")


def path(base: str, key: Any = None) -> str:
    """base: "folders" (one segment)."""
    return api_path(base) if key is None else api_path(base, key)


_VERBS = {"read": "GET", "create": "POST", "update": "PATCH", "delete": "DELETE"}


def crud_scope(base: str, a: CrudArgs) -> Scope:
    methods = "GET " + _VERBS[a.action]
    return union([Scope.of(methods, base), *(Scope.of(methods, base, k) for k in a.keys or [])])


async def run_crud(client: DirectusApi, base: str, a: CrudArgs, *, shape: Callable[[Any], Any] = lambda v: v) -> Any:
    if a.action == "read":
        if a.keys and len(a.keys) == 1:
            return shape(await client.request("GET", path(base, a.keys[0])))
        params: dict[str, Any] = {"filter": {"id": {"_in": a.keys}}} if a.keys else {}
        params["limit"] = -1
        return shape(await client.request("GET", path(base), params=params))
    if a.action == "create":
        return shape(await client.request("POST", path(base), json=a.data))
    if a.action == "update":
        if isinstance(a.data, list):
            return shape(await client.request("PATCH", path(base), json=a.data))
        keys = a.keys or []
        if len(keys) == 1:
            return shape(await client.request("PATCH", path(base, keys[0]), json=a.data))
        return shape(await client.request("PATCH", path(base), json={"keys": keys, "data": a.data}))
    keys = a.keys or []
    if len(keys) == 1:
        await client.request("DELETE", path(base, keys[0]))
    else:
        await client.request("DELETE", path(base), json=keys)
    return {"deleted": keys}


def crud_preview(a: CrudArgs, noun: str, where: str, *, ask_writes: bool = False) -> CallPreview:
    """noun: "folder"; where: "file folders". `ask_writes`: a create or update always asks (flows and operations:
    one can make Directus send data anywhere on every event, so "Always allow" is not offered for them)."""
    if a.action == "read":
        what = f" ({keys_text(a.keys)})" if a.keys else ""
        return read(f"Read {where}{what}", keys=a.keys)
    if a.action == "create":
        n = len(a.data) if isinstance(a.data, list) else 1
        return write(f"Create {count(n, noun)}", action="create", writes=n, always_ask=ask_writes, data=a.data)
    if a.action == "update":
        n = len(a.data) if isinstance(a.data, list) else len(a.keys or [])
        ids = f" ({keys_text(a.keys)})" if a.keys else ""
        return write(
            f"Update {count(n, noun)}{ids}",
            action="update",
            writes=n,
            destructive=blanks(a.data),
            always_ask=ask_writes,
            keys=a.keys,
            data=a.data,
        )
    n = len(a.keys or [])
    return write(
        f"Delete {count(n, noun)} ({keys_text(a.keys)})", action="delete", writes=n, destructive=True, keys=a.keys
    )
