"""The Directus tools as the agent loop uses them (app.chat.agent.Tools), for one signed-in user.

    box = Toolbox(client, admin=user.admin, policy=settings.tools, calls=calls)   # once per connection and policy
    call = box.prepare("items", arguments)     # app/directus/prepared.py: parsed and checked once
    outcome = await box.run(call)              # no parsing again
    calls.describe(tool_call_part)             # (summary, links) of any call of the history, for its card

Admin-only tools exist only for admins, and tools the user disabled are neither offered to the model nor
run if it names them anyway. With the user's access (app/directus/capabilities.py, read at connect time), a tool
offers only the actions the user's Directus permissions allow somewhere, a tool with none is not offered, the
first tool's description carries one line saying what the user may do (so what not), and a call the
permissions refuse is refused when prepared (app/directus/prepared.py `permitted`): no approval prompt for it.

The admin tools (collections, fields, relations, flows, operations) are offered on demand: every request
pays for the tools it lists, and most conversations never change the schema or the automation. Until the
conversation needs them, the model sees one small `admin_tools` tool in their place; calling it (or
calling any admin tool by name) adds all of them to the rest of the conversation. Their modes and approvals
are unchanged: loading only shows them to the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Collection, Optional

from app.chat.approvals import ApprovalPolicy
from app.chat.model import ToolCallPart, ToolSpec
from app.directus.links import Link
from app.directus.prepared import PreparedCall, permitted, prepare
from app.directus.registry import ToolOutcome, error_body, get_tool, run_call, tool_names, tool_specs
from app.directus.tools.results import to_text

if TYPE_CHECKING:
    from app.directus.capabilities import Access
    from app.directus.client import DirectusClient

LOADER = "admin_tools"
LOADER_SUMMARY = "Load the admin tools (data model and automation)"


def prepare_call(name: str, arguments: str, directus_url: str = "") -> PreparedCall:
    """A call prepared whatever the user's tools are now (the loader included): what its card shows."""
    if name == LOADER:
        return PreparedCall(name, arguments, summary=LOADER_SUMMARY)
    return prepare(name, arguments, directus_url)


class PreparedCalls:
    """The calls of the conversations on screen, each prepared once: the cards read them on every frame, and the
    toolbox hands the agent the same ones. Kept by what a call is (tool name and argument text: equal calls are
    prepared alike), so the agent's `prepare(name, arguments)` and a card's call part find the same entry. The
    links name the Directus URL: a new URL starts afresh."""

    LIMIT = 1000  # calls kept; past it the oldest go (a card drawn again prepares its call again)

    def __init__(self, directus_url: str = ""):
        self.directus_url = directus_url
        self._calls: dict[tuple[str, str], PreparedCall] = {}

    def use_url(self, directus_url: str) -> None:
        if directus_url != self.directus_url:
            self.directus_url = directus_url
            self._calls.clear()

    def get(self, name: str, arguments: str) -> PreparedCall:
        key = (name, arguments)
        call = self._calls.get(key)
        if call is None:
            if len(self._calls) >= self.LIMIT:
                del self._calls[next(iter(self._calls))]
            call = self._calls[key] = prepare_call(name, arguments, self.directus_url)
        return call

    def describe(self, call: ToolCallPart) -> tuple[Optional[str], list[Link]]:
        """(what the call does in plain words, "Open in Directus" links) for its card; (None, []) if invalid."""
        try:
            prepared = self.get(call.name, call.arguments or "")
        except Exception:  # noqa: BLE001 - a summary is a nicety: a bug in one shows a card without it, not a broken card
            return None, []
        return prepared.summary, list(prepared.links)


def loader_spec(names: list[str]) -> ToolSpec:
    return ToolSpec(
        name=LOADER,
        description="Admin tools: %s." % ", ".join(names),
        parameters={"type": "object", "properties": {}},
    )


