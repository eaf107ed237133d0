"""`trigger_flow`: run an active manual flow on items of a collection, as the Directus app's flow buttons do.

    trigger_flow()                                    -> the active manual flows: id, name, collections, fields
    trigger_flow(id, collection, keys?, data?)        -> POST /flows/trigger/<id> {...data, collection, keys}

Before triggering we check what the app would: the flow is active and manual, the collection is one of the
flow's, keys are given when the flow requires a selection, and the flow's required confirmation fields are
in `data`. Users who may not read the flow's definition skip these checks; Directus still enforces them.
The flow receives exactly the collection and keys the prompt shows: `data` (the confirmation fields) cannot
name them. A run counts as a write of one item per key, so a run over many keys asks like a bulk write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from pydantic import field_validator

from app.directus.errors import DirectusError
from app.directus.paths import api_path
from app.directus.scope import Scope
from app.directus.tools.arguments import ArgsModel, ArgumentProblem, check_keys, check_name, keys_text
from app.directus.tools.definition import CallPreview, ToolDef, read, write
from app.directus.tools.query import KeysArg, keys_validator

if TYPE_CHECKING:
    from app.directus.client import DirectusApi

DESCRIPTION = "Run a manual flow on items. No id: list flows."

_FLOW_FIELDS = ["id", "name", "description", "status", "trigger", "options"]


class TriggerFlowArgs(ArgsModel):
    id: Optional[str] = None
    collection: Optional[str] = None
    keys: KeysArg = None
    data: Optional[dict[str, Any]] = None

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        return keys_validator(value)

    def check(self) -> None:
        if self.id and not self.collection:
            raise ArgumentProblem(
                "collection", "required: the collection the flow runs on (see the flow's collections)"
            )
        if not self.id and (self.collection or self.keys or self.data):
            raise ArgumentProblem("id", "required to run a flow; call trigger_flow with no arguments to list them")
        if self.id:
            check_keys([self.id], uuid=True, what="a flow id")
            check_name("collection", self.collection)
            check_keys(self.keys)
        for name in ("collection", "keys"):
            if name in (self.data or {}):
                raise ArgumentProblem(f"data.{name}", f"give {name} as its own argument, not inside data")


def describe_flow(flow: dict) -> dict:
    options = flow.get("options") or {}
    out: dict = {"id": flow.get("id"), "name": flow.get("name")}
    if flow.get("description"):
        out["description"] = flow["description"]
    out["collections"] = options.get("collections") or []
    if options.get("requireSelection", True) is not False:
        out["keys"] = "required"
    fields = [_field_text(f) for f in options.get("fields") or [] if isinstance(f, dict) and f.get("field")]
    if fields:
        out["data"] = fields
    return out


def _field_text(f: dict) -> str:
    required = bool((f.get("meta") or {}).get("required"))
    return f"{f['field']} ({f.get('type') or 'string'}{', required' if required else ''})"


async def run(client: DirectusApi, a: TriggerFlowArgs) -> Any:
    if not a.id:
        params = {
            "fields": _FLOW_FIELDS,
            "filter": {"trigger": {"_eq": "manual"}, "status": {"_eq": "active"}},
            "limit": -1,
        }
        flows = await client.request("GET", "/flows", params=params) or []
        return [describe_flow(f) for f in flows]
    flow = await _read_flow(client, a.id)
    if flow is not None:
        _check_against(flow, a)
    return await client.request("POST", api_path("flows", "trigger", a.id), json=body_of(a))


def body_of(a: TriggerFlowArgs) -> dict:
    """What the flow receives: the confirmation fields, then the collection and keys shown (never overwritten)."""
    body: dict = {k: v for k, v in (a.data or {}).items() if k not in ("collection", "keys")}
    body["collection"] = a.collection
    if a.keys is not None:
        body["keys"] = a.keys
    return body


def scope(a: TriggerFlowArgs) -> Scope:
    if not a.id:
        return Scope.of("GET", "flows")
    return Scope.of("GET", "flows", a.id) | Scope.of("POST", "flows", "trigger", a.id)


async def _read_flow(client: DirectusApi, flow_id: str) -> Optional[dict]:
    try:
        flow = await client.request("GET", api_path("flows", flow_id), params={"fields": _FLOW_FIELDS})
    except DirectusError as exc:
        if exc.code == "FORBIDDEN":
            return None  # not allowed to read flows (or no such flow): Directus decides at trigger time
        raise
    return flow if isinstance(flow, dict) else None


def _check_against(flow: dict, a: TriggerFlowArgs) -> None:
    name = flow.get("name") or a.id
    if flow.get("trigger") != "manual":
        raise ArgumentProblem(
            "id", f"flow {name!r} is not a manual flow (trigger: {flow.get('trigger')}); it cannot be run here"
        )
    if flow.get("status") != "active":
        raise ArgumentProblem("id", f"flow {name!r} is inactive; an administrator must activate it first")
    options = flow.get("options") or {}
    collections = options.get("collections") or []
    if a.collection not in collections:
        raise ArgumentProblem(
            "collection", f"flow {name!r} runs on {', '.join(collections) or 'no collection'}, not {a.collection}"
        )
    if options.get("requireSelection", True) is not False and not a.keys:
        raise ArgumentProblem("keys", f"flow {name!r} needs the keys of the items to run on")
    data = a.data or {}
    missing = [
        f["field"]
        for f in options.get("fields") or []
        if isinstance(f, dict) and (f.get("meta") or {}).get("required") and data.get(str(f.get("field"))) in (None, "")
    ]
    if missing:
        raise ArgumentProblem("data", f"flow {name!r} needs {', '.join(missing)} in data")


def preview(a: TriggerFlowArgs) -> CallPreview:
    if not a.id:
        return read("List the manual flows")
    on = f" on {a.collection}" + (f" ({keys_text(a.keys)})" if a.keys else "")
    keys = len(a.keys or [])
    return write(
        f"Run flow {a.id}{on}",
        action="run",
        writes=max(keys, 1),  # one run, or one item per key it runs on
        collection=a.collection,
        keys=a.keys,
        data=a.data,
    )


TOOL = ToolDef(
    name="trigger_flow", description=DESCRIPTION, input_model=TriggerFlowArgs, run=run, preview=preview, scope=scope
)
