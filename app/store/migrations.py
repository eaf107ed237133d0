"""Migrations of stored conversation documents, one function per format version step.

A stored conversation is `{"v": N, ...}`. `migrate(doc)` applies the steps below in order until the
document has the current version (`format.FORMAT_VERSION`), so an entry written by any older
release still loads. Steps are pure functions of plain JSON data and must be deterministic: two tabs
migrating the same entry must produce the same message ids, or their merge would duplicate messages.

Version 1, the first stored shape, was flat and modelled on Chat Completions:

    {"v": 1, "id": "c_..", "title": "..", "created": <ms>, "updated": <ms>, "model": "openai:gpt-4o",
     "messages": [
       {"id": "m_..", "role": "user", "content": "text", "ts": <ms>},
       {"id": "m_..", "role": "assistant", "content": "text", "reasoning": "..", "model": "..",
        "tool_calls": [{"id": "call_1", "name": "items_read", "arguments": "{..}"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "cached_tokens": 0}, "ts": <ms>},
       {"id": "m_..", "role": "tool", "tool_call_id": "call_1", "name": "items_read",
        "content": "{..}", "is_error": false, "ts": <ms>}]}

Version 2 wraps `app.chat.model.Conversation` as dumped by pydantic: `{"v": 2, "conversation": {...}}`,
with parts, seconds instead of milliseconds, and one `tool` message holding all results of a step.
"""

from __future__ import annotations

from typing import Any, Callable, Optional


class MigrationError(ValueError):
    """A stored document cannot be brought to the current version."""


def _seconds(value: Any, default: float) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # v1 wrote milliseconds; anything after the year 33658 in seconds is surely milliseconds.
        return value / 1000.0 if value > 1e12 else float(value)
    return default


def _v1_usage(usage: object) -> Optional[dict]:
    if not isinstance(usage, dict):
        return None
    return {
        "input_tokens": int(usage.get("prompt_tokens") or usage.get("input_tokens") or 0),
        "output_tokens": int(usage.get("completion_tokens") or usage.get("output_tokens") or 0),
        "cached_tokens": int(usage.get("cached_tokens") or 0),
        "reasoning_tokens": int(usage.get("reasoning_tokens") or 0),
    }


def v1_to_v2(doc: dict) -> dict:
    conv_id = doc.get("id")
    if not isinstance(conv_id, str) or not conv_id:
        raise MigrationError("a version 1 conversation has no id")
    raw_messages = doc.get("messages")
    if not isinstance(raw_messages, list):
        raise MigrationError("a version 1 conversation has no message list")
    created = _seconds(doc.get("created"), 0.0)
    messages: list[dict] = []
    for index, old in enumerate(raw_messages):
        if not isinstance(old, dict):
            raise MigrationError("message %d of a version 1 conversation is not an object" % index)
        role = old.get("role")
        ts = _seconds(old.get("ts"), created)
        msg_id = old.get("id") if isinstance(old.get("id"), str) and old.get("id") else "m_v1_%s_%d" % (conv_id, index)
        content = old.get("content") if isinstance(old.get("content"), str) else ""
        if role == "tool":
            part = {
                "kind": "tool_result",
                "call_id": str(old.get("tool_call_id") or ""),
                "name": str(old.get("name") or ""),
                "content": content,
                "status": "error" if old.get("is_error") else "ok",
            }
            # v1 stored one message per result; v2 keeps all results of one step in one tool message.
            if messages and messages[-1]["role"] == "tool":
                messages[-1]["parts"].append(part)
            else:
                messages.append({"id": msg_id, "role": "tool", "parts": [part], "created_at": ts})
            continue
        if role not in ("user", "assistant"):
            raise MigrationError("message %d of a version 1 conversation has an unknown role %r" % (index, role))
        parts: list[dict] = []
        if role == "assistant" and isinstance(old.get("reasoning"), str) and old["reasoning"]:
            parts.append({"kind": "reasoning", "text": old["reasoning"]})
        if content:
            parts.append({"kind": "text", "text": content})
        for call in old.get("tool_calls") or []:
            if isinstance(call, dict):
                parts.append(
                    {
                        "kind": "tool_call",
                        "id": str(call.get("id") or ""),
                        "name": str(call.get("name") or ""),
                        "arguments": call.get("arguments") if isinstance(call.get("arguments"), str) else "",
                    }
                )
        new = {"id": msg_id, "role": role, "parts": parts, "created_at": ts}
        if role == "assistant":
            new["model"] = old.get("model") if isinstance(old.get("model"), str) else doc.get("model")
            new["usage"] = _v1_usage(old.get("usage"))
        messages.append(new)
    conversation = {
        "id": conv_id,
        "title": doc.get("title") if isinstance(doc.get("title"), str) else "",
        "created_at": created,
        "updated_at": _seconds(doc.get("updated"), created),
        "model": doc.get("model") if isinstance(doc.get("model"), str) else None,
        "messages": messages,
    }
    return {"v": 2, "conversation": conversation}


# version -> function that returns the document at version + 1
MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: v1_to_v2}


def migrate(doc: dict, target: int) -> dict:
    version = doc.get("v")
    while version != target:
        step = MIGRATIONS.get(version) if isinstance(version, int) else None
        if step is None:
            raise MigrationError("no migration from storage format version %r" % (version,))
        doc = step(doc)
        version = doc.get("v")
    return doc
