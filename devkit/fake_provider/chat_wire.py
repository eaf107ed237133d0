"""Fake OpenAI Chat Completions (also Azure deployments, and the quirks of compatible servers)."""

from __future__ import annotations

import re
from typing import Any, Optional

from devkit.fake_provider.script import Step
from devkit.fake_provider.tool_schema import problem as schema_problem
from devkit.fake_provider.wire import (
    ERROR_STATUS,
    RecordedRequest,
    Reply,
    error_headers,
    json_reply,
    next_number,
    sse,
    usage_for,
)

NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MISTRAL_ID = re.compile(r"^[a-zA-Z0-9]{9}$")


def _err(
    status: int,
    message: str,
    type_: str = "invalid_request_error",
    code: Any = None,
    param: Any = None,
    headers: Optional[dict] = None,
) -> Reply:
    return json_reply(status, {"error": {"message": message, "type": type_, "param": param, "code": code}}, headers)


def is_mistral(req: RecordedRequest) -> bool:
    return req.model.startswith(("mistral", "ministral", "codestral", "magistral", "devstral"))


def check_auth(req: RecordedRequest) -> Optional[Reply]:
    if req.protocol == "azure":
        if not req.header("api-key"):
            return json_reply(
                401,
                {
                    "error": {
                        "code": "401",
                        "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
                    }
                },
            )
        if not req.query.get("api-version"):
            return json_reply(404, {"error": {"code": "404", "message": "Resource not found"}})
        return None
    auth = req.header("authorization") or ""
    if not auth.lower().startswith("bearer ") or not auth[7:].strip():
        return _err(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            code=None,
        )
    return None


def validate(req: RecordedRequest) -> Optional[Reply]:
    body = req.body
    if not isinstance(body, dict):
        return _err(400, "We could not parse the JSON body of your request.")
    if req.protocol != "azure" and not isinstance(body.get("model"), str):
        return _err(400, "you must provide a model parameter", param="model")
    if is_mistral(req) and "stream_options" in body:
        return json_reply(
            422,
            {
                "object": "error",
                "message": {
                    "detail": [
                        {
                            "type": "extra_forbidden",
                            "loc": ["body", "stream_options"],
                            "msg": "Extra inputs are not permitted",
                        }
                    ]
                },
                "type": "invalid_request_message_error",
                "param": None,
                "code": None,
            },
        )
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return _err(400, "Invalid 'messages': empty array. Expected an array with minimum length 1.", param="messages")
    for i, tool in enumerate(body.get("tools") or []):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(fn, dict):
            return _err(400, "Missing required parameter: 'tools[%d].function'." % i, param="tools[%d].function" % i)
        if not isinstance(fn.get("name"), str) or not NAME.match(fn["name"]):
            return _err(400, "Invalid 'tools[%d].function.name': string does not match pattern." % i)
        if "parameters" in fn and not isinstance(fn["parameters"], dict):
            return _err(400, "Invalid 'tools[%d].function.parameters': expected an object." % i)
        if "parameters" in fn and schema_problem(fn["parameters"]):
            return _err(
                400,
                "Invalid schema for function '%s': %s." % (fn["name"], schema_problem(fn["parameters"])),
                param="tools[%d].function.parameters" % i,
            )
    pending: list[str] = []
    for i, m in enumerate(messages):
        role = m.get("role") if isinstance(m, dict) else None
        if role not in ("system", "developer", "user", "assistant", "tool"):
            return _err(
                400,
                "Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'tool', and 'developer'."
                % role,
                param="messages[%d].role" % i,
            )
        if role != "tool" and pending:
            return _err(
                400,
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: %s"
                % ", ".join(pending),
                param="messages.[%d].role" % i,
            )
        if role == "assistant":
            calls = m.get("tool_calls") or []
            content = m.get("content")
            if not calls and (content is None or content == "" or content == []):
                return _err(
                    400,
                    "Invalid value for 'content': expected a non-empty string for an assistant message without tool_calls.",
                    param="messages.[%d].content" % i,
                )
            for c in calls:
                fn = c.get("function") or {}
                if not isinstance(fn.get("arguments"), str) or not isinstance(fn.get("name"), str) or not c.get("id"):
                    return _err(
                        400,
                        "Invalid 'messages[%d].tool_calls': each call needs id, function.name and function.arguments (a string)."
                        % i,
                    )
                if is_mistral(req) and not MISTRAL_ID.match(c["id"]):
                    return json_reply(
                        400,
                        {
                            "object": "error",
                            "message": "Tool call id was %s but must be a-z, A-Z, 0-9, with a length of 9." % c["id"],
                            "type": "invalid_request_message_error",
                            "param": None,
                            "code": "3280",
                        },
                    )
                pending.append(c["id"])
        elif role == "tool":
            cid = m.get("tool_call_id")
            if cid not in pending:
                return _err(
                    400,
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
                    param="messages.[%d].role" % i,
                )
            pending.remove(cid)
            if not isinstance(m.get("content"), (str, list)):
                return _err(400, "Invalid 'messages[%d].content': expected a string." % i)
    if pending:
        return _err(
            400,
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: %s"
            % ", ".join(pending),
            param="messages",
        )
    return None


