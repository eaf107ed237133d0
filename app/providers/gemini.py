"""Gemini (`POST {base}/v1beta/models/{model}:streamGenerateContent?alt=sse`, key in `x-goog-api-key`).

Tools are declared with `parametersJsonSchema` (full JSON Schema). Function calls arrive whole; each gets
a fresh vendor index and, when Gemini gives none, a fresh id. Thought signatures are kept exactly as
received and put back on the same parts: on a function call in `ToolCallPart.provider_details`, on a
thought or text part as a reasoning part (`ReasoningDone({"thought_signature": ...})`). Only the first of
parallel calls carries one. A Gemini 3 history whose function calls came from another model gets Google's
documented placeholder signature on the first call of each step.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any, Callable, Optional, assert_never

from app.chat.events import (
    Event,
    Finish,
    ReasoningDelta,
    ReasoningDone,
    TextDelta,
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
from app.providers.registry import GEMINI
from app.providers.sse import SSEEvent
from app.providers.streaming import StreamingProvider, StreamParser, loads
from app.transport import Request, Transport

if TYPE_CHECKING:
    from app.providers.retry import Sleep

DEFAULT_BASE_URL = GEMINI.base_url
PLACEHOLDER_SIGNATURE = "skip_thought_signature_validator"
FINISH: dict[str, FinishReason] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
}
BUDGETS = {"none": 0, "minimal": 512, "low": 1024, "medium": 8192, "high": 24576}


def usage_from(u: dict[str, Any]) -> Usage:
    thoughts = u.get("thoughtsTokenCount") or 0
    return Usage(
        input_tokens=(u.get("promptTokenCount") or 0) + (u.get("toolUsePromptTokenCount") or 0),
        output_tokens=(u.get("candidatesTokenCount") or 0) + thoughts,
        cached_tokens=u.get("cachedContentTokenCount") or 0,
        reasoning_tokens=thoughts,
    )


def _response_object(content: str, is_error: bool) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except ValueError:
        value = content
    if isinstance(value, dict) and not is_error:
        return value
    return {"error": value} if is_error else {"result": value}


def user_parts(m: Message, files: dict[str, str], takes: tuple[str, ...]) -> list[dict[str, Any]]:
    """A user message's parts: text, and inline_data (mime type + base64) for its images and PDFs."""
    from app.providers.user_content import user_pieces

    return [
        {"text": piece}
        if isinstance(piece, str)
        else {"inline_data": {"mime_type": piece.part.media_type, "data": piece.data}}
        for piece in user_pieces(m, files, takes)
    ]


def map_contents(
    messages: list[Message],
    provider: str,
    placeholder: bool,
    files: Optional[dict[str, str]] = None,
    takes: tuple[str, ...] = ("image", "pdf"),
) -> list[dict[str, Any]]:
    """Our history as Gemini contents. Every part kind has its case in each role (a part that does not belong to
    a role, or reasoning without a signature of this provider, is left out on purpose); a kind without one raises."""
    contents: list[dict[str, Any]] = []
    last_calls: dict[str, ToolCallPart] = {}
    for m in well_formed(messages):
        match m.role:
            case "user":
                contents.append({"role": "user", "parts": user_parts(m, files or {}, takes)})
            case "assistant":
                last_calls = {p.id: p for p in m.tool_calls}
                parts: list[dict[str, Any]] = []
                first_call = True
                for p in m.parts:
                    match p:
                        case ReasoningPart():
                            sig = p.provider_details.get("thought_signature") if p.provider == provider else None
                            if sig:
                                thought: dict[str, Any] = {"text": p.text, "thoughtSignature": sig}
                                if p.text:
                                    thought["thought"] = True
                                parts.append(thought)
                        case TextPart():
                            parts.append({"text": p.text})
                        case ToolCallPart():
                            parts.append(_function_call(p, provider, placeholder and first_call))
                            first_call = False
                        case ToolResultPart() | FilePart():
                            pass  # results come in the tool message; files only in the user's
                        case _:
                            assert_never(p)
                if parts:
                    contents.append({"role": "model", "parts": parts})
            case "tool":
                responses: list[dict[str, Any]] = []
                for p in m.parts:
                    match p:
                        case ToolResultPart():
                            response: dict[str, Any] = {
                                "name": p.name,
                                "response": _response_object(p.content, p.is_error),
                            }
                            call = last_calls.get(p.call_id)
                            if call is not None and call.provider == provider and call.provider_details.get("id"):
                                response["id"] = call.provider_details["id"]
                            responses.append({"functionResponse": response})
                        case TextPart() | ReasoningPart() | ToolCallPart() | FilePart():
                            pass  # not a tool result
                        case _:
                            assert_never(p)
                if responses:
                    contents.append({"role": "user", "parts": responses})
            case _:
                assert_never(m.role)
    return contents


