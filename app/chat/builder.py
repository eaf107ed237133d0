"""The one place that assembles an assistant message from stream events.

Adapters only emit events keyed by the vendor's part id; `MessageBuilder.apply` decides where each one
goes and mutates `message.parts` in place (so a view holding the message sees the change), returning the
part it touched so the UI can re-render only that part.

Rules:
- text deltas extend the last part when it is text, else start a new text part;
- reasoning deltas extend the open reasoning part, else start one; `ReasoningDone` closes it with the
  provider's replay data (or adds a text-less reasoning part when none is open);
- a tool call's arguments stay the raw streamed JSON text until `ToolCallDone`, which may replace them
  with the whole arguments; nothing is parsed here;
- `UsageUpdate` replaces `message.usage`; `Finish` sets `message.finish_reason`.
Contradictory streams (a delta for a call that never started, two calls with one id) raise
ProviderError("bad_response"); an event of a type this builder has no case for raises (`assert_never`: the type
checker finds the missing case first).
"""

from __future__ import annotations

from typing import Optional, Union, assert_never

from app.chat.events import (
    Event,
    Finish,
    PartId,
    ProviderError,
    ReasoningDelta,
    ReasoningDone,
    TextDelta,
    ToolCallDelta,
    ToolCallDone,
    ToolCallStart,
    UsageUpdate,
)
from app.chat.model import Message, ReasoningPart, TextPart, ToolCallPart

Touched = Optional[Union[TextPart, ReasoningPart, ToolCallPart]]


class MessageBuilder:
    def __init__(self, message: Message, provider: str):
        self.message = message
        self.provider = provider
        self._calls: dict[PartId, ToolCallPart] = {}
        self._done_calls: set[PartId] = set()
        self._reasoning: Optional[ReasoningPart] = None

    @property
    def open_tool_calls(self) -> list[ToolCallPart]:
        """Calls started but not finished (e.g. when the stream broke off)."""
        return [p for i, p in self._calls.items() if i not in self._done_calls]

    def apply(self, event: Event) -> Touched:
        """Fold one event into the message; every event type has its case, and an unknown one raises."""
        match event:
            case TextDelta():
                return self._text(event)
            case ReasoningDelta():
                return self._reasoning_delta(event)
            case ReasoningDone():
                return self._reasoning_done(event)
            case ToolCallStart():
                return self._call_start(event)
            case ToolCallDelta():
                part = self._open_call(event.index)
                part.arguments += event.arguments
                return part
            case ToolCallDone():
                part = self._open_call(event.index)
                if event.arguments is not None:
                    part.arguments = event.arguments
                if event.provider_details:
                    part.provider_details = dict(event.provider_details)
                self._done_calls.add(event.index)
                return part
            case UsageUpdate():
                self.message.usage = event.usage.model_copy()
                return None
            case Finish():
                self.message.finish_reason = event.reason
                return None
            case _:
                assert_never(event)

    def _text(self, event: TextDelta) -> Optional[TextPart]:
        if not event.text:
            return None
        parts = self.message.parts
        last = parts[-1] if parts else None
        if isinstance(last, TextPart):
            last.text += event.text
            return last
        part = TextPart(text=event.text)
        parts.append(part)
        return part

    def _reasoning_delta(self, event: ReasoningDelta) -> Optional[ReasoningPart]:
        if not event.text:
            return None
        parts = self.message.parts
        if self._reasoning is None or not parts or parts[-1] is not self._reasoning:
            self._reasoning = ReasoningPart(text="", provider=self.provider)
            parts.append(self._reasoning)
        self._reasoning.text += event.text
        return self._reasoning

    def _reasoning_done(self, event: ReasoningDone) -> ReasoningPart:
        parts = self.message.parts
        part = self._reasoning
        if part is None or not parts or parts[-1] is not part:
            part = ReasoningPart(text="", provider=self.provider)
            parts.append(part)
        part.provider = self.provider
        part.provider_details = dict(event.provider_details)
        self._reasoning = None
        return part

    def _call_start(self, event: ToolCallStart) -> ToolCallPart:
        existing = self._calls.get(event.index)
        if existing is not None and event.index not in self._done_calls:
            if existing.id == event.id:
                return existing  # a repeated start: nothing new
            raise ProviderError(
                "bad_response",
                "The model started two tool calls in the same place (%r); try again." % (event.index,),
            )
        if any(call.id == event.id for call in self._calls.values()):
            # Each call is answered by its id: a second call with the same id would never be answered.
            raise ProviderError(
                "bad_response", "The model sent two tool calls with the same id (%r); try again." % (event.id,)
            )
        part = ToolCallPart(id=event.id, name=event.name, arguments="", provider=self.provider)
        self._calls[event.index] = part
        self._done_calls.discard(event.index)
        self.message.parts.append(part)
        self._reasoning = None
        return part

    def _open_call(self, index: PartId) -> ToolCallPart:
        part = self._calls.get(index)
        if part is None or index in self._done_calls:
            raise ProviderError(
                "bad_response",
                "The model sent tool-call arguments for a call it never started (%r); try again." % (index,),
            )
        return part
