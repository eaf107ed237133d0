"""Fake Anthropic Messages API (`POST /v1/messages`, stream)."""

from __future__ import annotations

import base64
from typing import Any, Optional

from devkit.fake_provider.script import Step
from devkit.fake_provider.tool_schema import problem as schema_problem
from devkit.fake_provider.wire import (
    RecordedRequest,
    Reply,
    error_headers,
    json_reply,
    next_number,
    sse,
    usage_for,
)

SAMPLING = ("temperature", "top_p", "top_k")


def _err(status: int, type_: str, message: str, headers: Optional[dict] = None) -> Reply:
    return json_reply(
        status, {"type": "error", "error": {"type": type_, "message": message}, "request_id": "req_fake"}, headers
    )


def check_auth(req: RecordedRequest) -> Optional[Reply]:
    auth = req.header("authorization") or ""
    key = req.header("x-api-key") or (auth[7:].strip() if auth.lower().startswith("bearer ") else "")
    if not key:
        return _err(401, "authentication_error", "x-api-key header is required")
    if req.header("origin") and (req.header("anthropic-dangerous-direct-browser-access") or "").lower() != "true":
        return _err(
            401, "authentication_error", "CORS requests must set 'anthropic-dangerous-direct-browser-access' header"
        )
    if not req.header("anthropic-version"):
        return _err(400, "invalid_request_error", "anthropic-version: header is required")
    return None


def _blocks(content: Any) -> list:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return content if isinstance(content, list) else []


