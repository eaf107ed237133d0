"""Chat Completions (`POST {base}/chat/completions`): OpenAI-compatible endpoints, Azure, Ollama, LM Studio,
vLLM, Mistral, OpenRouter, LiteLLM.

Deviations absorbed (providers.md §5): a tool call without `index` (a new `id` starts a new call, else the
fragment extends the last call); whole tool calls in one chunk; `finish_reason: "stop"` after tool calls
(the reason is decided from content); reasoning in `reasoning_content` | `reasoning` | `reasoning_details`;
`choices: []` chunks (Azure prompt filters, usage); comment lines; object `arguments` (re-serialised);
a missing `[DONE]` after a finish reason; an in-stream `{"error": ...}` with `finish_reason: "error"`.
Mistral: no `stream_options` (422) and tool-call ids remapped to [a-zA-Z0-9]{9}.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import TYPE_CHECKING, Any, Callable, Optional, assert_never

from app.chat.events import (
    Event,
    Finish,
    PartId,
    ReasoningDelta,
    TextDelta,
    ToolCallDelta,
    ToolCallDone,
    ToolCallStart,
    UsageUpdate,
)
from app.chat.model import FilePart, FinishReason, Message, ReasoningPart, TextPart, ToolCallPart, ToolResultPart, Usage
from app.chat.request import ModelRequest
from app.providers import errors
from app.providers.catalog import CatalogModel
from app.providers.history import arguments_text, well_formed
from app.providers.sse import SSEEvent
from app.providers.streaming import StreamingProvider, StreamParser, loads
from app.providers.user_content import Piece, content_or_text
from app.transport import Request, Transport

if TYPE_CHECKING:
    from app.providers.retry import Sleep

SECRET_HEADER = re.compile(r"auth|key|token|secret|cookie|password", re.IGNORECASE)  # extra headers hidden in errors
FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "length": "length",
    "content_filter": "content_filter",
}
_MISTRAL_ID = re.compile(r"^[a-zA-Z0-9]{9}$")


def new_call_id() -> str:
    """An id for a call the server sent without one."""
    return "call_" + uuid.uuid4().hex[:24]


def mistral_id(call_id: str) -> str:
    """A deterministic [a-zA-Z0-9]{9} id for any tool-call id (ids that already fit are kept)."""
    if _MISTRAL_ID.match(call_id):
        return call_id
    return hashlib.sha1(call_id.encode()).hexdigest()[:9]


def usage_from(u: dict[str, Any]) -> Usage:
    prompt = u.get("prompt_tokens_details") or {}
    completion = u.get("completion_tokens_details") or {}
    return Usage(
        input_tokens=u.get("prompt_tokens") or 0,
        output_tokens=u.get("completion_tokens") or 0,
        cached_tokens=prompt.get("cached_tokens") or 0,
        reasoning_tokens=completion.get("reasoning_tokens") or 0,
    )


def _block(piece: Piece) -> dict[str, Any]:
    """A user message's piece as a Chat Completions content part: text, image_url (a data URL; vision models) or
    file (a PDF)."""
    if isinstance(piece, str):
        return {"type": "text", "text": piece}
    if piece.part.media_type == "application/pdf":
        return {"type": "file", "file": {"filename": piece.part.name, "file_data": piece.data_url}}
    return {"type": "image_url", "image_url": {"url": piece.data_url}}


def map_messages(
    system: str,
    messages: list[Message],
    remap_ids: bool = False,
    files: Optional[dict[str, str]] = None,
    takes: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Our history as Chat Completions messages. Every part kind has its case in each role (a part that does not
    belong to a role, or that this protocol cannot carry, such as reasoning, is left out on purpose); a kind without
    one raises."""
    fix: Callable[[str], str] = mistral_id if remap_ids else (lambda x: x)
    out: list[dict[str, Any]] = []
    if system:
        out.append({"role": "system", "content": system})
    for m in well_formed(messages):
        match m.role:
            case "user":
                out.append({"role": "user", "content": content_or_text(m, files or {}, takes, _block)})
            case "assistant":
                text: list[str] = []
                calls: list[dict[str, Any]] = []
                for p in m.parts:
                    match p:
                        case TextPart():
                            text.append(p.text)
                        case ToolCallPart():
                            calls.append(
                                {
                                    "id": fix(p.id),
                                    "type": "function",
                                    "function": {"name": p.name, "arguments": arguments_text(p.arguments)},
                                }
                            )
                        case ReasoningPart():
                            pass  # Chat Completions takes no reasoning back
                        case ToolResultPart() | FilePart():
                            pass  # results come in the tool message; files only in the user's
                        case _:
                            assert_never(p)
                item: dict[str, Any] = {"role": "assistant", "content": "".join(text) or None}
                if calls:
                    item["tool_calls"] = calls
                out.append(item)
            case "tool":
                for p in m.parts:
                    match p:
                        case ToolResultPart():
                            out.append({"role": "tool", "tool_call_id": fix(p.call_id), "content": p.content})
                        case TextPart() | ReasoningPart() | ToolCallPart() | FilePart():
                            pass  # not a tool result
                        case _:
                            assert_never(p)
            case _:
                assert_never(m.role)
    return out


