"""Make a conversation history safe to send, whatever state it was saved in.

Every provider rejects a tool call without its result and a result without its call, and most reject an
empty assistant message. Histories can contain both after a stop, an error or a reload mid-turn, so each
protocol module maps `well_formed(messages)` rather than the raw list:

- a tool call is kept only when the `tool` message right after its assistant message answers it;
- a tool result is kept only when the assistant message right before it made that call;
- empty text parts are dropped; an assistant message left with nothing to say (no text, no tool call) is
  dropped, and so is a tool message left with no results;
- a user message with no text and no file is dropped;
- a part that does not belong to its message's role is dropped; a part of a kind this module has no case
  for raises (`assert_never`), so a new kind is never left out without a decision.
"""

from __future__ import annotations

import json
from typing import Any, Optional, assert_never

from app.chat.model import (
    FilePart,
    Message,
    Part,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from app.json_depth import STREAM_DEPTH, too_deep


def well_formed(messages: list[Message]) -> list[Message]:
    out: list[Message] = []
    n = len(messages)
    for i, m in enumerate(messages):
        parts: list[Part] = []
        match m.role:
            case "user":
                for p in m.parts:
                    match p:
                        case TextPart():
                            if p.text:
                                parts.append(p)
                        case FilePart():
                            parts.append(p)
                        case ReasoningPart() | ToolCallPart() | ToolResultPart():
                            pass  # not a user's part
                        case _:
                            assert_never(p)
                if parts:
                    out.append(m.model_copy(update={"parts": parts}))
            case "assistant":
                nxt: Optional[Message] = messages[i + 1] if i + 1 < n else None
                answered = {p.call_id for p in nxt.tool_results} if nxt and nxt.role == "tool" else set()
                for p in m.parts:
                    match p:
                        case TextPart():
                            if p.text:
                                parts.append(p)
                        case ToolCallPart():
                            if p.id in answered:
                                parts.append(p)
                        case ReasoningPart():
                            parts.append(p)
                        case ToolResultPart() | FilePart():
                            pass  # results belong to the tool message; files to the user's
                        case _:
                            assert_never(p)
                if any(isinstance(p, (TextPart, ToolCallPart)) for p in parts):
                    out.append(m.model_copy(update={"parts": parts}))
            case "tool":
                prev = out[-1] if out else None
                calls = {p.id for p in prev.tool_calls} if prev and prev.role == "assistant" else set()
                seen: set[str] = set()
                for p in m.parts:
                    match p:
                        case ToolResultPart():
                            if p.call_id in calls and p.call_id not in seen:
                                seen.add(p.call_id)
                                parts.append(p)
                        case TextPart() | ReasoningPart() | ToolCallPart() | FilePart():
                            pass  # not a tool result
                        case _:
                            assert_never(p)
                if parts:
                    out.append(m.model_copy(update={"parts": parts}))
            case _:
                assert_never(m.role)
    return out


def arguments_object(raw: Optional[str]) -> dict[str, Any]:
    """Tool-call arguments as an object, for protocols that need one on replay (Anthropic, Gemini).

    Empty or null means {}; invalid JSON, JSON nested too deep or a non-object is kept under "_raw" so nothing is
    lost silently.
    """
    if raw is None or not raw.strip():
        return {}
    if too_deep(raw, STREAM_DEPTH):  # parsing it would overflow the stack (app/json_depth.py)
        return {"_raw": raw}
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return {"_raw": raw}
    if value is None:
        return {}
    return value if isinstance(value, dict) else {"_raw": raw}


def arguments_text(raw: Optional[str]) -> str:
    """Tool-call arguments as a JSON text, for protocols that replay a string (OpenAI)."""
    if raw is None or not raw.strip():
        return "{}"
    return raw