def error(kind: str, step: Step, req: RecordedRequest) -> Reply:
    status = step.status or ERROR_STATUS[kind]
    h = error_headers(step)
    msg = step.message
    if kind == "bad_key":
        return _err(
            status,
            msg
            or "Incorrect API key provided: sk-****. You can find your API key at https://platform.openai.com/account/api-keys.",
            code="invalid_api_key",
            headers=h,
        )
    if kind == "no_access":
        return _err(
            status,
            msg or "Project `proj_fake` does not have access to model `%s`" % req.model,
            code="model_not_found",
            headers=h,
        )
    if kind == "model_not_found":
        return _err(
            status,
            msg or "The model `%s` does not exist or you do not have access to it." % req.model,
            code="model_not_found",
            headers=h,
        )
    if kind == "rate_limited":
        return _err(
            status,
            msg
            or "Rate limit reached for %s on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s."
            % req.model,
            "requests",
            "rate_limit_exceeded",
            headers=h,
        )
    if kind == "billing":
        return _err(
            status,
            msg or "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota",
            "insufficient_quota",
            headers=h,
        )
    if kind in ("overloaded", "unavailable"):
        return _err(status, msg or "The server is overloaded or not ready yet.", "server_error", headers=h)
    if kind == "server_error":
        return _err(
            status,
            msg or "The server had an error while processing your request. Sorry about that!",
            "server_error",
            headers=h,
        )
    if kind == "context_too_long":
        return _err(
            status,
            msg
            or "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.",
            code="context_length_exceeded",
            param="messages",
            headers=h,
        )
    return _err(
        status,
        msg or "Invalid value for 'tool_choice': the fake was told to reject this request.",
        param="tool_choice",
        headers=h,
    )