class ChatParser(StreamParser):
    def __init__(self, ctx: errors.ErrorContext):
        super().__init__(ctx)
        self._calls: dict[PartId, dict[str, Any]] = {}  # key -> {"id", "name", "started", "pending", "done"}
        self._ids: dict[str, PartId] = {}
        self._last: Optional[PartId] = None
        self._finish: Optional[str] = None
        self._done = False
        self._any_call = False

    def feed(self, sse: SSEEvent) -> list[Event]:
        data = sse.data.strip()
        if data == "[DONE]":
            self._done = True
            return []
        if self._done:
            return []
        payload = loads(self.ctx, data)
        if payload.get("error"):
            raise errors.stream_error(self.ctx, payload)
        events: list[Event] = []
        for choice in payload.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            events.extend(self._delta(delta))
            reason = choice.get("finish_reason")
            if reason:
                if reason == "error":
                    raise errors.stream_error(self.ctx, {"error": {"message": "the stream ended with an error"}})
                events.extend(self._close_calls())
                self._finish = reason
        usage = payload.get("usage")
        if isinstance(usage, dict) and usage:
            events.append(UsageUpdate(usage_from(usage)))
        return events

    def _delta(self, delta: dict[str, Any]) -> list[Event]:
        events: list[Event] = []
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if not reasoning and isinstance(delta.get("reasoning_details"), list):
            reasoning = "".join(
                str(d.get("text") or d.get("summary") or "") for d in delta["reasoning_details"] if isinstance(d, dict)
            )
        if isinstance(reasoning, str) and reasoning:
            events.append(ReasoningDelta(reasoning))
        content = delta.get("content")
        if isinstance(content, str) and content:
            events.append(TextDelta(content))
        refusal = delta.get("refusal")
        if isinstance(refusal, str) and refusal:
            events.append(TextDelta(refusal))
        for tc in delta.get("tool_calls") or []:
            events.extend(self._tool_call(tc))
        return events

    def _tool_call(self, tc: dict[str, Any]) -> list[Event]:
        index = tc.get("index")
        call_id = tc.get("id") or None
        fn = tc.get("function") or {}
        name = fn.get("name") or None
        args = fn.get("arguments")
        if isinstance(args, (dict, list)):
            args = json.dumps(args, separators=(",", ":"))
        if index is not None:
            key: PartId = index
            known = self._calls.get(key)
            if known is not None and call_id and known["id"] != call_id and known["started"]:
                key = "%s:%s" % (index, call_id)  # a server that reuses one index for several calls
        elif call_id and call_id not in self._ids:
            key = "id:" + call_id
        elif call_id:
            key = self._ids[call_id]
        elif self._last is not None:
            key = self._last
        else:
            key = "call:0"
        events: list[Event] = []
        state = self._calls.get(key)
        if state is None:
            state = {"id": call_id, "name": name, "started": False, "pending": "", "done": False}
            self._calls[key] = state
        else:
            state["id"] = state["id"] or call_id
            state["name"] = state["name"] or name
        if state["id"]:
            self._ids[state["id"]] = key
        self._last = key
        if not state["started"] and state["name"]:
            if not state["id"]:
                state["id"] = new_call_id()  # unique across streams: cards, previews and Undo find a call by it
            state["started"] = True
            self._any_call = True
            events.append(ToolCallStart(key, state["id"], state["name"]))
            if state["pending"]:
                events.append(ToolCallDelta(key, state["pending"]))
                state["pending"] = ""
        if isinstance(args, str) and args:
            if state["started"]:
                events.append(ToolCallDelta(key, args))
            else:
                state["pending"] += args
        return events

    def _close_calls(self) -> list[Event]:
        events: list[Event] = []
        for key, state in self._calls.items():
            if state["started"] and not state["done"]:
                state["done"] = True
                events.append(ToolCallDone(key))
        return events

    def end(self) -> list[Event]:
        if self._finish is None:
            raise errors.truncated(self.ctx, "no finish reason")
        reason = FINISH.get(self._finish, "other")
        if self._any_call and reason in ("stop", "other"):
            reason = "tool_calls"
        return [Finish(reason, raw=self._finish)]


