"""The tool catalogue: what the model is offered, and running one prepared call safely.

    tool_specs(admin=False)                       -> [ToolSpec]   (admin-only tools hidden from non-admins)
    call = prepare("items", '{"action":"delete",...}')           (app/directus/prepared.py: parsed once there)
    await run_call(client, call)                  -> ToolOutcome(content, ok, data, undo); never raises for
                                                     tool, validation or Directus errors

A call that was not prepared well (unknown tool, invalid arguments) runs nothing: its error goes back to the model
as `{"error": {"code", "message", "retryable", "next"}}` so it can fix the call. So do Directus's errors, and a
request outside the paths the call declared (PATH_REFUSED: app/directus/scope.py), which is never sent.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, Collection, Optional

from app.chat.model import ToolSpec
from app.directus.errors import DirectusError
from app.directus.scope import scoped
from app.directus.tools.arguments import ArgumentProblem, ToolArgumentError
from app.directus.tools.definition import CallPreview, ToolDef, ToolOutcome, WithView
from app.directus.tools.json_schema import compact_schema
from app.directus.tools.results import BUDGET, fit, to_text

if TYPE_CHECKING:
    from app.directus.client import DirectusClient
    from app.directus.prepared import PreparedCall

__all__ = [
    "CallPreview",
    "ToolArgumentError",
    "ToolDef",
    "ToolOutcome",
    "all_tools",
    "error_body",
    "get_tool",
    "run_call",
    "tool_names",
    "tool_specs",
]

# Order matters a little: models read the list top-down.
TOOL_MODULES = (
    "schema",
    "items",
    "files",
    "folders",
    "trigger_flow",
    "collections",
    "fields",
    "relations",
    "flows",
    "operations",
    "dashboard",
)

_tools: Optional[dict[str, ToolDef]] = None


def all_tools() -> dict[str, ToolDef]:
    global _tools
    if _tools is None:
        loaded = {}
        for module in TOOL_MODULES:
            tool: ToolDef = importlib.import_module("app.directus.tools." + module).TOOL
            if tool.parameters is None:
                tool.parameters = compact_schema(tool.input_model)
            loaded[tool.name] = tool
        _tools = loaded
    return _tools


def get_tool(name: str) -> Optional[ToolDef]:
    return all_tools().get(name)


def tool_names(*, admin: bool) -> list[str]:
    return [t.name for t in all_tools().values() if admin or not t.admin_only]


def tool_specs(
    *, admin: bool, enabled: Optional[Callable[[str], bool]] = None, used: Collection[str] = ()
) -> list[ToolSpec]:
    """The tools to offer; one offered on use only (ToolDef.on_use) when `used` names it."""
    return [
        ToolSpec(name=t.name, description=t.description, parameters=t.parameters or {})
        for t in all_tools().values()
        if (admin or not t.admin_only) and (enabled is None or enabled(t.name)) and (not t.on_use or t.name in used)
    ]


_NEXT = {
    "FORBIDDEN": "Tell the user they lack permission (or the name is wrong: check with schema). Do not retry.",
    "INVALID_QUERY": "Fix the query (check field names with schema) and retry once.",
    "INVALID_PAYLOAD": "Fix the data (check fields and types with schema) and retry once.",
    "RECORD_NOT_UNIQUE": "A unique field already has this value; pick another or update the existing item.",
    "CONTAINS_NULL_VALUES": "Fill the required fields (see schema) and retry once.",
    "VALUE_OUT_OF_RANGE": "A value is too large for its field; fix it and retry once.",
    "VALUE_TOO_LONG": "A value is too long for its field; shorten it and retry once.",
    "LIMIT_EXCEEDED": "A license limit was reached; tell the user.",
    "UNREACHABLE": "Tell the user Directus could not be reached; they should check the connection.",
    "CORS": "Tell the user to allow this app's origin in Directus's CORS settings.",
    "TOKEN_EXPIRED": "Ask the user to sign in to Directus again.",
    "INVALID_CREDENTIALS": "Ask the user to check their Directus token or sign in again.",
    "SERVICE_UNAVAILABLE": "Directus could not do it right now; retry once later or tell the user.",
    "ADMIN_ONLY": "Tell the user this needs an administrator. Do not retry.",
    "PATH_REFUSED": "Use the exact collection and field names from schema and the keys as read. Do not retry as is.",
    "REDIRECT": "Tell the user the Directus URL redirects: they should enter the final address in Settings.",
    "NOT_DIRECTUS": "Tell the user the Directus URL does not answer like Directus: they should check it in Settings.",
}


def error_body(
    code: str, message: str, retryable: bool = False, next_step: Optional[str] = None, directus: str = ""
) -> dict:
    """An error the model reads: `message` in the user's words (the tool card shows it), Directus's own text
    (`directus`, when it was reworded) and `next`, what the model should do, in the model's."""
    body = {"code": code, "message": message, "retryable": retryable}
    if directus and directus != message:
        body["directus"] = directus
    hint = next_step or _NEXT.get(code)
    if hint:
        body["next"] = hint
    return {"error": body}


def _failure(body: dict) -> ToolOutcome:
    return ToolOutcome(content=to_text(body), ok=False, data=body)


async def run_call(client: "DirectusClient", call: "PreparedCall", *, budget: int = BUDGET) -> ToolOutcome:
    """Run a prepared call: undo's capture (read again now, right before the write), then the tool itself."""
    if call.error is not None:
        return _failure(call.error)
    tool, args = call.tool, call.args
    if tool is None or args is None:
        return _failure(error_body("UNKNOWN_TOOL", f"There is no tool {call.name!r}."))
    try:
        if tool.admin_only:
            user = await client.me()
            if not user.admin:
                return _failure(error_body("ADMIN_ONLY", f"The {call.name} tool needs an administrator account."))
        plan = await call.capture(client)
        result = await tool.run(scoped(client, call.scope), args)  # only the paths the call declared
    except ArgumentProblem as problem:
        return _failure(ToolArgumentError(call.name, [(problem.path, problem.message)]).body())
    except DirectusError as exc:
        return _failure(error_body(exc.code, exc.message, exc.retryable, directus=exc.detail))
    except Exception as exc:  # noqa: BLE001 - the last resort: a hostile or odd answer must not end the turn silently
        return _failure(_unexpected(exc))
    view = None
    if isinstance(result, WithView):
        result, view = result.result, result.view
    if result is None:
        result = {"ok": True}
    try:
        offset = getattr(getattr(args, "query", None), "offset", None)
        content, _cut = fit(result, budget, offset=offset)
        plan = plan.completed(result) if plan is not None else None
    except Exception as exc:  # noqa: BLE001 - as above: the write ran; the model reads that its answer was odd
        return _failure(_unexpected(exc))
    undo = plan.model_dump() if plan is not None else None
    return ToolOutcome(content=content, ok=True, data=result, undo=undo, view=view)


def _unexpected(exc: Exception) -> dict:
    return error_body(
        "UNEXPECTED_ANSWER",
        f"Directus answered in an unexpected shape ({type(exc).__name__}); the call may or may not have run.",
        next_step="Read the data again to check, then tell the user if it still fails. Do not repeat a write blindly.",
    )