def _function_call(p: ToolCallPart, provider: str, placeholder: bool) -> dict[str, Any]:
    """A function-call part with its id and thought signature when this provider wrote them; a call another model
    wrote gets the placeholder signature when asked (the first call of a step, Gemini 3)."""
    own = p.provider == provider
    call: dict[str, Any] = {"name": p.name, "args": arguments_object(p.arguments)}
    if own and p.provider_details.get("id"):
        call["id"] = p.provider_details["id"]
    part: dict[str, Any] = {"functionCall": call}
    sig = p.provider_details.get("thought_signature") if own else None
    if sig:
        part["thoughtSignature"] = sig
    elif placeholder and not own:
        part["thoughtSignature"] = PLACEHOLDER_SIGNATURE
    return part


def _new_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:20]


class GeminiParser(StreamParser):
    def __init__(self, ctx: errors.ErrorContext, new_id: Callable[[], str] = _new_call_id):
        super().__init__(ctx)
        self._new_id = new_id
        self._finish: Optional[str] = None
        self._n = 0
        self._any_call = False
        self._usage: Optional[dict[str, Any]] = None

    def feed(self, sse: SSEEvent) -> list[Event]:
        data = loads(self.ctx, sse.data)
        if data.get("error"):
            raise errors.stream_error(self.ctx, data)
        events: list[Event] = []
        candidates = data.get("candidates") or []
        cand = candidates[0] if candidates else {}
        for part in (cand.get("content") or {}).get("parts") or []:
            events.extend(self._part(part))
        u = data.get("usageMetadata")
        if isinstance(u, dict) and u != self._usage:
            self._usage = u
            events.append(UsageUpdate(usage_from(u)))
        if cand.get("finishReason"):
            self._finish = cand["finishReason"]
        block = (data.get("promptFeedback") or {}).get("blockReason")
        if block and not candidates:
            self._finish = "SAFETY"
        return events

    def _part(self, part: dict[str, Any]) -> list[Event]:
        sig = part.get("thoughtSignature") or part.get("thought_signature")
        if "functionCall" in part:
            fc = part["functionCall"] or {}
            self._n += 1
            index = "g%d" % self._n
            details: dict[str, Any] = {}
            if sig:
                details["thought_signature"] = sig
            if fc.get("id"):
                details["id"] = fc["id"]
            call_id = fc.get("id") or self._new_id()
            self._any_call = True
            args = fc.get("args")
            return [
                ToolCallStart(index, call_id, fc.get("name") or ""),
                ToolCallDone(index, json.dumps(args if args is not None else {}, separators=(",", ":")), details),
            ]
        text = part.get("text")
        events: list[Event] = []
        if part.get("thought"):
            if text:
                events.append(ReasoningDelta(text))
            if sig:
                events.append(ReasoningDone({"thought_signature": sig}))
            return events
        if text:
            events.append(TextDelta(text))
        if sig:
            events.append(ReasoningDone({"thought_signature": sig}))
        return events

    def end(self) -> list[Event]:
        if self._finish is None:
            raise errors.truncated(self.ctx, "no finish reason")
        reason = FINISH.get(self._finish, "other")
        if self._any_call and reason == "stop":
            reason = "tool_calls"
        return [Finish(reason, raw=self._finish)]


class GeminiProvider(StreamingProvider):
    def __init__(
        self,
        api_key: str,
        transport: Transport,
        model: CatalogModel,
        *,
        base_url: Optional[str] = None,
        name: str = GEMINI.name,
        sleep: Optional[Sleep] = None,
        max_attempts: int = 3,
    ):
        base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if base.endswith("/v1beta"):
            base = base[: -len("/v1beta")]
        super().__init__(name, base, api_key, transport, model, sleep=sleep, max_attempts=max_attempts)

    def body(self, request: ModelRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "contents": map_contents(
                request.messages, self.name, self.model.reasoning == "gemini_level", request.files, self.model.takes
            ),
        }
        if request.system:
            body["systemInstruction"] = {"parts": [{"text": request.system}]}
        if request.tools:
            body["tools"] = [
                {
                    "functionDeclarations": [
                        {"name": t.name, **t.description_field(), "parametersJsonSchema": t.parameters}
                        for t in request.tools
                    ]
                }
            ]
        config: dict[str, Any] = {}
        if request.max_output_tokens:
            config["maxOutputTokens"] = request.max_output_tokens
        if self.model.reasoning in ("gemini_budget", "gemini_level"):
            thinking: dict[str, Any] = {"includeThoughts": True}
            effort = request.reasoning
            if effort and (not self.model.efforts or effort in self.model.efforts):
                if self.model.reasoning == "gemini_level":
                    thinking["thinkingLevel"] = effort
                else:
                    thinking["thinkingBudget"] = BUDGETS.get(effort, -1)
                    if thinking["thinkingBudget"] == 0:
                        thinking.pop("includeThoughts")
            config["thinkingConfig"] = thinking
        if config:
            body["generationConfig"] = config
        return body

    def build(self, request: ModelRequest) -> Request:
        url = "%s/v1beta/models/%s:streamGenerateContent?alt=sse" % (self.base_url, request.model)
        return Request.json(
            "POST", url, self.body(request), {"x-goog-api-key": self.api_key, "accept": "text/event-stream"}
        )

    def parser(self) -> GeminiParser:
        return GeminiParser(self.ctx)