class ChatCompletionsProvider(StreamingProvider):
    def __init__(
        self,
        name: str,
        base_url: str,
        api_key: str,
        transport: Transport,
        model: CatalogModel,
        *,
        server: str = "generic",
        headers: Optional[dict[str, str]] = None,
        azure_api_version: str = "2024-10-21",
        azure_style: str = "deployments",
        remap_tool_ids: Optional[bool] = None,
        stream_usage: Optional[bool] = None,
        sleep: Optional[Sleep] = None,
        max_attempts: int = 3,
    ):
        super().__init__(
            name, base_url, api_key, transport, model, server=server, sleep=sleep, max_attempts=max_attempts
        )
        self.server = server
        self.headers = dict(headers or {})
        self.ctx.secrets = (api_key, *(v for k, v in self.headers.items() if SECRET_HEADER.search(k)))
        self.azure_api_version = azure_api_version
        self.azure_style = azure_style
        self.remap_tool_ids = server == "mistral" if remap_tool_ids is None else remap_tool_ids
        self.stream_usage = server != "mistral" if stream_usage is None else stream_usage

    def url(self, model_id: str) -> str:
        if self.server == "azure":
            if self.azure_style == "v1" or "/openai/v1" in self.base_url:
                base = self.base_url if "/openai/v1" in self.base_url else self.base_url + "/openai/v1"
                return base + "/chat/completions"
            return "%s/openai/deployments/%s/chat/completions?api-version=%s" % (
                self.base_url,
                model_id,
                self.azure_api_version,
            )
        return self.base_url + "/chat/completions"

    def body(self, request: ModelRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": request.model,
            "messages": map_messages(
                request.system, request.messages, self.remap_tool_ids, request.files, self.model.takes
            ),
            "stream": True,
        }
        if request.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {"name": t.name, **t.description_field(), "parameters": t.parameters},
                }
                for t in request.tools
            ]
        if self.stream_usage:
            body["stream_options"] = {"include_usage": True}
        if request.max_output_tokens:
            key = (
                "max_completion_tokens" if self.server == "azure" or "api.openai.com" in self.base_url else "max_tokens"
            )
            body[key] = request.max_output_tokens
        if request.reasoning and self.model.reasoning:
            body["reasoning_effort"] = request.reasoning
        return body

    def build(self, request: ModelRequest) -> Request:
        headers: dict[str, str] = {"accept": "text/event-stream"}
        if self.api_key:
            if self.server == "azure":
                headers["api-key"] = self.api_key
            else:
                headers["authorization"] = "Bearer " + self.api_key
        headers.update(self.headers)
        return Request.json("POST", self.url(request.model), self.body(request), headers)

    def parser(self) -> ChatParser:
        return ChatParser(self.ctx)
