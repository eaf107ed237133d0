"""Answering the tool calls of one model step: decide each in order, wait for the user where needed, run them.

    runner = CallRunner(tools, gate, changed)
    await runner.answer_calls(messages, answer)   # every call of `answer` without a result gets exactly one
    runner.running                      # the ids of the calls running now (the UI shows a spinner)
    runner.questions                    # the `ask_user` calls waiting for the user's answer, by call id
    runner.answer(call_id, raw)         # the user's answer to one (checked; False when it does not fit)

The calls of a step are decided in order before any runs (app/chat/gate.py), counting what the turn has
changed; then they run concurrently, and their results are put in the order of the calls. A call that was
running when the page went away is answered "interrupted" (it may or may not have been applied).

An `ask_user` call (app/chat/ask_user.py) never reaches the tools nor the approval gate: it changes nothing, so it
waits for the user's answer only, and is asked again after a reload (it never "started").
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Generic, Optional

from app.chat.approvals import PendingApproval, denied_result, error_result
from app.chat.ask_user import ASK_USER, Answer, Question, answer_result, read_answer, read_question
from app.chat.model import Message, ToolCallPart, ToolResultPart
from app.chat.tools import Prepared, Tools
from app.chat.turn_state import results_message, unanswered

if TYPE_CHECKING:
    from app.chat.gate import ApprovalGate

Admission = Optional[tuple[Prepared, Optional[PendingApproval]]]  # (the call, its approval if it waits); None: disabled


@dataclass
class PendingQuestion:
    call: ToolCallPart
    question: Question
    future: asyncio.Future[Answer] = field(repr=False)


class CallRunner(Generic[Prepared]):
    def __init__(self, tools: Tools[Prepared], gate: ApprovalGate, changed: Callable[[], None]):
        self.tools = tools
        self.gate = gate
        self.changed = changed
        self.running: set[str] = set()
        self.questions: dict[str, PendingQuestion] = {}

    def answer(self, call_id: str, raw: Any) -> bool:
        """The user's answer to a waiting question; False when none waits under that id (answered already) or the
        answer does not fit the question."""
        pending = self.questions.get(call_id)
        answer = read_answer(pending.question, raw) if pending is not None else None
        if pending is None or answer is None or pending.future.done():
            return False
        pending.future.set_result(answer)
        return True

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
        left = unanswered(messages, message)
        admitted = [(call, self._admit(call)) for call in left if call.name != ASK_USER]
        self.changed()
        await asyncio.gather(
            *(self._answer(call, admission, results) for call, admission in admitted),
            *(self._ask(call, results) for call in left if call.name == ASK_USER),
        )
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

    async def _ask(self, call: ToolCallPart, results: Message) -> None:
        """An `ask_user` call: wait for the user's answer (or a stop), which becomes its result."""
        question, problem = read_question(call.arguments)
        if question is None:
            results.parts.append(error_result(call, "error", "INVALID_ARGUMENTS", problem))
            self.changed()
            return
        pending = PendingQuestion(call, question, asyncio.get_event_loop().create_future())
        self.questions[call.id] = pending
        self.changed()
        try:
            answer = await pending.future
        finally:
            self.questions.pop(call.id, None)
        results.parts.append(answer_result(call, answer))
        self.changed()
