"""Anthropic Messages (`POST {base}/v1/messages`, stream).

Headers: `x-api-key`, pinned `anthropic-version: 2023-06-01`, and the browser opt-in
`anthropic-dangerous-direct-browser-access: true`. No sampling parameters are ever sent. Prompt caching:
`cache_control` on the system block, the last tool and the last block of the last message (3 of the 4
allowed breakpoints). Thinking blocks (with their signatures) and redacted thinking are replayed unchanged
to Anthropic, and dropped for any other provider's reasoning.
"""

from __future__ import annotations

import json
import re
import uuid
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
from app.providers.history import arguments_object, well_formed
from app.providers.registry import ANTHROPIC
from app.providers.sse import SSEEvent
from app.providers.streaming import StreamingProvider, StreamParser, loads
from app.transport import Request, Transport

if TYPE_CHECKING:
    from app.providers.retry import Sleep

DEFAULT_BASE_URL = ANTHROPIC.base_url
API_VERSION = "2023-06-01"
CACHE = {"type": "ephemeral"}
STOP: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "refusal": "content_filter",
    "pause_turn": "pause",
    "model_context_window_exceeded": "context_too_long",
}
BUDGETS = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 16384, "xhigh": 32000}
EFFORTS = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "xhigh"}
_ID = re.compile(r"[^a-zA-Z0-9_-]")


def tool_id(call_id: str) -> str:
    """Anthropic ids must match ^[a-zA-Z0-9_-]+$; ids written by other providers are made to fit."""
    return _ID.sub("_", call_id) or "call"


def usage_from(u: dict[str, Any], previous: Optional[Usage] = None) -> Usage:
    prev = previous or Usage()
    fresh = u.get("input_tokens")
    write = u.get("cache_creation_input_tokens")
    read = u.get("cache_read_input_tokens")
    prev_fresh = prev.input_tokens - prev.cached_tokens - prev.cache_write_tokens
    fresh = prev_fresh if fresh is None else fresh
    write = prev.cache_write_tokens if write is None else write
    read = prev.cached_tokens if read is None else read
    output = u.get("output_tokens")
    return Usage(
        input_tokens=fresh + write + read,
        output_tokens=prev.output_tokens if output is None else output,
        cached_tokens=read,
        cache_write_tokens=write,
    )


def user_blocks(m: Message, files: dict[str, str], takes: tuple[str, ...]) -> list[dict[str, Any]]:
    """A user message's blocks: text, and image / document blocks with base64 sources for its files."""
    from app.providers.user_content import user_pieces

    blocks: list[dict[str, Any]] = []
    for piece in user_pieces(m, files, takes):
        if isinstance(piece, str):
            blocks.append({"type": "text", "text": piece})
        else:
            source = {"type": "base64", "media_type": piece.part.media_type, "data": piece.data}
            kind = "document" if piece.part.media_type == "application/pdf" else "image"
            block: dict[str, Any] = {"type": kind, "source": source}
            if kind == "document":
                block["title"] = piece.part.name
            blocks.append(block)
    return blocks


def map_messages(
    messages: list[Message],
    provider: str,
    files: Optional[dict[str, str]] = None,
    takes: tuple[str, ...] = ("image", "pdf"),
) -> list[dict[str, Any]]:
    """Our history as Anthropic messages. Every part kind has its case in each role (a part that does not belong
    to a role, or reasoning another provider wrote, is left out on purpose); a kind without one raises."""
    out: list[dict[str, Any]] = []

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)  # consecutive user turns (e.g. text after tool results) merge
        else:
            out.append({"role": role, "content": blocks})

    for m in well_formed(messages):
        match m.role:
            case "user":
                add("user", user_blocks(m, files or {}, takes))
            case "assistant":
                blocks: list[dict[str, Any]] = []
                for p in m.parts:
                    match p:
                        case ReasoningPart():
                            d = p.provider_details
                            if p.provider != provider:
                                continue
                            if d.get("redacted_data"):
                                blocks.append({"type": "redacted_thinking", "data": d["redacted_data"]})
                            elif d.get("signature"):
                                blocks.append({"type": "thinking", "thinking": p.text, "signature": d["signature"]})
                        case TextPart():
                            blocks.append({"type": "text", "text": p.text})
                        case ToolCallPart():
                            blocks.append(
                                {
                                    "type": "tool_use",
                                    "id": tool_id(p.id),
                                    "name": p.name,
                                    "input": arguments_object(p.arguments),
                                }
                            )
                        case ToolResultPart() | FilePart():
                            pass  # results come in the tool message; files only in the user's
                        case _:
                            assert_never(p)
                add("assistant", blocks)
            case "tool":
                results: list[dict[str, Any]] = []
                for p in m.parts:
                    match p:
                        case ToolResultPart():
                            block: dict[str, Any] = {
                                "type": "tool_result",
                                "tool_use_id": tool_id(p.call_id),
                                "content": p.content,
                            }
                            if p.is_error:
                                block["is_error"] = True
                            results.append(block)
                        case TextPart() | ReasoningPart() | ToolCallPart() | FilePart():
                            pass  # not a tool result
                        case _:
                            assert_never(p)
                if out and out[-1]["role"] == "user":  # tool results must come first in their user message
                    out.append({"role": "user", "content": results})
                else:
                    add("user", results)
            case _:
                assert_never(m.role)
    if out and out[-1]["role"] == "user" and out[-1]["content"]:
        last = dict(out[-1]["content"][-1])
        last["cache_control"] = CACHE
        out[-1]["content"][-1] = last
    return out