def validate(req: RecordedRequest) -> Optional[Reply]:
    body = req.body

    def bad(msg: str) -> Reply:
        return _err(400, "invalid_request_error", msg)

    if not isinstance(body, dict):
        return bad("Invalid JSON body")
    if not isinstance(body.get("model"), str):
        return bad("model: Field required")
    if not isinstance(body.get("max_tokens"), int):
        return bad("max_tokens: Field required")
    thinking = body.get("thinking") or {}
    if thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            return bad("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
        if budget >= body["max_tokens"]:
            return bad("`max_tokens` must be greater than `thinking.budget_tokens`.")
    if thinking.get("type") in ("enabled", "adaptive"):
        for s in SAMPLING:
            if s in body:
                return bad(
                    "`%s` may only be set to 1 when thinking is enabled." % s
                    if s == "temperature"
                    else "`%s` is not supported when thinking is enabled." % s
                )
        tc = (body.get("tool_choice") or {}).get("type")
        if tc in ("any", "tool"):
            return bad("Thinking may not be enabled when tool_choice forces tool use.")
    tools = body.get("tools") or []
    breakpoints = 0
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            return bad("tools.%d.name: Field required" % i)
        schema = tool.get("input_schema")
        if not isinstance(schema, dict):
            return bad("tools.%d.custom.input_schema: Field required" % i)
        if schema.get("type") != "object":
            return bad("tools.%d.custom.input_schema.type: Input should be 'object'" % i)
        if schema_problem(schema):
            return bad("tools.%d.custom.input_schema: JSON schema is invalid: %s" % (i, schema_problem(schema)))
        breakpoints += 1 if tool.get("cache_control") else 0
    system = body.get("system")
    if system is not None and not isinstance(system, (str, list)):
        return bad("system: Input should be a valid list")
    if isinstance(system, list):
        for b in system:
            if b.get("type") != "text":
                return bad("system: only text blocks are allowed")
            breakpoints += 1 if b.get("cache_control") else 0
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return bad("messages: at least one message is required")
    if messages[0].get("role") != "user":
        return bad('messages: first message must use the "user" role')
    previous_uses: list[str] = []
    for i, m in enumerate(messages):
        role = m.get("role")
        blocks = _blocks(m.get("content"))
        for b in blocks:
            breakpoints += 1 if isinstance(b, dict) and b.get("cache_control") else 0
        if role not in ("user", "assistant"):
            return bad("messages.%d.role: Input should be 'user' or 'assistant'" % i)
        if not blocks and not (role == "assistant" and i == len(messages) - 1):
            return bad(
                "messages.%d: all messages must have non-empty content except for the optional final assistant message"
                % i
            )
        if role == "user":
            results: list[str] = []  # the tool_use ids answered
            for j, b in enumerate(blocks):
                if b.get("type") == "tool_result":
                    if j != len(results):
                        return bad("messages.%d: `tool_result` blocks must come first in the user message" % i)
                    results.append(b.get("tool_use_id"))
                    if b.get("is_error") is not None and not isinstance(b.get("is_error"), bool):
                        return bad("messages.%d.content.%d.is_error: Input should be a valid boolean" % (i, j))
            missing = [u for u in previous_uses if u not in results]
            if missing:
                return bad(
                    "messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s. Each `tool_use` block must have a corresponding `tool_result` block in the next message."
                    % (i - 1, ", ".join(missing))
                )
            extra = [r for r in results if r not in previous_uses]
            if extra:
                return bad(
                    "messages.%d.content.0: unexpected `tool_use_id` found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
                    % (i, ", ".join(extra))
                )
            previous_uses = []
        else:
            if previous_uses:
                return bad(
                    "messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s."
                    % (i - 1, ", ".join(previous_uses))
                )
            for j, b in enumerate(blocks):
                t = b.get("type")
                if t == "tool_use":
                    if not isinstance(b.get("input"), dict) or not b.get("id") or not b.get("name"):
                        return bad(
                            "messages.%d.content.%d.tool_use: id, name and input (an object) are required" % (i, j)
                        )
                    previous_uses.append(b["id"])
                elif t == "thinking":
                    if not isinstance(b.get("signature"), str) or not b.get("signature"):
                        return bad("messages.%d.content.%d.thinking.signature: Field required" % (i, j))
                elif t == "redacted_thinking":
                    if not b.get("data"):
                        return bad("messages.%d.content.%d.redacted_thinking.data: Field required" % (i, j))
                elif t == "text":
                    if not b.get("text"):
                        return bad("messages.%d.content.%d: text content blocks must be non-empty" % (i, j))
                elif t == "tool_result":
                    return bad("messages.%d.content.%d: tool_result blocks are only allowed in user messages" % (i, j))
    if previous_uses:
        return bad(
            "messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s."
            % (len(messages) - 1, ", ".join(previous_uses))
        )
    if breakpoints > 4:
        return bad("A maximum of 4 blocks with cache_control may be provided. Found %d." % breakpoints)
    return None


def error(kind: str, step: Step, req: RecordedRequest) -> Reply:
    h = error_headers(step)
    table = {
        "bad_key": (401, "authentication_error", "invalid x-api-key"),
        "no_access": (403, "permission_error", "Your API key does not have permission to use the specified resource."),
        "model_not_found": (404, "not_found_error", "model: %s" % req.model),
        "rate_limited": (
            429,
            "rate_limit_error",
            "This request would exceed the rate limit for your organization of 50 requests per minute.",
        ),
        "billing": (
            400,
            "invalid_request_error",
            "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
        ),
        "overloaded": (529, "overloaded_error", "Overloaded"),
        "unavailable": (529, "overloaded_error", "Overloaded"),
        "server_error": (500, "api_error", "Internal server error"),
        "context_too_long": (400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"),
        "invalid": (
            400,
            "invalid_request_error",
            "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'",
        ),
    }
    status, type_, message = table[kind]
    return _err(step.status or status, type_, step.message or message, h)


def conversation(req: RecordedRequest) -> tuple[Optional[str], list[tuple[str, str]]]:
    messages = (req.body or {}).get("messages") or []
    names = {}
    for m in messages:
        for b in _blocks(m.get("content")):
            if b.get("type") == "tool_use":
                names[b.get("id")] = b.get("name")
    if messages and messages[-1].get("role") == "user":
        blocks = _blocks(messages[-1].get("content"))
        results = [
            (names.get(b.get("tool_use_id"), "?"), _result_text(b.get("content")))
            for b in blocks
            if b.get("type") == "tool_result"
        ]
        if results:
            return None, results
    for m in reversed(messages):
        if m.get("role") == "user":
            text = "".join(b.get("text", "") for b in _blocks(m.get("content")) if b.get("type") == "text")
            if text:
                return text, []
    return None, []


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in _blocks(content) if b.get("type") == "text")


def frames(step: Step, req: RecordedRequest) -> list[bytes]:
    n = next_number()
    out: list[bytes] = []

    def emit(kind: str, **data: Any) -> None:
        payload = {"type": kind}
        payload.update(data)
        out.append(sse(payload, event=kind))

    u = usage_for(step, req.raw)
    fresh = max(0, u["input_tokens"] - u["cached_tokens"] - u["cache_write_tokens"])
    emit(
        "message_start",
        message={
            "id": "msg_fake%d" % n,
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": req.model,
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {
                "input_tokens": fresh,
                "cache_creation_input_tokens": u["cache_write_tokens"],
                "cache_read_input_tokens": u["cached_tokens"],
                "output_tokens": 1,
            },
        },
    )
    emit("ping")
    index = 0
    if "redacted_thinking" in step.quirks:
        emit(
            "content_block_start",
            index=index,
            content_block={"type": "redacted_thinking", "data": "EmwKAhgBEgyFakeRedacted%d==" % n},
        )
        emit("content_block_stop", index=index)
        index += 1
    if step.reasoning:
        emit("content_block_start", index=index, content_block={"type": "thinking", "thinking": "", "signature": ""})
        for piece in step.text_pieces(step.reasoning):
            emit("content_block_delta", index=index, delta={"type": "thinking_delta", "thinking": piece})
        signature = base64.b64encode(("sig:%d:%s" % (n, step.reasoning)).encode()).decode()
        emit("content_block_delta", index=index, delta={"type": "signature_delta", "signature": signature})
        emit("content_block_stop", index=index)
        index += 1
    if step.text:
        emit("content_block_start", index=index, content_block={"type": "text", "text": ""})
        for piece in step.text_pieces(step.text):
            emit("content_block_delta", index=index, delta={"type": "text_delta", "text": piece})
        if step.truncate and not step.tool_calls:
            return out
        emit("content_block_stop", index=index)
        index += 1
    for i, c in enumerate(step.tool_calls):
        tid = c.id or "toolu_01Fake%d%d" % (n, i)
        emit(
            "content_block_start",
            index=index,
            content_block={"type": "tool_use", "id": tid, "name": c.name, "input": {}},
        )
        emit("content_block_delta", index=index, delta={"type": "input_json_delta", "partial_json": ""})
        args = c.arguments_json
        for k in range(0, len(args), 7):
            emit(
                "content_block_delta", index=index, delta={"type": "input_json_delta", "partial_json": args[k : k + 7]}
            )
        if step.truncate:
            return out
        emit("content_block_stop", index=index)
        index += 1
    if step.truncate:
        return out
    if step.fail_after:
        type_, message = {
            "rate_limited": ("rate_limit_error", "Rate limited"),
            "server_error": ("api_error", "Internal server error"),
        }.get(step.fail_after, ("overloaded_error", "Overloaded"))
        emit("error", error={"type": type_, "message": step.message or message})
        return out
    stop = {
        "length": "max_tokens",
        "content_filter": "refusal",
        "context_too_long": "model_context_window_exceeded",
        "pause": "pause_turn",
    }.get(step.finish or "", "tool_use" if step.tool_calls else "end_turn")
    emit(
        "message_delta",
        delta={"stop_reason": stop, "stop_sequence": None},
        usage={
            "input_tokens": fresh,
            "cache_creation_input_tokens": u["cache_write_tokens"],
            "cache_read_input_tokens": u["cached_tokens"],
            "output_tokens": u["output_tokens"],
        },
    )
    emit("message_stop")
    return out
