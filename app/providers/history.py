"""Make a conversation history safe to send, whatever state it was saved in.

Every provider rejects a tool call without its result and a result without its call, and most reject an
empty assistant message. Histories can contain both after a stop, an error or a reload mid-turn, so each
protocol module maps `well_formed(messages)` rather than the raw list:

- a tool call is kept only when the `tool` message right after its assistant message answers it;
- a tool result is kept only when the assistant message right before it made that call;
- empty text parts are dropped; an assistant message left with nothing to say (no text, no tool call) is
  dropped, and so is a tool message left with no results;
- a user message with no text is dropped.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from app.chat.model import (
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)


def well_formed(messages: list[Message]) -> list[Message]:
    out: list[Message] = []
    n = len(messages)
    for i, m in enumerate(messages):
        if m.role == "user":
            parts = [p for p in m.parts if isinstance(p, TextPart) and p.text]
            if parts:
                out.append(m.model_copy(update={"parts": parts}))
        elif m.role == "assistant":
            nxt: Optional[Message] = messages[i + 1] if i + 1 < n else None
            answered = {p.call_id for p in nxt.parts if isinstance(p, ToolResultPart)} if nxt and nxt.role == "tool" else set()
            parts = []
            for p in m.parts:
                if isinstance(p, TextPart):
                    if p.text:
                        parts.append(p)
                elif isinstance(p, ToolCallPart):
                    if p.id in answered:
                        parts.append(p)
                elif isinstance(p, ReasoningPart):
                    parts.append(p)
            if any(isinstance(p, (TextPart, ToolCallPart)) for p in parts):
                out.append(m.model_copy(update={"parts": parts}))
        elif m.role == "tool":
            prev = out[-1] if out else None
            calls = {p.id for p in prev.parts if isinstance(p, ToolCallPart)} if prev and prev.role == "assistant" else set()
            seen: set[str] = set()
            parts = []
            for p in m.parts:
                if isinstance(p, ToolResultPart) and p.call_id in calls and p.call_id not in seen:
                    seen.add(p.call_id)
                    parts.append(p)
            if parts:
                out.append(m.model_copy(update={"parts": parts}))
    return out


def arguments_object(raw: Optional[str]) -> dict[str, Any]:
    """Tool-call arguments as an object, for protocols that need one on replay (Anthropic, Gemini).

    Empty or null means {}; invalid JSON or a non-object is kept under "_raw" so nothing is lost silently.
    """
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {"_raw": raw}
    if value is None:
        return {}
    return value if isinstance(value, dict) else {"_raw": raw}


def arguments_text(raw: Optional[str]) -> str:
    """Tool-call arguments as a JSON text, for protocols that replay a string (OpenAI)."""
    if raw is None or not raw.strip():
        return "{}"
    return raw
