"""Tool modes (always / ask / disabled) and the decision for one call.

Every tool is `ask` until the user says otherwise, as in Directus's own assistant. A disabled tool is not
offered to the model at all. Two switches cut the nagging without giving up safety:

- `allow_reads`: read-only calls run without asking (the one-click preset), whatever their tool's mode
  (except `disabled`);
- `confirm_destructive` (on by default): deletes and bulk writes by query always ask, even when their tool
  is `always`.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, Field

Mode = Literal["always", "ask", "disabled"]
MODES: tuple[Mode, ...] = ("always", "ask", "disabled")
Decision = Literal["run", "ask", "refuse"]


class CallFacts(Protocol):
    """What the approval decision needs to know about one call (a prepared call's preview has it:
    app/directus/tools/definition.py CallPreview)."""

    read_only: bool
    destructive: bool
    bulk: bool


class ApprovalPolicy(BaseModel):
    modes: dict[str, Mode] = Field(default_factory=dict)
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