def conversation(req: RecordedRequest) -> tuple[Optional[str], list[tuple[str, str]]]:
    """(last user text, tool results that end the request) for the echo answer."""
    messages = (req.body or {}).get("messages") or []
    results: list[tuple[str, str]] = []
    names = {}
    for m in messages:
        for c in m.get("tool_calls") or []:
            names[c.get("id")] = (c.get("function") or {}).get("name", "")
    for m in reversed(messages):
        if m.get("role") == "tool":
            results.insert(0, (names.get(m.get("tool_call_id"), "?"), _text(m.get("content"))))
        else:
            break
    for m in reversed(messages):
        if m.get("role") == "user":
            return _text(m.get("content")), results
    return None, results


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def frames(step: Step, req: RecordedRequest) -> list[bytes]:
    q = set(step.quirks)
    n = next_number()
    cid = "chatcmpl-fake%d" % n
    model = req.model or "fake-deployment"
    include_usage = bool(((req.body or {}).get("stream_options") or {}).get("include_usage"))
    usage_field = include_usage and "usage_in_last_chunk" not in q

    def chunk(delta: Optional[dict], finish: Optional[str] = None, **extra: Any) -> bytes:
        choice: dict = {
            "index": 0,
            "delta": delta if delta is not None else {},
            "logprobs": None,
            "finish_reason": finish,
        }
        payload: dict = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": 1764000000,
            "model": model,
            "system_fingerprint": "fp_fake",
            "choices": [choice],
        }
        if usage_field:
            payload["usage"] = None
        payload.update(extra)
        return sse(payload)

    out: list[bytes] = []
    if "comments" in q:
        out.append(b": OPENROUTER PROCESSING\n\n")
    if "empty_choices" in q:
        out.append(
            sse(
                {
                    "choices": [],
                    "created": 0,
                    "id": "",
                    "model": "",
                    "object": "",
                    "prompt_filter_results": [
                        {"prompt_index": 0, "content_filter_results": {"hate": {"filtered": False, "severity": "safe"}}}
                    ],
                }
            )
        )
    out.append(chunk({"role": "assistant", "content": "", "refusal": None}))
    if step.reasoning:
        field_name = "reasoning" if "reasoning_field" in q else "reasoning_content"
        for piece in step.text_pieces(step.reasoning):
            out.append(chunk({field_name: piece}))
        if "comments" in q:
            out.append(b": OPENROUTER PROCESSING\n\n")
    for piece in step.text_pieces(step.text):
        out.append(chunk({"content": piece}))
    calls = [(i, c.id or "call_fake%d_%d" % (n, i), c) for i, c in enumerate(step.tool_calls)]
    if calls:
        if "whole_tool_calls" in q or "object_arguments" in q:
            entries = []
            for i, call_id, c in calls:
                args: Any = (
                    c.arguments if "object_arguments" in q and isinstance(c.arguments, dict) else c.arguments_json
                )
                e: dict[str, Any] = {"id": call_id, "type": "function", "function": {"name": c.name, "arguments": args}}
                if "no_index" not in q:
                    e["index"] = i
                entries.append(e)
            out.append(chunk({"tool_calls": entries}))
        else:
            for i, call_id, c in calls:
                first = {"index": i, "id": call_id, "type": "function", "function": {"name": c.name, "arguments": ""}}
                if "no_index" in q:
                    del first["index"]
                out.append(chunk({"tool_calls": [first]}))
                args = c.arguments_json
                frags = [args[k : k + 7] for k in range(0, len(args), 7)]
                if "two_fragments_one_chunk" in q and len(frags) >= 2:
                    out.append(
                        chunk(
                            {
                                "tool_calls": [
                                    {"index": i, "function": {"arguments": frags[0]}},
                                    {"index": i, "function": {"arguments": frags[1]}},
                                ]
                            }
                        )
                    )
                    frags = frags[2:]
                for f in frags:
                    d: dict = {"function": {"arguments": f}}
                    if "no_index" not in q:
                        d["index"] = i
                    out.append(chunk({"tool_calls": [d]}))
    if step.truncate:
        return out
    u = usage_for(step, req.raw)
    usage = {
        "prompt_tokens": u["input_tokens"],
        "completion_tokens": u["output_tokens"],
        "total_tokens": u["input_tokens"] + u["output_tokens"],
        "prompt_tokens_details": {"cached_tokens": u["cached_tokens"], "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": u["reasoning_tokens"], "audio_tokens": 0},
    }
    if step.fail_after:
        code = {"rate_limited": "rate_limit_exceeded", "context_too_long": "context_length_exceeded"}.get(
            step.fail_after, "server_error"
        )
        message = step.message or {"overloaded": "The model is overloaded. Please try again later."}.get(
            step.fail_after, "Provider disconnected unexpectedly"
        )
        out.append(
            sse(
                {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": 1764000000,
                    "model": model,
                    "error": {"code": code, "message": message},
                    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
                }
            )
        )
        return out
    finish = step.finish or ("tool_calls" if calls else "stop")
    if calls and "stop_after_tool_calls" in q:
        finish = "stop"
    if "usage_in_last_chunk" in q and "no_usage" not in q:
        out.append(chunk({}, finish, usage=usage))
    else:
        out.append(chunk({}, finish))
        if include_usage and "no_usage" not in q:
            out.append(
                sse(
                    {
                        "id": cid,
                        "object": "chat.completion.chunk",
                        "created": 1764000000,
                        "model": model,
                        "system_fingerprint": "fp_fake",
                        "choices": [],
                        "usage": usage,
                    }
                )
            )
    if "no_done" not in q:
        out.append(b"data: [DONE]\n\n")
    return out
