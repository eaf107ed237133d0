"""OpenAI Responses API (`POST {base}/responses`) for OpenAI's own models.

Stateless: `store: false`; for reasoning models `reasoning: {summary: "auto"}` and
`include: ["reasoning.encrypted_content"]`, so each reasoning item comes back encrypted and is replayed
verbatim (id, summary, encrypted_content) before the output it led to. That keeps the chain of thought
across tool calls. Reasoning written by another provider is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, assert_never

from app.chat.events import (
    Event,
    Finish,
    ReasoningDelta,
    ReasoningDone,
    TextDelta,
    ToolCallDelta,
    ToolCallDone,
    ToolCallStart,
    UsageUpdate,
)
from app.chat.model import (
    FilePart,
    FinishReason,
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Usage,
)
from app.chat.request import ModelRequest
from app.providers import errors
from app.providers.catalog import CatalogModel
from app.providers.history import arguments_text, well_formed
from app.providers.registry import OPENAI
from app.providers.sse import SSEEvent
from app.providers.streaming import StreamingProvider, StreamParser, loads
from app.providers.user_content import Piece, content_or_text
from app.transport import Request, Transport

if TYPE_CHECKING:
    from app.providers.retry import Sleep

DEFAULT_BASE_URL = OPENAI.base_url
INCOMPLETE: dict[str, FinishReason] = {"max_output_tokens": "length", "content_filter": "content_filter"}


def usage_from(u: dict[str, Any]) -> Usage:
    return Usage(
        input_tokens=u.get("input_tokens") or 0,
        output_tokens=u.get("output_tokens") or 0,
        cached_tokens=(u.get("input_tokens_details") or {}).get("cached_tokens") or 0,
        reasoning_tokens=(u.get("output_tokens_details") or {}).get("reasoning_tokens") or 0,
    )


def _block(piece: Piece) -> dict[str, Any]:
    """A user message's piece as a Responses content part: input_text, input_image or input_file."""
    if isinstance(piece, str):
        return {"type": "input_text", "text": piece}
    if piece.part.media_type == "application/pdf":
        return {"type": "input_file", "filename": piece.part.name, "file_data": piece.data_url}
    return {"type": "input_image", "image_url": piece.data_url, "detail": "auto"}


def map_input(
    messages: list[Message],
    provider: str,
    files: Optional[dict[str, str]] = None,
    takes: tuple[str, ...] = ("image", "pdf"),
) -> list[dict[str, Any]]:
    """Our history as Responses input items. Every part kind has its case in each role (a part that does not
    belong to a role is left out on purpose); a kind without one raises."""
    items: list[dict[str, Any]] = []
    for m in well_formed(messages):
        match m.role:
            case "user":
                items.append({"role": "user", "content": content_or_text(m, files or {}, takes, _block)})
            case "assistant":
                pending: list[dict[str, Any]] = []  # reasoning items wait for the output item that follows them
                for p in m.parts:
                    match p:
                        case ReasoningPart():
                            d = p.provider_details
                            if p.provider == provider and d.get("encrypted_content") and d.get("id"):
                                summary = d.get("summary")
                                if not isinstance(summary, list):
                                    summary = [p.text] if p.text else []
                                pending.append(
                                    {
                                        "type": "reasoning",
                                        "id": d["id"],
                                        "encrypted_content": d["encrypted_content"],
                                        "summary": [{"type": "summary_text", "text": s} for s in summary],
                                    }
                                )
                        case TextPart():
                            items.extend(pending)
                            pending = []
                            items.append({"role": "assistant", "content": p.text})
                        case ToolCallPart():
                            items.extend(pending)
                            pending = []
                            items.append(
                                {
                                    "type": "function_call",
                                    "call_id": p.id,
                                    "name": p.name,
                                    "arguments": arguments_text(p.arguments),
                                }
                            )
                        case ToolResultPart() | FilePart():
                            pass  # results come in the tool message; files only in the user's
                        case _:
                            assert_never(p)
            case "tool":
                for p in m.parts:
                    match p:
                        case ToolResultPart():
                            items.append({"type": "function_call_output", "call_id": p.call_id, "output": p.content})
                        case TextPart() | ReasoningPart() | ToolCallPart() | FilePart():
                            pass  # not a tool result
                        case _:
                            assert_never(p)
            case _:
                assert_never(m.role)
    return items


