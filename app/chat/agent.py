"""One assistant turn: stream the answer, run the tools the model asks for once allowed, repeat.

    send(text) ─► user message ─► [step: stream model ─► tool calls? ─► approvals ─► run ─► results]* ─► done

The agent owns the conversation while a turn runs and calls `on_change()` after every change to it, so
the app can render and save: a reload at any moment loses nothing that was shown. Approval is data:
a call that needs the user's say is listed in `pending` until the UI calls `decide()`. The calls of a step are
decided in order before any runs (app/chat/gate.py), counting what the turn has changed.

The calls of a step are answered by app/chat/call_runner.py; where a turn stands (and settling a cut-off one) is
read from the messages by app/chat/turn_state.py.

A call is prepared once its arguments have streamed (`tools.prepare`: parsed, checked, previewed); the
approval prompt shows that prepared call and `tools.run` runs it, without parsing it again.

Invariants the providers rely on: every tool call of an assistant message is answered exactly once, by
the `tool` message right after it, before the model is called again. A stopped turn answers the calls it
leaves behind with a "stopped" result, so the next message works with every provider.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Awaitable, Callable, Generic, Optional, Sequence

from app.chat.approvals import ApprovalPolicy, PendingApproval, UserDecision, denied_result, stopped_result
from app.chat.call_runner import CallRunner, PendingQuestion
from app.chat.gate import ApprovalGate, written_in_turn
from app.chat.model import Conversation, FilePart, Message, TextPart, ToolSpec
from app.chat.tools import CallPreview, Prepared, PreparedCall, ToolOutcome, Tools
from app.chat.turn_state import last_assistant, new_version_of_last_user, settle_interrupted, unanswered

if TYPE_CHECKING:
    from app.chat.request import Provider

# (its tools' side is declared in app/chat/tools.py, an approval's in app/chat/approvals.py; named here too)
__all__ = [
    "Agent",
    "CallPreview",
    "PendingApproval",
    "PreparedCall",
    "ToolOutcome",
    "Tools",
    "UserDecision",
    "denied_result",
    "stopped_result",
]

STEP_CAP = 10


class Agent(Generic[Prepared]):
    def __init__(
        self,
        conversation: Conversation,
        provider: Provider,
        model_id: str,
        tools: Tools[Prepared],
        policy: ApprovalPolicy | Callable[[], ApprovalPolicy],  # a getter: the live one (Settings may replace it)
        system: str,
        *,
        max_output_tokens: Optional[int] = None,
        reasoning: Optional[str] = None,
        context_window: Optional[int] = None,
        on_change: Callable[[], None] = lambda: None,
        on_policy_change: Callable[[ApprovalPolicy], None] = lambda policy: None,
        ready: Optional[Callable[[], Awaitable[None]]] = None,
        step_cap: int = STEP_CAP,
        files: Optional[Callable[[list[Message]], Awaitable[dict[str, str]]]] = None,
        ask_user: bool = False,
    ):
        self.conversation = conversation
        self.provider = provider
        self.model_id = model_id
        self.tools = tools
        self.system = system
        self.max_output_tokens = max_output_tokens
        self.reasoning = reasoning  # effort hint for the provider; None: the model's default
        self.on_change = on_change
        self.gate = ApprovalGate(policy, on_policy_change)
        self.ready = ready  # awaited before each model call, e.g. until a Directus sign-in in progress is over
        self.context_window = context_window
        self.step_cap = step_cap
        self.files = files  # the bytes of the attachments a request carries (app/store/attachment_store.py)
        self.ask_user = ask_user  # offer the `ask_user` tool (app/chat/ask_user.py)
        self.calls = CallRunner(tools, self.gate, self._changed)  # answers the calls of a step
        self._task: Optional[asyncio.Task] = None

    # ----- what the UI calls -------------------------------------------------------------------

    @property
    def policy(self) -> ApprovalPolicy:
        return self.gate.policy

    @property
    def pending(self) -> dict[str, PendingApproval]:
        """The calls waiting for the user's say, by call id, in the order the model sent them."""
        return self.gate.pending

    @property
    def running(self) -> set[str]:
        """The ids of the calls running now."""
        return self.calls.running

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def send(
        self, text: str, attached: Sequence[FilePart] = (), pinned: Sequence[TextPart] = ()
    ) -> "asyncio.Task[None]":
        """Append the user's message (its pinned items first, its attachments after) and run a turn (as a task that
        `stop()` cancels). A pinned item's text is filled in by `ready`, before the first model call."""
        self._ensure_idle()
        self._settle_interrupted(stopped=True)
        self.conversation.messages.append(Message(role="user", parts=[*pinned, TextPart(text=text), *attached]))
        self._changed()
        return self._start()

    def retry(self) -> "asyncio.Task[None]":
        """After an error: send the same history again (a failed answer is never sent to the model; it stays, with
        what it cost, and the page hides it once answered again).

        Tool results already in the history stay, so a write that ran is not run twice.
        """
        self._ensure_idle()
        return self._start()

    def regenerate(self) -> "asyncio.Task[None]":
        """Replace everything after the last user message with a new answer (the old one is kept as a version)."""
        self._ensure_idle()
        new_version_of_last_user(self.conversation.messages)
        self._changed()
        return self._start()

    def edit_last(self, text: str) -> "asyncio.Task[None]":
        """Replace the last user message's text with `text` and answer it anew (the old ones are kept as a version)."""
        self._ensure_idle()
        index = new_version_of_last_user(self.conversation.messages)
        if index is None:
            return self.send(text)
        edited = self.conversation.messages[index]  # its pinned items stay (read again when sent), its files too
        edited.parts = [*(TextPart(item=p.item) for p in edited.pinned), TextPart(text=text), *edited.files]
        self._changed()
        return self._start()

    def resume(self) -> Optional["asyncio.Task[None]"]:
        """Continue a conversation loaded from storage: re-ask pending approvals, settle interrupted calls."""
        if self.busy:
            return None
        last = self._last_assistant()
        if last is None:
            return None
        if last.status == "streaming":
            self._settle_interrupted()
            return None
        if last.status == "done" and unanswered(self.conversation.messages, last):
            return self._start(resume=True)
        return None

    def run_calls(self, message: Message) -> "asyncio.Task[None]":
        """Tool calls the page makes for the user (a chart's "Add to dashboard"), as an assistant message: asked and
        run like the model's calls, with no model step after them."""
        self._ensure_idle()
        self.conversation.messages.append(message)
        self._changed()
        return self._start(resume=True, then_model=False)

    @property
    def questions(self) -> dict[str, PendingQuestion]:
        """The `ask_user` calls waiting for the user's answer, by call id."""
        return self.calls.questions

    def answer(self, call_id: str, answer: object) -> bool:
        """The user's answer to a waiting question ({"choices": [...], "text": "..."}); False if it does not fit or
        was answered already."""
        return self.calls.answer(call_id, answer)

    def decide(self, call_id: str, decision: UserDecision) -> None:
        """The user's answer to a pending approval. `always` also allows what the card showed (the tool and the
        action, e.g. "items: read"; never the whole tool) and lets the waiting calls of that scope through."""
        self.gate.decide(call_id, decision)

    def stop(self) -> None:
        """Cancel the stream, the pending approvals and the running tools; the partial answer stays."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def wait(self) -> None:
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    # ----- the loop -------------------------------------------------------------------------------

    def _start(self, resume: bool = False, then_model: bool = True) -> "asyncio.Task[None]":
        # What the turn's calls since the last user message changed: none after send, regenerate and edit; a retry
        # or a resumed turn continues its turn, so an error answer cannot reset the count.
        self.gate.new_turn(written_in_turn(self.conversation.messages, self.tools))
        self._task = asyncio.ensure_future(self._turn(resume, then_model))
        self._task.add_done_callback(lambda task: self._changed())  # once more, now that `busy` is False
        return self._task

    async def _turn(self, resume: bool, then_model: bool = True) -> None:
        try:
            if resume:
                await self.calls.answer_calls(self.conversation.messages, self._last_assistant())
            if not then_model:
                return
            for _ in range(self.step_cap):
                message = await self._step()
                if message is None or message.status != "done" or not message.tool_calls:
                    return
                await self.calls.answer_calls(self.conversation.messages, message)
            self.conversation.messages.append(
                Message(
                    role="assistant",
                    parts=[
                        TextPart(
                            text=f"_Stopped after {self.step_cap} steps (the step limit). Say “continue” to go on._"
                        )
                    ],
                    finish_reason="step_limit",
                )
            )
            self._changed()
        except asyncio.CancelledError:
            self._settle_interrupted(stopped=True)
        finally:
            self.gate.close()
            self.running.clear()
            self._changed()

    async def _step(self, harder: bool = False) -> Optional[Message]:
        if self.ready is not None:
            await self.ready()
        from app.chat.builder import MessageBuilder
        from app.chat.events import ProviderError
        from app.chat.request import ModelRequest
        from app.chat.usage import settle_usage

        tools = self.tools.specs(used={call.name for m in self.conversation.messages for call in m.tool_calls})
        if self.ask_user and tools:  # with the tools (without Directus, the assistant only talks)
            from app.chat.ask_user import ASK_USER_SPEC

            tools = [*tools, ASK_USER_SPEC]
        history = [m for m in self.conversation.messages if not (m.role == "assistant" and m.status == "error")]
        if self.context_window:
            history = self._fit(history, tools, harder)
        request = ModelRequest(
            model=self.model_id,
            system=self.system,
            messages=history,
            tools=tools,
            max_output_tokens=self.max_output_tokens,
            reasoning=self.reasoning,
            files=await self.files(history) if self.files is not None else {},
        )
        message = Message(role="assistant", status="streaming", model=f"{self.provider.name}:{self.model_id}")
        self.conversation.messages.append(message)
        self._changed()
        builder = MessageBuilder(message, self.provider.name)
        try:
            async for event in self.provider.stream(request):
                builder.apply(event)
                self._changed()
        except asyncio.CancelledError:
            settle_usage(message, request)  # stopped: what it cost so far is billed (app/chat/usage.py)
            raise
        except ProviderError as error:
            if error.kind == "context_too_long" and self.context_window and not harder and not message.parts:
                self.conversation.messages.remove(message)
                return await self._step(harder=True)
            message.status = "error"
            message.error = error.info()
            settle_usage(message, request)
            self._changed()
            return message
        message.status = "done"
        self._changed()
        return message

    def _fit(self, history: list[Message], tools: list[ToolSpec], harder: bool) -> list[Message]:
        """The part of the history that fits the model's window; tells the user when some was left out."""
        from app.chat.context import fit
        from app.chat.tokens import estimate_tokens

        result = fit(
            history,
            estimate_tokens(self.system),
            estimate_tokens(json.dumps([t.model_dump() for t in tools])),
            self.context_window or 0,
            self.max_output_tokens or 0,
            harder=harder,
            model_id=f"{self.provider.name}:{self.model_id}",
        )
        if result.notice != self.conversation.notice:
            self.conversation.notice = result.notice
        return result.messages

    # ----- bookkeeping ----------------------------------------------------------------------------

    def _settle_interrupted(self, stopped: bool = False) -> None:
        if settle_interrupted(self.conversation.messages, stopped):
            self._changed()

    def _last_assistant(self) -> Optional[Message]:
        return last_assistant(self.conversation.messages)

    def _ensure_idle(self) -> None:
        if self.busy:
            raise RuntimeError("a turn is already running; stop it first")

    def _changed(self) -> None:
        self.on_change()
