"""Fake OpenAI Responses API (`POST /v1/responses`, stream, store:false)."""

from __future__ import annotations

import base64
import copy
from typing import Any, Optional

from devkit.fake_provider import chat_wire
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

check_auth = chat_wire.check_auth
_err = chat_wire._err


def validate(req: RecordedRequest) -> Optional[Reply]:
    body = req.body
    if not isinstance(body, dict):
        return _err(400, "We could not parse the JSON body of your request.")
    if not isinstance(body.get("model"), str):
        return _err(400, "Missing required parameter: 'model'.", param="model")
    for i, tool in enumerate(body.get("tools") or []):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            return _err(400, "Invalid value for 'tools[%d].type'." % i)
        if "function" in tool or not isinstance(tool.get("name"), str):
            return _err(400, "Missing required parameter: 'tools[%d].name'." % i, param="tools[%d].name" % i)
        if "parameters" in tool and not isinstance(tool["parameters"], dict):
            return _err(400, "Invalid type for 'tools[%d].parameters': expected an object." % i)
        if "parameters" in tool and schema_problem(tool["parameters"]):
            return _err(
                400,
                "Invalid schema for function '%s': %s." % (tool["name"], schema_problem(tool["parameters"])),
                param="tools[%d].parameters" % i,
            )
    items = body.get("input")
    if isinstance(items, str):
        return None
    if not isinstance(items, list) or not items:
        return _err(400, "Missing required parameter: 'input'.", param="input")
    calls: dict[str, bool] = {}
    store = body.get("store", True)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            return _err(400, "Invalid 'input[%d]': expected an object." % i)
        kind = item.get("type", "message")
        if kind == "message":
            if item.get("role") not in ("user", "assistant", "system", "developer"):
                return _err(400, "Invalid value for 'input[%d].role'." % i)
            content = item.get("content")
            if content in (None, "", []):
                return _err(400, "Invalid 'input[%d].content': empty content." % i)
        elif kind == "reasoning":
            if not store and not item.get("encrypted_content"):
                return json_reply(
                    404,
                    {
                        "error": {
                            "message": "Item with id '%s' not found. Items are not persisted when `store` is set to false. Try again with `store` set to true, or remove this item from your input."
                            % item.get("id"),
                            "type": "invalid_request_error",
                            "param": "input",
                            "code": None,
                        }
                    },
                )
            nxt = items[i + 1] if i + 1 < len(items) else None
            if not nxt or not (
                nxt.get("type") == "function_call"
                or (nxt.get("type", "message") == "message" and nxt.get("role") == "assistant")
            ):
                return _err(
                    400,
                    "Item '%s' of type 'reasoning' was provided without its required following item." % item.get("id"),
                    param="input",
                )
        elif kind == "function_call":
            if not isinstance(item.get("arguments"), str) or not item.get("call_id") or not item.get("name"):
                return _err(
                    400, "Invalid 'input[%d]': a function_call needs call_id, name and arguments (a string)." % i
                )
            calls[item["call_id"]] = False
        elif kind == "function_call_output":
            cid = item.get("call_id")
            if cid not in calls:
                return _err(400, "No tool call found for function call output with call_id %s." % cid, param="input")
            if not isinstance(item.get("output"), (str, list)):
                return _err(400, "Invalid 'input[%d].output': expected a string." % i)
            calls[cid] = True
        else:
            return _err(400, "Invalid value: '%s'." % kind, param="input[%d].type" % i)
    for cid, answered in calls.items():
        if not answered:
            return _err(400, "No tool output found for function call %s." % cid, param="input")
    return None


def error(kind: str, step: Step, req: RecordedRequest) -> Reply:
    if kind == "context_too_long":
        return _err(
            step.status or 400,
            step.message
            or "Your input exceeds the context window of this model. Please adjust your input and try again.",
            code="context_length_exceeded",
            param="input",
            headers=error_headers(step),
        )
    return chat_wire.error(kind, step, req)


def conversation(req: RecordedRequest) -> tuple[Optional[str], list[tuple[str, str]]]:
    items = (req.body or {}).get("input") or []
    if isinstance(items, str):
        return items, []
    names = {it.get("call_id"): it.get("name") for it in items if it.get("type") == "function_call"}
    results: list[tuple[str, str]] = []
    for it in reversed(items):
        if it.get("type") == "function_call_output":
            results.insert(0, (names.get(it.get("call_id"), "?"), str(it.get("output"))))
        else:
            break
    for it in reversed(items):
        if it.get("type", "message") == "message" and it.get("role") == "user":
            return chat_wire._text(it.get("content")) or _input_text(it.get("content")), results
    return None, results