class ResponsesParser(StreamParser):
    def __init__(self, ctx: errors.ErrorContext):
        super().__init__(ctx)
        self._calls: dict[Any, bool] = {}  # output index -> done
        self._reasoning: dict[Any, list[str]] = {}
        self._finished = False

    def feed(self, sse: SSEEvent) -> list[Event]:
        data = loads(self.ctx, sse.data)
        kind = data.get("type") or sse.event or ""
        index: Any = data.get("output_index")  # an int (None only in a malformed stream; kept as it came)
        if kind == "response.output_item.added":
            item = data.get("item") or {}
            if item.get("type") == "function_call":
                self._calls[index] = False
                return [
                    ToolCallStart(
                        index, item.get("call_id") or item.get("id") or "call_%s" % index, item.get("name") or ""
                    )
                ]
            if item.get("type") == "reasoning":
                self._reasoning[index] = []
            return []
        if kind == "response.reasoning_summary_part.added":
            if (data.get("summary_index") or 0) > 0:
                return [ReasoningDelta("\n\n")]
            return []
        if kind == "response.reasoning_summary_text.delta":
            return [ReasoningDelta(data.get("delta") or "")]
        if kind in ("response.output_text.delta", "response.refusal.delta"):
            return [TextDelta(data.get("delta") or "")]
        if kind == "response.function_call_arguments.delta":
            if index not in self._calls:
                return []
            return [ToolCallDelta(index, data.get("delta") or "")]
        if kind == "response.output_item.done":
            item = data.get("item") or {}
            if item.get("type") == "function_call" and index in self._calls and not self._calls[index]:
                self._calls[index] = True
                return [ToolCallDone(index, item.get("arguments"), {"item_id": item.get("id")})]
            if item.get("type") == "reasoning":
                summary = [s.get("text", "") for s in item.get("summary") or [] if isinstance(s, dict)]
                details: dict[str, Any] = {"id": item.get("id"), "summary": summary}
                if item.get("encrypted_content"):
                    details["encrypted_content"] = item["encrypted_content"]
                return [ReasoningDone(details)]
            return []
        if kind in ("response.completed", "response.incomplete"):
            response = data.get("response") or {}
            self._finished = True
            events: list[Event] = []
            # a call whose output_item.done never came is closed from the final output (or as streamed)
            final = {i: item for i, item in enumerate(response.get("output") or []) if isinstance(item, dict)}
            for index, done in self._calls.items():
                if not done:
                    self._calls[index] = True
                    item = final.get(index) or {}
                    events.append(
                        ToolCallDone(index, item.get("arguments"), {"item_id": item.get("id")} if item else {})
                    )
            if isinstance(response.get("usage"), dict):
                events.append(UsageUpdate(usage_from(response["usage"])))
            if kind == "response.incomplete":
                reason = ((response.get("incomplete_details") or {}).get("reason")) or "incomplete"
                events.append(Finish(INCOMPLETE.get(reason, "other"), raw=reason))
            else:
                events.append(Finish("tool_calls" if self._calls else "stop", raw="completed"))
            return events
        if kind == "response.failed":
            error = (data.get("response") or {}).get("error") or {}
            raise errors.stream_error(self.ctx, {"error": error})
        if kind == "error":
            raise errors.stream_error(
                self.ctx, {"error": data.get("error") if isinstance(data.get("error"), dict) else data}
            )
        return []

    def end(self) -> list[Event]:
        if not self._finished:
            raise errors.truncated(self.ctx, "no response.completed event")
        return []


class ResponsesProvider(StreamingProvider):
    def __init__(
        self,
        api_key: str,
        transport: Transport,
        model: CatalogModel,
        *,
        base_url: Optional[str] = None,
        name: str = OPENAI.name,
        sleep: Optional[Sleep] = None,
        max_attempts: int = 3,
    ):
        base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        super().__init__(name, base, api_key, transport, model, sleep=sleep, max_attempts=max_attempts)

    def body(self, request: ModelRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": request.model,
            "input": map_input(request.messages, self.name, request.files, self.model.takes),
            "stream": True,
            "store": False,
        }
        if request.system:
            body["instructions"] = request.system
        if request.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "name": t.name,
                    **t.description_field(),
                    "parameters": t.parameters,
                    "strict": False,
                }
                for t in request.tools
            ]
        if self.model.reasoning == "effort":
            reasoning: dict[str, Any] = {"summary": "auto"}
            if request.reasoning:
                reasoning["effort"] = request.reasoning
            body["reasoning"] = reasoning
            body["include"] = ["reasoning.encrypted_content"]
        if request.max_output_tokens:
            body["max_output_tokens"] = request.max_output_tokens
        return body

    def build(self, request: ModelRequest) -> Request:
        return Request.json(
            "POST",
            self.base_url + "/responses",
            self.body(request),
            {"authorization": "Bearer " + self.api_key, "accept": "text/event-stream"},
        )

    def parser(self) -> ResponsesParser:
        return ResponsesParser(self.ctx)
