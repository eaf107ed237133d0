"""Shared bits of the fake protocols: SSE framing, the recorded request, replies, default usage, ids."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Optional

from devkit.fake_provider.script import Step


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query string
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, or None
    raw: bytes = b""
    protocol: str = ""  # "responses" | "chat" | "azure" | "anthropic" | "gemini" | "preflight" | "unknown"
    model: str = ""

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())

    @property
    def tool_names(self) -> set[str]:
        """The names of the tools offered in the body, whatever the wire protocol."""
        names: set[str] = set()
        for tool in (self.body or {}).get("tools") or []:
            if "functionDeclarations" in tool:  # Gemini
                names.update(f["name"] for f in tool["functionDeclarations"])
            elif "function" in tool:  # Chat Completions
                names.add(tool["function"]["name"])
            elif "name" in tool:  # Responses, Anthropic
                names.add(tool["name"])
        return names


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    frames: Optional[list[bytes]] = None  # a stream instead of a body


def json_reply(status: int, payload: Any, headers: Optional[dict] = None) -> Reply:
    h = {"content-type": "application/json"}
    h.update(headers or {})
    return Reply(status, json.dumps(payload).encode(), h)


def sse(data: Any, event: Optional[str] = None, crlf: bool = False) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    nl = "\r\n" if crlf else "\n"
    head = ("event: %s%s" % (event, nl)) if event else ""
    return (head + "data: " + text + nl + nl).encode("utf-8")


_counter = itertools.count(1)


def next_number() -> int:
    return next(_counter)


def usage_for(step: Step, request_raw: bytes) -> dict:
    """Deterministic token counts: scripted ones win, else ~4 characters per token."""
    u = dict(step.usage or {})
    args = "".join(c.arguments_json + c.name for c in step.tool_calls)
    reasoning_tokens = u.get("reasoning_tokens", (len(step.reasoning) + 3) // 4)
    return {
        "input_tokens": u.get("input_tokens", max(1, len(request_raw) // 4)),
        "output_tokens": u.get("output_tokens", (len(step.text) + len(args) + 3) // 4 + reasoning_tokens + 1),
        "cached_tokens": u.get("cached_tokens", 0),
        "cache_write_tokens": u.get("cache_write_tokens", 0),
        "reasoning_tokens": reasoning_tokens,
    }


ERROR_STATUS = {
    "bad_key": 401,
    "no_access": 403,
    "model_not_found": 404,
    "rate_limited": 429,
    "billing": 429,
    "overloaded": 503,
    "unavailable": 503,
    "server_error": 500,
    "context_too_long": 400,
    "invalid": 400,
}


def error_headers(step: Step) -> dict[str, str]:
    h: dict[str, str] = {}
    if step.retry_after is not None:
        h["retry-after"] = "%g" % step.retry_after
    return h
