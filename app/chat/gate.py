"""The approval gate of one agent: decides the calls of a step in order, counts what the turn has changed, and
holds the calls that wait for the user.

    gate.new_turn(written_in_turn(messages, tools))   # what the turn's calls changed: 0 after a new user message
                                                      # (send, regenerate, edit); retry and resume continue a turn
    pending = gate.admit(call, prepared)              # None: it runs now; else it waits for the user (both count)
    gate.decide(call_id, "always")                    # the user's answer (app/chat/agent.py Agent.decide)

Calls are admitted one by one in the order the model sent them, before any runs, so parallel calls of one step
count as much as calls of successive steps: fifty 4-item updates in one step run the first and ask for the
second. A call counts when it is let run or admitted to wait (so the calls after it in the step see it); a call
that is denied or stopped is taken off again.

"Always allow" adds the scope of what the card showed (app/chat/approvals.py `always_scope`: tool + action,
never the whole tool) and lets the other waiting calls of that scope through when the policy now says run.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Callable, Optional

from app.chat.approvals import ApprovalPolicy, PendingApproval, UserDecision, always_scope, changes, scope

if TYPE_CHECKING:
    from app.chat.model import Message, ToolCallPart
    from app.chat.tools import PreparedCall, Tools


class ApprovalGate:
    def __init__(
        self,
        policy: ApprovalPolicy | Callable[[], ApprovalPolicy],
        on_policy_change: Callable[[ApprovalPolicy], None] = lambda policy: None,
    ):
        # The policy as it is now, read at every decision: Settings may replace it while a turn runs.
        self.live_policy = policy if callable(policy) else lambda: policy
        self.on_policy_change = on_policy_change  # the policy changed ("Always allow"): save it
        self.written = 0  # what this turn's calls that were let run change (approvals.py `changes`)
        self.pending: dict[str, PendingApproval] = {}  # call id -> the call waiting for the user, in call order

    @property
    def policy(self) -> ApprovalPolicy:
        return self.live_policy()

    def new_turn(self, written: int = 0) -> None:
        self.written = written

    def admit(self, call: ToolCallPart, prepared: PreparedCall) -> Optional[PendingApproval]:
        """Decide one call, in the order of its step: None when it runs now (counted), else its approval.

        A call without a preview (unknown tool, invalid arguments) runs at once: its outcome tells the model what
        is wrong. A disabled tool is the agent's to refuse before it prepares the call."""
        preview = prepared.preview
        if preview is None:
            return None
        if self.policy.decide(call.name, preview, written=self.written) == "run":
            self.written += changes(preview)
            return None
        pending = PendingApproval(call, prepared, asyncio.get_event_loop().create_future())
        self.written += changes(preview)  # reserved: taken off if it does not run
        self.pending[call.id] = pending
        return pending

    def decide(self, call_id: str, decision: UserDecision) -> None:
        """The user's answer to a waiting call. `always` also allows what the card showed (its tool and action)
        from now on, and lets the other waiting calls of that scope through if the policy now says run."""
        pending = self.pending.get(call_id)
        if pending is None or pending.future.done():
            return
        if decision == "deny":
            self.written -= changes(pending.preview)
        pending.future.set_result(decision)
        if decision != "always":
            return
        granted = always_scope(pending.call.name, pending.preview)
        if granted is None:  # a call that always asks: "always" approves this one only
            return
        policy = self.policy
        if policy.allow(granted):
            self.on_policy_change(policy)
        for other in list(self.pending.values()):
            if other.future.done() or scope(other.call.name, other.preview.action) != granted:
                continue
            reserved = changes(other.preview)  # counted while it waits: decided as if it came now
            if policy.decide(other.call.name, other.preview, written=self.written - reserved) == "run":
                other.future.set_result("approve")

    def close(self) -> None:
        """The turn is over (done, stopped, failed): no call waits any more."""
        for pending in self.pending.values():
            if not pending.future.done():
                self.written -= changes(pending.preview)
                pending.future.cancel()
        self.pending.clear()


def written_in_turn(messages: list[Message], tools: Tools) -> int:
    """What the calls that ran since the last user message changed: where a turn resumed after a reload starts
    counting (its calls are prepared again from their arguments, which reads nothing)."""
    written = 0
    for message in reversed(messages):
        if message.role == "user":
            break
        for call in message.tool_calls:
            if call.started:
                preview = tools.prepare(call.name, call.arguments).preview
                written += changes(preview) if preview is not None else 0
    return written
