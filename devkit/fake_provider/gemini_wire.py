"""Fake Gemini API (`POST /v1beta/models/{model}:streamGenerateContent?alt=sse`, CRLF-framed SSE)."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Optional

from devkit.fake_provider.script import Step
from devkit.fake_provider.tool_schema import problem as schema_problem
from devkit.fake_provider.wire import (
    RecordedRequest,
    Reply,
    json_reply,
    next_number,
    sse,
    usage_for,
)

DUMMY_SIGNATURES = ("skip_thought_signature_validator", "context_engineering_is_the_way_to_go")


def _err(code: int, status: str, message: str, details: Optional[list] = None, headers: Optional[dict] = None) -> Reply:
    error: dict = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return json_reply(code, {"error": error}, headers)


def check_auth(req: RecordedRequest) -> Optional[Reply]:
    if not (req.header("x-goog-api-key") or req.query.get("key")):
        return _err(
            403,
            "PERMISSION_DENIED",
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        )
    return None


def _valid_signature(sig: Any) -> bool:
    if sig in DUMMY_SIGNATURES:
        return True
    if not isinstance(sig, str) or not sig:
        return False
    try:
        base64.b64decode(sig, validate=True)
        return True
    except (binascii.Error, ValueError):
        return False


def validate(req: RecordedRequest) -> Optional[Reply]:
    body = req.body

    def bad(msg: str) -> Reply:
        return _err(400, "INVALID_ARGUMENT", msg)

    if not isinstance(body, dict):
        return bad("Invalid JSON payload received.")
    for t in body.get("tools") or []:
        for i, fd in enumerate(t.get("functionDeclarations") or t.get("function_declarations") or []):
            if not isinstance(fd.get("name"), str):
                return bad(
                    "* GenerateContentRequest.tools[0].function_declarations[%d].name: Name cannot be empty." % i
                )
            has_p = "parameters" in fd
            has_js = "parametersJsonSchema" in fd or "parameters_json_schema" in fd
            if has_p and has_js:
                return bad(
                    "* GenerateContentRequest.tools[0].function_declarations[%d]: parameters and parameters_json_schema are mutually exclusive."
                    % i
                )
            found = (
                schema_problem(fd["parameters"], openapi_subset=True)
                if has_p
                else schema_problem(fd.get("parametersJsonSchema", fd.get("parameters_json_schema")))
            )
            if (has_p or has_js) and found:
                return bad("* GenerateContentRequest.tools[0].function_declarations[%d].parameters: %s" % (i, found))
    system = body.get("systemInstruction") or body.get("system_instruction")
    if system is not None and not isinstance(system.get("parts"), list):
        return bad("Invalid JSON payload received. systemInstruction.parts must be a list.")
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        return bad("* GenerateContentRequest.contents: contents is not specified")
    gemini3 = req.model.startswith("gemini-3")
    last_user_text = max(
        (
            i
            for i, c in enumerate(contents)
            if c.get("role", "user") == "user" and any("text" in p for p in c.get("parts") or [])
        ),
        default=-1,
    )
    for i, c in enumerate(contents):
        role = c.get("role", "user")
        parts = c.get("parts")
        if role not in ("user", "model"):
            return bad("Please use a valid role: user, model.")
        if not isinstance(parts, list) or not parts:
            return bad("* GenerateContentRequest.contents[%d].parts: contents.parts must not be empty." % i)
        for p in parts:
            if "thoughtSignature" in p and not _valid_signature(p["thoughtSignature"]):
                return bad("Invalid value at 'contents[%d].parts' (thought_signature), Base64 decoding failed." % i)
            fr = p.get("functionResponse")
            if fr is not None and not isinstance(fr.get("response"), dict):
                return bad(
                    "Invalid JSON payload received. Unknown name \"response\" at 'contents[%d].parts[0].function_response': Proto field is not repeating, cannot start list."
                    % i
                )
        calls = [p for p in parts if "functionCall" in p]
        if calls:
            if role != "model":
                return bad("Please ensure that function call turns come from the model.")
            prev = contents[i - 1] if i > 0 else None
            if prev is None or prev.get("role", "user") != "user":
                return bad(
                    "Please ensure that function call turn comes immediately after a user turn or after a function response turn."
                )
            nxt = contents[i + 1] if i + 1 < len(contents) else None
            responses = [p for p in (nxt or {}).get("parts") or [] if "functionResponse" in p]
            if nxt is None or nxt.get("role", "user") != "user" or len(responses) != len(calls):
                return bad(
                    "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn."
                )
            names = sorted(p["functionCall"].get("name") for p in calls)
            if names != sorted(p["functionResponse"].get("name") for p in responses):
                return bad("Please ensure that the function response names match the function call names.")
            if gemini3 and i > last_user_text and not calls[0].get("thoughtSignature"):
                return bad(
                    "Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:%s` , position %d. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
                    % (calls[0]["functionCall"].get("name"), i + 1)
                )
        responses = [p for p in parts if "functionResponse" in p]
        if responses and (i == 0 or not any("functionCall" in p for p in contents[i - 1].get("parts") or [])):
            return bad("Please ensure that function response turn comes immediately after a function call turn.")
    return None


def error(kind: str, step: Step, req: RecordedRequest) -> Reply:
    h: dict[str, str] = {}
    details = None
    if kind == "bad_key":
        code, status, msg = 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ]
    elif kind == "no_access":
        code, status, msg = 403, "PERMISSION_DENIED", "The caller does not have permission"
    elif kind == "model_not_found":
        code, status, msg = (
            404,
            "NOT_FOUND",
            "models/%s is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."
            % req.model,
        )
    elif kind == "rate_limited":
        code, status, msg = (
            429,
            "RESOURCE_EXHAUSTED",
            "You exceeded your current quota, please check your plan and billing details.",
        )
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": "%gs" % (step.retry_after if step.retry_after is not None else 1),
            }
        ]
    elif kind == "billing":
        code, status, msg = (
            400,
            "FAILED_PRECONDITION",
            "Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.",
        )
    elif kind in ("overloaded", "unavailable"):
        code, status, msg = 503, "UNAVAILABLE", "The model is overloaded. Please try again later."
    elif kind == "server_error":
        code, status, msg = (
            500,
            "INTERNAL",
            "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
        )
    elif kind == "context_too_long":
        code, status, msg = (
            400,
            "INVALID_ARGUMENT",
            "The input token count (1200345) exceeds the maximum number of tokens allowed (1048576).",
        )
    else:
        code, status, msg = (
            400,
            "INVALID_ARGUMENT",
            "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.",
        )
    return _err(step.status or code, status, step.message or msg, details, h)


def conversation(req: RecordedRequest) -> tuple[Optional[str], list[tuple[str, str]]]:
    contents = (req.body or {}).get("contents") or []
    if contents:
        last = contents[-1].get("parts") or []
        results = [
            (p["functionResponse"].get("name", "?"), str(p["functionResponse"].get("response")))
            for p in last
            if "functionResponse" in p
        ]
        if results:
            return None, results
    for c in reversed(contents):
        if c.get("role", "user") == "user":
            text = "".join(p.get("text", "") for p in c.get("parts") or [] if "text" in p)
            if text:
                return text, []
    return None, []


def _sig(n: int, what: str) -> str:
    return base64.b64encode(("thought-signature:%d:%s" % (n, what)).encode()).decode()


def frames(step: Step, req: RecordedRequest) -> list[bytes]:
    n = next_number()
    out: list[bytes] = []
    u = usage_for(step, req.raw)
    gemini3 = req.model.startswith("gemini-3")

    def chunk(parts: list, finish: Optional[str] = None, usage: Optional[dict] = None) -> None:
        cand: dict = {"content": {"parts": parts, "role": "model"}, "index": 0}
        if finish:
            cand["finishReason"] = finish
        payload: dict = {
            "candidates": [cand],
            "usageMetadata": usage or {"promptTokenCount": u["input_tokens"], "totalTokenCount": u["input_tokens"]},
            "modelVersion": req.model,
            "responseId": "fake-resp-%d" % n,
        }
        out.append(sse(payload, crlf=True))

    if step.reasoning:
        for piece in step.text_pieces(step.reasoning):
            chunk([{"text": piece, "thought": True}])
    pieces = step.text_pieces(step.text)
    for piece in pieces:
        chunk([{"text": piece}])
    if step.tool_calls:
        parts = []
        for i, c in enumerate(step.tool_calls):
            fc: dict = {"name": c.name, "args": c.arguments if isinstance(c.arguments, dict) else {}}
            if "with_ids" in step.quirks:
                fc["id"] = c.id or "fc-fake-%d-%d" % (n, i)
            part: dict = {"functionCall": fc}
            if i == 0 and (gemini3 or step.reasoning):
                part["thoughtSignature"] = _sig(n, c.name)
            parts.append(part)
        chunk(parts)
    if step.truncate:
        return out
    if step.fail_after:
        code, status, msg = {
            "rate_limited": (429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
            "server_error": (500, "INTERNAL", "An internal error has occurred."),
        }.get(step.fail_after, (503, "UNAVAILABLE", "The model is overloaded. Please try again later."))
        out.append(sse({"error": {"code": code, "message": step.message or msg, "status": status}}, crlf=True))
        return out
    finish = {"length": "MAX_TOKENS", "content_filter": "SAFETY"}.get(step.finish or "", "STOP")
    candidates = u["output_tokens"] - u["reasoning_tokens"]
    usage = {
        "promptTokenCount": u["input_tokens"],
        "candidatesTokenCount": candidates,
        "totalTokenCount": u["input_tokens"] + u["output_tokens"],
    }
    if u["reasoning_tokens"]:
        usage["thoughtsTokenCount"] = u["reasoning_tokens"]
    if u["cached_tokens"]:
        usage["cachedContentTokenCount"] = u["cached_tokens"]
    last: list = []
    if gemini3 and not step.tool_calls:
        last = [{"text": "", "thoughtSignature": _sig(n, "text")}]
    chunk(last or [{"text": ""}], finish, usage)
    return out