class MessagesParser(StreamParser):
    def __init__(self, ctx: errors.ErrorContext):
        super().__init__(ctx)
        self._blocks: dict[Any, dict[str, Any]] = {}  # block index -> {"type", "signature", "whole"}
        self._usage: Optional[Usage] = None
        self._stop: Optional[str] = None
        self._finished = False
        self._any_call = False

    def feed(self, sse: SSEEvent) -> list[Event]:
        data = loads(self.ctx, sse.data)
        kind = data.get("type") or sse.event or ""
        index: Any = data.get("index")  # an int (None only in a malformed stream; kept as it came)
        if kind == "message_start":
            u = (data.get("message") or {}).get("usage")
            if isinstance(u, dict):
                self._usage = usage_from(u)
                return [UsageUpdate(self._usage)]
            return []
        if kind == "content_block_start":
            block = data.get("content_block") or {}
            t = block.get("type")
            self._blocks[index] = {"type": t, "signature": block.get("signature") or ""}
            if t == "text" and block.get("text"):
                return [TextDelta(block["text"])]
            if t == "thinking" and block.get("thinking"):
                return [ReasoningDelta(block["thinking"])]
            if t == "redacted_thinking":
                return [ReasoningDone({"redacted_data": block.get("data") or ""})]
            if t == "tool_use":
                self._any_call = True
                events: list[Event] = [
                    ToolCallStart(index, block.get("id") or "toolu_" + uuid.uuid4().hex[:24], block.get("name") or "")
                ]
                if block.get("input"):
                    self._blocks[index]["whole"] = json.dumps(block["input"], separators=(",", ":"))
                return events
            return []
        if kind == "content_block_delta":
            delta = data.get("delta") or {}
            t = delta.get("type")
            if t == "text_delta":
                return [TextDelta(delta.get("text") or "")]
            if t == "thinking_delta":
                return [ReasoningDelta(delta.get("thinking") or "")]
            if t == "signature_delta":
                if index in self._blocks:
                    self._blocks[index]["signature"] += delta.get("signature") or ""
                return []
            if t == "input_json_delta":
                fragment = delta.get("partial_json") or ""
                return [ToolCallDelta(index, fragment)] if fragment else []
            return []
        if kind == "content_block_stop":
            block = self._blocks.get(index) or {}
            if block.get("type") == "thinking":
                return [ReasoningDone({"signature": block.get("signature", "")})]
            if block.get("type") == "tool_use":
                return [ToolCallDone(index, block.get("whole"))]
            return []
        if kind == "message_delta":
            self._stop = (data.get("delta") or {}).get("stop_reason") or self._stop
            u = data.get("usage")
            if isinstance(u, dict):
                self._usage = usage_from(u, self._usage)
                return [UsageUpdate(self._usage)]
            return []
        if kind == "message_stop":
            self._finished = True
            reason = STOP.get(self._stop or "", "other")
            if self._any_call and reason == "stop":
                reason = "tool_calls"
            return [Finish(reason, raw=self._stop)]
        if kind == "error":
            raise errors.stream_error(self.ctx, data)
        return []  # ping and unknown events

    def end(self) -> list[Event]:
        if not self._finished:
            raise errors.truncated(self.ctx, "no message_stop event")
        return []


class MessagesProvider(StreamingProvider):
    def __init__(
        self,
        api_key: str,
        transport: Transport,
        model: CatalogModel,
        *,
        base_url: Optional[str] = None,
        name: str = ANTHROPIC.name,
        sleep: Optional[Sleep] = None,
        max_attempts: int = 3,
    ):
        base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if base.endswith("/v1"):
            base = base[:-3]
        super().__init__(name, base, api_key, transport, model, sleep=sleep, max_attempts=max_attempts)

    def body(self, request: ModelRequest) -> dict[str, Any]:
        max_tokens = request.max_output_tokens or min(self.model.output_limit, 32000)
        body: dict[str, Any] = {
            "model": request.model,
            "max_tokens": max_tokens,
            "messages": map_messages(request.messages, self.name, request.files, self.model.takes),
            "stream": True,
        }
        if request.system:
            body["system"] = [{"type": "text", "text": request.system, "cache_control": CACHE}]
        if request.tools:
            tools = [{"name": t.name, **t.description_field(), "input_schema": t.parameters} for t in request.tools]
            tools[-1]["cache_control"] = CACHE
            body["tools"] = tools
        effort = request.reasoning
        if effort and effort != "none":
            if self.model.reasoning == "budget":
                budget = BUDGETS.get(effort, BUDGETS["medium"])
                if budget >= max_tokens:
                    max_tokens = min(self.model.output_limit, budget + 4096)
                    body["max_tokens"] = max_tokens
                    budget = min(budget, max_tokens - 1024)
                if budget >= 1024:
                    body["thinking"] = {"type": "enabled", "budget_tokens": budget}
            elif self.model.reasoning == "adaptive":
                # Claude decides when and how much to think; `output_config.effort` bounds all of its spending.
                body["thinking"] = {"type": "adaptive"}
                body["output_config"] = {"effort": EFFORTS.get(effort, "high")}
        return body

    def build(self, request: ModelRequest) -> Request:
        headers = {
            "x-api-key": self.api_key,
            "anthropic-version": API_VERSION,
            "anthropic-dangerous-direct-browser-access": "true",
            "accept": "text/event-stream",
        }
        return Request.json("POST", self.base_url + "/v1/messages", self.body(request), headers)

    def parser(self) -> MessagesParser:
        return MessagesParser(self.ctx)