class Toolbox:
    def __init__(
        self,
        client: "DirectusClient",
        admin: bool,
        policy: ApprovalPolicy,
        calls: Optional[PreparedCalls] = None,
        access: Optional["Access"] = None,
        *,
        on_refused: Optional[Callable[[], None]] = None,
    ):
        self.client = client
        self.admin = admin
        self.policy = policy  # read on every call: a mode changed in Settings applies at once
        self.calls = calls if calls is not None else PreparedCalls()
        self.access = access  # None: not read (yet): every tool and action is offered, Directus decides
        self.on_refused = on_refused  # Directus refused a call we thought allowed: the permissions may have changed

    @property
    def key(self) -> tuple:
        """What it was made for (the constructor's arguments): another client, role, policy or access needs a new
        toolbox."""
        return (self.client, self.admin, self.policy, self.calls, self.access)

    def _available(self, name: str) -> bool:
        unavailable = self.access.unavailable if self.access is not None else {}
        return name in tool_names(admin=self.admin) and self.policy.enabled(name) and name not in unavailable

    def specs(self, used: Collection[str] = ()) -> list[ToolSpec]:
        """The tools to offer, given the names of the tools the conversation has called so far."""
        offered = [self._permitted(s) for s in tool_specs(admin=self.admin, enabled=self.policy.enabled, used=used)]
        offered = [s for s in offered if self._available(s.name)]
        on_demand = [s for s in offered if _admin_only(s.name)]
        if on_demand and LOADER not in used and not any(s.name in used for s in on_demand):
            offered = [s for s in offered if not _admin_only(s.name)] + [loader_spec([s.name for s in on_demand])]
        note = self.access.note() if self.access is not None else ""
        if note and offered:  # one line, on the first tool (schema): what this user may do
            offered[0] = offered[0].model_copy(update={"description": f"{offered[0].description}\n{note}"})
        return offered

    def _permitted(self, spec: ToolSpec) -> ToolSpec:
        """The spec with only the actions the user's permissions allow somewhere."""
        if self.access is None:
            return spec
        action = spec.parameters.get("properties", {}).get("action")
        offered = action.get("enum") if isinstance(action, dict) else None
        if not isinstance(offered, list):
            return spec
        kept = self.access.permissions.tool_actions(spec.name, offered)
        if kept == offered:
            return spec
        properties = {**spec.parameters["properties"], "action": {**action, "enum": kept}}
        return spec.model_copy(update={"parameters": {**spec.parameters, "properties": properties}})

    def prepare(self, name: str, arguments: str) -> PreparedCall:
        """The call, parsed and checked once; one of a tool this user does not have is refused (no preview: it
        runs at once, to tell the model). The loader has no preview either: it only shows tools to the model."""
        call = self.calls.get(name, arguments)
        if name != LOADER and not self._available(name):
            return call.refused(self._unavailable(name))
        return permitted(call, self.access.permissions) if self.access is not None else call

    async def run(self, call: PreparedCall) -> ToolOutcome:
        if call.name == LOADER:
            names = [s.name for s in self.specs(used=(LOADER,)) if _admin_only(s.name)]
            if names:
                body = {"loaded": names, "note": "These tools are available from your next step."}
                return ToolOutcome(content=to_text(body), ok=True, data=body)
        if not self._available(call.name):  # checked again: a mode may have changed while the call waited
            body = self._unavailable(call.name)
            return ToolOutcome(content=to_text(body), ok=False, data=body)
        outcome = await run_call(self.client, call)
        error = outcome.data.get("error") if isinstance(outcome.data, dict) else None
        if not outcome.ok and isinstance(error, dict) and error.get("code") == "FORBIDDEN" and self.on_refused:
            self.on_refused()
        return outcome

    def _unavailable(self, name: str) -> dict:
        names = ", ".join(t.name for t in self.specs(used=(LOADER,)))
        why = self.access.unavailable.get(name) if self.access is not None else None
        reason = f"The tool {name!r} is not available" + (f": {why}" if why else "")
        return error_body("UNKNOWN_TOOL", f"{reason.rstrip('.')}; use one of: {names}.")


def _admin_only(name: str) -> bool:
    tool = get_tool(name)
    return tool is not None and tool.admin_only
