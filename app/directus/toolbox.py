"""The Directus tools as the agent loop uses them (app.chat.agent.Tools), for one signed-in user.

Admin-only tools exist only for admins, and tools the user disabled are neither offered to the model nor
run if it names them anyway.

The admin tools (collections, fields, relations, flows, operations) are offered on demand: every request
pays for the tools it lists, and most conversations never change the schema or the automation. Until the
conversation needs them, the model sees one small `admin_tools` tool in their place; calling it (or
calling any admin tool by name) adds all of them to the rest of the conversation. Their modes and approvals
are unchanged: loading only shows them to the model.
"""

from __future__ import annotations

from typing import Any, Collection, Optional

from app.chat.approvals import ApprovalPolicy
from app.chat.model import ToolSpec
from app.directus.registry import (
    CallPreview,
    ToolOutcome,
    error_body,
    get_tool,
    preview_call,
    run_tool,
    tool_names,
    tool_specs,
)
from app.directus.tools.results import to_text

LOADER = "admin_tools"
LOADER_SUMMARY = "Load the admin tools (data model and automation)"


def call_summary(name: str, arguments: str) -> Optional[str]:
    """What a call does in plain words, for its card (the loader included); None when the call is invalid."""
    if name == LOADER:
        return LOADER_SUMMARY
    preview = preview_call(name, arguments or "{}")
    return preview.summary if isinstance(preview, CallPreview) else None


def loader_spec(names: list[str]) -> ToolSpec:
    return ToolSpec(
        name=LOADER,
        description="Admin: load the tools that change the data model and automation (%s). Call once before using them."
        % ", ".join(names),
        parameters={"type": "object", "properties": {}},
    )


class Toolbox:
    def __init__(self, client: Any, *, admin: bool, policy: ApprovalPolicy):
        self.client = client
        self.admin = admin
        self.policy = policy

    def _available(self, name: str) -> bool:
        return name in tool_names(admin=self.admin) and self.policy.enabled(name)

    def specs(self, used: Collection[str] = ()) -> list[ToolSpec]:
        """The tools to offer, given the names of the tools the conversation has called so far."""
        offered = tool_specs(admin=self.admin, enabled=self.policy.enabled)
        on_demand = [s for s in offered if _admin_only(s.name)]
        if not on_demand or LOADER in used or any(s.name in used for s in on_demand):
            return offered
        return [s for s in offered if not _admin_only(s.name)] + [loader_spec([s.name for s in on_demand])]

    def preview(self, name: str, arguments: str) -> Optional[CallPreview]:
        if not self._available(name):
            return None
        preview = preview_call(name, arguments)
        return preview if isinstance(preview, CallPreview) else None

    async def run(self, name: str, arguments: str) -> ToolOutcome:
        if name == LOADER:
            names = [s.name for s in self.specs(used=(LOADER,)) if _admin_only(s.name)]
            if names:
                body = {"loaded": names, "note": "These tools are available from your next step."}
                return ToolOutcome(content=to_text(body), ok=True, data=body)
        if not self._available(name):
            body = error_body("UNKNOWN_TOOL", f"The tool {name!r} is not available; use one of: {', '.join(t.name for t in self.specs(used=(LOADER,)))}.")
            return ToolOutcome(content=to_text(body), ok=False, data=body)
        return await run_tool(self.client, name, arguments)


def _admin_only(name: str) -> bool:
    tool = get_tool(name)
    return tool is not None and tool.admin_only
