"""Tool modes (always / ask / disabled), the scopes the user allowed, and the decision for one call.

Every tool is `ask` until the user says otherwise, as in Directus's own assistant. A disabled tool is not
offered to the model at all. Two switches cut the nagging without giving up safety:

- `allow_reads`: read-only calls run without asking (the one-click preset), whatever their tool's mode
  (except `disabled`);
- `confirm_destructive` (on by default): deletes, updates that blank or null a field, and bulk writes (by query,
  of BULK_LIMIT items or more in one call, or a write that brings what the turn has changed to BULK_LIMIT or
  more) always ask, even when their tool is `always` or their scope is allowed.

A call whose facts say `always_ask` (an import from a URL: Directus downloads it) asks whatever the modes and
switches say.

"Always allow" on an approval card covers what the user saw: the tool and the action ("items: read"), kept in
`allowed`, never the whole tool. A whole tool is set to always only in Settings → Tools, where the user sees it.

    policy.decide("items", call.preview, written=4)   # "run" | "ask" | "refuse"
    always_scope("items", call.preview)              # "items:read": what the card's "Always allow" adds (or None)
    describe_scope("items:read")                     # "items: read", for the card and Settings → Tools
    policy.allow("items:read"); policy.disallow("items:read"); policy.allowed_scopes()
    policy.still_asks()                              # what keeps asking whatever is allowed, in plain words

Approval is data: a call that needs the user's say waits as a `PendingApproval` (the call as the tools prepared
it) until the user decides; a call the user did not let run is answered with a result the model reads
(`denied_result`, `stopped_result`). What one turn has changed is counted by its agent (app/chat/gate.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Optional, Protocol

from pydantic import BaseModel, Field, field_validator

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


def describe_scope(allowed: str) -> str:
    """A scope in plain words, as the card and Settings → Tools show it: "items:read" -> "items: read"."""
    tool, _, action = allowed.partition(":")
    return "%s: %s" % (tool, action) if action else tool


def always_scope(tool: str, call: CallFacts) -> Optional[str]:
    """The scope the "Always allow" of this call's card adds; None when the call asks whatever the policy says
    (`always_ask`): its card offers no "Always allow"."""
    return None if call.always_ask else scope(tool, call.action)


def changes(call: CallFacts) -> int:
    """How much a call adds to what its turn has changed: the items, rows or files it writes (at least 1 for a
    write; a bulk write, e.g. by query, counts as BULK_LIMIT at least); 0 for a read."""
    if call.read_only:
        return 0
    count = max(call.writes, 1)
    return max(count, BULK_LIMIT) if call.bulk else count


class ApprovalPolicy(BaseModel):
    modes: dict[str, Mode] = Field(default_factory=dict)  # a tool's mode, set in Settings → Tools; absent: ask
    allowed: list[str] = Field(default_factory=list)  # scopes the user allowed from a card ("items:read")
    allow_reads: bool = False
    confirm_destructive: bool = True

    @field_validator("allowed", mode="before")
    @classmethod
    def _scopes(cls, value: object) -> object:
        """Stored scopes that are not text are dropped (the tools' modes still load), duplicates too."""
        if not isinstance(value, list):
            return value
        return list(dict.fromkeys(item for item in value if isinstance(item, str) and item))

    def mode(self, tool: str) -> Mode:
        return self.modes.get(tool, "ask")

    def enabled(self, tool: str) -> bool:
        return self.mode(tool) != "disabled"

    def set_mode(self, tool: str, mode: Mode) -> None:
        if mode == "ask":
            self.modes.pop(tool, None)
        else:
            self.modes[tool] = mode

    def allow(self, allowed: str) -> bool:
        """Stop asking for this scope ("items:read"); False when it was allowed already."""
        if allowed in self.allowed:
            return False
        self.allowed.append(allowed)
        return True

    def disallow(self, allowed: str) -> None:
        """Ask again for this scope (Settings → Tools)."""
        self.allowed = [item for item in self.allowed if item != allowed]

    def allowed_scopes(self) -> list[str]:
        """The scopes allowed from approval cards, in the order they were allowed (describe_scope for words)."""
        return list(self.allowed)

    def still_asks(self) -> str:
        """What keeps asking whatever is allowed, in plain words (the card's "Always allow" title, Settings)."""
        if not self.confirm_destructive:
            return "Imports from a URL still ask."
        return (
            "Deletes, changes that clear a field, bulk writes (%d or more items, or by query), a write that brings "
            "this turn to %d or more changed items, and imports from a URL still ask." % (BULK_LIMIT, BULK_LIMIT)
        )

    def decide(self, tool: str, call: CallFacts, written: int = 0) -> Decision:
        """Whether a call runs, asks or is refused. `written`: what the turn has changed so far (its earlier
        calls' `changes`, app/chat/gate.py), so many small writes in one turn ask like one bulk write."""
        mode = self.mode(tool)
        if mode == "disabled":
            return "refuse"
        if call.always_ask:
            return "ask"
        if not call.read_only and self.confirm_destructive:
            if call.destructive or call.bulk or written + changes(call) >= BULK_LIMIT:
                return "ask"
        if mode == "always" or scope(tool, call.action) in self.allowed or (call.read_only and self.allow_reads):
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
