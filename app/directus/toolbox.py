"""The Directus tools as the agent loop uses them (app.chat.agent.Tools), for one signed-in user.

Admin-only tools exist only for admins, and tools the user disabled are neither offered to the model nor
run if it names them anyway.
"""

from __future__ import annotations

from typing import Any, Optional

from app.chat.approvals import ApprovalPolicy
from app.chat.model import ToolSpec
from app.directus.registry import CallPreview, ToolOutcome, error_body, preview_call, run_tool, tool_names, tool_specs
from app.directus.tools.results import to_text


class Toolbox:
    def __init__(self, client: Any, *, admin: bool, policy: ApprovalPolicy):
        self.client = client
        self.admin = admin
        self.policy = policy

    def _available(self, name: str) -> bool:
        return name in tool_names(admin=self.admin) and self.policy.enabled(name)

    def specs(self) -> list[ToolSpec]:
        return tool_specs(admin=self.admin, enabled=self.policy.enabled)

    def preview(self, name: str, arguments: str) -> Optional[CallPreview]:
        if not self._available(name):
            return None
        preview = preview_call(name, arguments)
        return preview if isinstance(preview, CallPreview) else None

    async def run(self, name: str, arguments: str) -> ToolOutcome:
        if not self._available(name):
            body = error_body("UNKNOWN_TOOL", f"The tool {name!r} is not available; use one of: {', '.join(t.name for t in self.specs())}.")
            return ToolOutcome(content=to_text(body), ok=False, data=body)
        return await run_tool(self.client, name, arguments)
