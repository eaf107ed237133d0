"""Tool modes (always / ask / disabled) and the decision for one call.

Every tool is `ask` until the user says otherwise, as in Directus's own assistant. A disabled tool is not
offered to the model at all. Two switches cut the nagging without giving up safety:

- `allow_reads`: read-only calls run without asking (the one-click preset), whatever their tool's mode
  (except `disabled`);
- `confirm_destructive` (on by default): deletes and bulk writes by query always ask, even when their tool
  is `always`.

"Always allow" on an approval card covers what the user saw: the tool and the action ("items: read"), kept in
`allowed`, never the whole tool. A whole tool is set to always only in Settings → Tools, where the user sees it.

Approval is data: a call that needs the user's say waits as a `PendingApproval` (the call as the tools prepared
it) until the user decides; a call the user did not let run is answered with a result the model reads
(`denied_result`, `stopped_result`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, Field

from app.chat.model import ToolCallPart, ToolResultPart, ToolStatus

if TYPE_CHECKING:
    import asyncio

    from app.chat.tools import CallPreview, PreparedCall

Mode = Literal["always", "ask", "disabled"]
MODES: tuple[Mode, ...] = ("always", "ask", "disabled")
Decision = Literal["run", "ask", "refuse"]
UserDecision = Literal["approve", "deny", "always"]
BULK_LIMIT = 5  # writes of this many items, rows or files or more (in one call or one turn) are bulk


class CallFacts(Protocol):
    """What the approval decision needs to know about one call (a prepared call's preview has it:
    app/directus/tools/definition.py CallPreview)."""

    read_only: bool
    destructive: bool
    bulk: bool
    action: str
    writes: int
    always_ask: bool


def scope(tool: str, action: str) -> str:
    """What "Always allow" covers: "items:read" ("trigger_flow" alone for a tool without actions)."""
    return "%s:%s" % (tool, action) if action else tool


class ApprovalPolicy(BaseModel):
    modes: dict[str, Mode] = Field(default_factory=dict)
    allowed: list[str] = Field(default_factory=list)  # scopes the user allowed from a card ("items:read")
    allow_reads: bool = False
    confirm_destructive: bool = True

    def mode(self, tool: str) -> Mode:
        return self.modes.get(tool, "ask")

    def enabled(self, tool: str) -> bool:
        return self.mode(tool) != "disabled"

    def set_mode(self, tool: str, mode: Mode) -> None:
        if mode == "ask":
            self.modes.pop(tool, None)
        else:
            self.modes[tool] = mode

    def decide(self, tool: str, call: CallFacts) -> Decision:
        mode = self.mode(tool)
        if mode == "disabled":
            return "refuse"
        if (call.destructive or call.bulk) and not call.read_only and self.confirm_destructive:
            return "ask"
        if mode == "always" or (call.read_only and self.allow_reads):
            return "run"
        return "ask"


@dataclass
class PendingApproval:
    call: ToolCallPart
    prepared: PreparedCall  # what the prompt shows (and the change preview reads); run as it is once approved
    future: asyncio.Future[UserDecision] = field(repr=False)

    @property
    def preview(self) -> CallPreview:
        preview = self.prepared.preview
        assert preview is not None, "a call waits for approval only with a preview"
        return preview


def error_result(call: ToolCallPart, status: ToolStatus, code: str, message: str) -> ToolResultPart:
    body = {"error": {"code": code, "message": message}}
    return ToolResultPart(call_id=call.id, name=call.name, content=json.dumps(body), status=status)


def stopped_result(call: ToolCallPart) -> ToolResultPart:
    if call.started:
        message = "Stopped by the user while running; it may or may not have been applied."
    else:
        message = "The user stopped the turn before this call ran; it was not run."
    return error_result(call, "stopped", "STOPPED", message)


def denied_result(call: ToolCallPart) -> ToolResultPart:
    message = "The user declined this call. Do not retry it; ask what they want instead."
    return error_result(call, "denied", "DENIED", message)