def _input_text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def frames(step: Step, req: RecordedRequest) -> list[bytes]:
    body = req.body or {}
    n = next_number()
    seq = [0]
    out: list[bytes] = []

    def emit(kind: str, **data: Any) -> None:
        payload = {"type": kind, "sequence_number": seq[0]}
        payload.update(data)
        seq[0] += 1
        out.append(sse(payload, event=kind))

    response: dict = {
        "id": "resp_fake%d" % n,
        "object": "response",
        "created_at": 1764000000,
        "status": "in_progress",
        "model": req.model,
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
        "usage": None,
        "store": body.get("store", True),
        "text": {"format": {"type": "text"}},
        "reasoning": body.get("reasoning") or {"effort": None, "summary": None},
        "max_output_tokens": body.get("max_output_tokens"),
    }
    emit("response.created", response=copy.deepcopy(response))
    emit("response.in_progress", response=copy.deepcopy(response))
    output: list[dict] = []
    encrypted = "reasoning.encrypted_content" in (body.get("include") or [])
    idx = 0
    if step.reasoning:
        rid = "rs_fake%d" % n
        item: dict[str, Any] = {"id": rid, "type": "reasoning", "summary": []}
        if encrypted:
            item["encrypted_content"] = None
        emit("response.output_item.added", output_index=idx, item=copy.deepcopy(item))
        emit(
            "response.reasoning_summary_part.added",
            item_id=rid,
            output_index=idx,
            summary_index=0,
            part={"type": "summary_text", "text": ""},
        )
        for piece in step.text_pieces(step.reasoning):
            emit("response.reasoning_summary_text.delta", item_id=rid, output_index=idx, summary_index=0, delta=piece)
        emit(
            "response.reasoning_summary_text.done", item_id=rid, output_index=idx, summary_index=0, text=step.reasoning
        )
        emit(
            "response.reasoning_summary_part.done",
            item_id=rid,
            output_index=idx,
            summary_index=0,
            part={"type": "summary_text", "text": step.reasoning},
        )
        item["summary"] = [{"type": "summary_text", "text": step.reasoning}]
        if encrypted:
            item["encrypted_content"] = (
                "gAAAAB" + base64.b64encode(("enc:%s:%s" % (rid, step.reasoning)).encode()).decode()
            )
        emit("response.output_item.done", output_index=idx, item=copy.deepcopy(item))
        output.append(item)
        idx += 1
    if step.text:
        mid = "msg_fake%d" % n
        item = {"id": mid, "type": "message", "role": "assistant", "status": "in_progress", "content": []}
        emit("response.output_item.added", output_index=idx, item=copy.deepcopy(item))
        emit(
            "response.content_part.added",
            item_id=mid,
            output_index=idx,
            content_index=0,
            part={"type": "output_text", "text": "", "annotations": []},
        )
        for piece in step.text_pieces(step.text):
            emit("response.output_text.delta", item_id=mid, output_index=idx, content_index=0, delta=piece, logprobs=[])
        if step.truncate and not step.tool_calls:
            return out
        emit("response.output_text.done", item_id=mid, output_index=idx, content_index=0, text=step.text, logprobs=[])
        part = {"type": "output_text", "text": step.text, "annotations": []}
        emit("response.content_part.done", item_id=mid, output_index=idx, content_index=0, part=part)
        item.update(status="completed", content=[part])
        emit("response.output_item.done", output_index=idx, item=copy.deepcopy(item))
        output.append(item)
        idx += 1
    for i, c in enumerate(step.tool_calls):
        fid = "fc_fake%d_%d" % (n, i)
        item = {
            "id": fid,
            "type": "function_call",
            "status": "in_progress",
            "call_id": c.id or "call_fake%d_%d" % (n, i),
            "name": c.name,
            "arguments": "",
        }
        emit("response.output_item.added", output_index=idx, item=copy.deepcopy(item))
        args = c.arguments_json
        for k in range(0, len(args), 7):
            emit("response.function_call_arguments.delta", item_id=fid, output_index=idx, delta=args[k : k + 7])
        if step.truncate:
            return out
        emit("response.function_call_arguments.done", item_id=fid, output_index=idx, arguments=args, name=c.name)
        item.update(status="completed", arguments=args)
        emit("response.output_item.done", output_index=idx, item=copy.deepcopy(item))
        output.append(item)
        idx += 1
    if step.truncate:
        return out
    u = usage_for(step, req.raw)
    response.update(
        output=output,
        usage={
            "input_tokens": u["input_tokens"],
            "input_tokens_details": {"cached_tokens": u["cached_tokens"]},
            "output_tokens": u["output_tokens"],
            "output_tokens_details": {"reasoning_tokens": u["reasoning_tokens"]},
            "total_tokens": u["input_tokens"] + u["output_tokens"],
        },
    )
    if step.fail_after:
        code = {"rate_limited": "rate_limit_exceeded", "context_too_long": "context_length_exceeded"}.get(
            step.fail_after, "server_error"
        )
        message = step.message or {"overloaded": "The model is overloaded. Please try again later."}.get(
            step.fail_after, "The server had an error while processing your request."
        )
        if "bare_error" in step.quirks:
            emit("error", code=code, message=message, param=None)
        else:
            response.update(status="failed", error={"code": code, "message": message})
            emit("response.failed", response=response)
        return out
    if step.finish in ("length", "content_filter"):
        reason = "max_output_tokens" if step.finish == "length" else "content_filter"
        response.update(status="incomplete", incomplete_details={"reason": reason})
        emit("response.incomplete", response=response)
        return out
    response["status"] = "completed"
    emit("response.completed", response=response)
    return out
