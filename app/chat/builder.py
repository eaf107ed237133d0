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
Contradictory streams (a delta for a call that never started) raise ProviderError("bad_response").
"""

from __future__ import annotations

from typing import Optional, Union

from app.chat.events import (
    Event,
    Finish,
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
        self._calls: dict[Union[int, str], ToolCallPart] = {}
        self._done_calls: set[Union[int, str]] = set()
        self._reasoning: Optional[ReasoningPart] = None

    @property
    def open_tool_calls(self) -> list[ToolCallPart]:
        """Calls started but not finished (e.g. when the stream broke off)."""
        return [p for i, p in self._calls.items() if i not in self._done_calls]

    def apply(self, event: Event) -> Touched:
        parts = self.message.parts
        if isinstance(event, TextDelta):
            if not event.text:
                return None
            last = parts[-1] if parts else None
            if isinstance(last, TextPart):
                last.text += event.text
                return last
            part = TextPart(text=event.text)
            parts.append(part)
            return part
        if isinstance(event, ReasoningDelta):
            if not event.text:
                return None
            if self._reasoning is None or not parts or parts[-1] is not self._reasoning:
                self._reasoning = ReasoningPart(text="", provider=self.provider)
                parts.append(self._reasoning)
            self._reasoning.text += event.text
            return self._reasoning
        if isinstance(event, ReasoningDone):
            part = self._reasoning
            if part is None or not parts or parts[-1] is not part:
                part = ReasoningPart(text="", provider=self.provider)
                parts.append(part)
            part.provider = self.provider
            part.provider_details = dict(event.provider_details)
            self._reasoning = None
            return part
        if isinstance(event, ToolCallStart):
            existing = self._calls.get(event.index)
            if existing is not None and event.index not in self._done_calls:
                if existing.id == event.id:
                    return existing  # a repeated start: nothing new
                raise ProviderError(
                    "bad_response",
                    "The model started two tool calls in the same place (%r); try again." % (event.index,),
                )
            part = ToolCallPart(id=event.id, name=event.name, arguments="", provider=self.provider)
            self._calls[event.index] = part
            self._done_calls.discard(event.index)
            parts.append(part)
            self._reasoning = None
            return part
        if isinstance(event, ToolCallDelta):
            part = self._open_call(event.index)
            part.arguments += event.arguments
            return part
        if isinstance(event, ToolCallDone):
            part = self._open_call(event.index)
            if event.arguments is not None:
                part.arguments = event.arguments
            if event.provider_details:
                part.provider_details = dict(event.provider_details)
            self._done_calls.add(event.index)
            return part
        if isinstance(event, UsageUpdate):
            self.message.usage = event.usage.model_copy()
            return None
        if isinstance(event, Finish):
            self.message.finish_reason = event.reason
            return None
        raise TypeError("unknown event %r" % (event,))

    def _open_call(self, index: Union[int, str]) -> ToolCallPart:
        part = self._calls.get(index)
        if part is None or index in self._done_calls:
            raise ProviderError(
                "bad_response",
                "The model sent tool-call arguments for a call it never started (%r); try again." % (index,),
            )
        return part
