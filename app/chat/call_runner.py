"""Answering the tool calls of one model step: decide each in order, wait for the user where needed, run them.

    runner = CallRunner(tools, gate, changed)
    await runner.answer_calls(messages, answer)   # every call of `answer` without a result gets exactly one
    runner.running                      # the ids of the calls running now (the UI shows a spinner)

The calls of a step are decided in order before any runs (app/chat/gate.py), counting what the turn has
changed; then they run concurrently, and their results are put in the order of the calls. A call that was
running when the page went away is answered "interrupted" (it may or may not have been applied).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Callable, Generic, Optional

from app.chat.approvals import PendingApproval, denied_result, error_result
from app.chat.model import Message, ToolCallPart, ToolResultPart
from app.chat.tools import Prepared, Tools
from app.chat.turn_state import results_message, unanswered

if TYPE_CHECKING:
    from app.chat.gate import ApprovalGate

Admission = Optional[tuple[Prepared, Optional[PendingApproval]]]  # (the call, its approval if it waits); None: disabled


class CallRunner(Generic[Prepared]):
    def __init__(self, tools: Tools[Prepared], gate: ApprovalGate, changed: Callable[[], None]):
        self.tools = tools
        self.gate = gate
        self.changed = changed
        self.running: set[str] = set()

    async def answer_calls(self, messages: list[Message], message: Optional[Message]) -> None:
        """Decide, ask, and run the calls of `message` (one of `messages`) that have no result yet, concurrently."""
        if message is None:
            return
        results = results_message(messages, message)
        for call in unanswered(messages, message):
            if call.started:  # it was running when the page went away
                results.parts.append(
                    error_result(
                        call,
                        "error",
                        "INTERRUPTED",
                        "The page was reloaded while this ran; it may or may not have been applied. Check before retrying.",
                    )
                )
        # Decided in order before any runs, so the calls of one step count what the ones before them change.
        admitted = [(call, self._admit(call)) for call in unanswered(messages, message)]
        self.changed()
        await asyncio.gather(*(self._answer(call, admission, results) for call, admission in admitted))
        order = {call.id: i for i, call in enumerate(message.tool_calls)}
        results.parts.sort(key=lambda part: order.get(getattr(part, "call_id", ""), len(order)))
        self.changed()

    def _admit(self, call: ToolCallPart) -> Admission:
        """(the prepared call, its approval if it waits for one); None for a disabled tool."""
        if not self.gate.policy.enabled(call.name):
            return None
        prepared = self.tools.prepare(call.name, call.arguments)
        return prepared, self.gate.admit(call, prepared)

    async def _answer(self, call: ToolCallPart, admission: Admission, results: Message) -> None:
        if admission is None:
            results.parts.append(
                error_result(call, "error", "TOOL_DISABLED", f"The tool {call.name} is disabled by the user.")
            )
            self.changed()
            return
        prepared, pending = admission
        if pending is not None:
            try:
                answer = await pending.future
            finally:
                self.gate.pending.pop(call.id, None)
            if answer == "deny":
                results.parts.append(denied_result(call))
                self.changed()
                return
        call.started = True
        self.running.add(call.id)
        self.changed()
        try:
            outcome = await self.tools.run(prepared)
        finally:
            self.running.discard(call.id)
        results.parts.append(
            ToolResultPart(
                call_id=call.id,
                name=call.name,
                content=outcome.content,
                status="ok" if outcome.ok else "error",
                undo=getattr(outcome, "undo", None),
                view=getattr(outcome, "view", None),
            )
        )
        self.changed()
