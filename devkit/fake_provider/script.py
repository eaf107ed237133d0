"""Scripted turns: what the fake model answers, one step per request.

A *step* is what the model answers for the next request it gets:

    Step(text="Hello")                                   # plain answer
    Step(reasoning="Let me think", text="4")             # reasoning summary / thinking, then text
    Step(tool_calls=[Call("read_items", {"collection": "posts"})])
    Step(tool_calls=[Call("a", {}), Call("b", {"x": 1})], text="")   # parallel calls
    Step(error="rate_limited", retry_after=2)            # an HTTP error before any byte of the stream
    Step(text="Hal", fail_after="overloaded")            # an error inside the stream, after the text
    Step(text="Hal", truncate=True)                      # the stream ends without its final event
    Step(text="slow", delivery="bytes")                  # one byte per write ("slow": `delay` s per event)
    Step(tool_calls=[...], quirks=("no_index", "stop_after_tool_calls"))   # compatible-server deviations

Values accepted wherever a step is expected: a `Step`, a dict of Step fields (with "tool_calls" as
[{"name", "arguments", "id"?}]), a scenario name from `SCENARIOS` (e.g. "rate_limited"), or any other
string (= a text answer).

A multi-step tool loop is a list of steps: the first answers the user with tool calls, the second answers
the request that carries the tool results, and so on.

When nothing is scripted the fake answers by *echo*: "You said: <last user text>"; a user text containing
`[[call NAME {json args}]]` (several allowed) makes it call those tools; a request that ends with tool results
gets "Done: NAME -> <result>" as text. This is enough for end-to-end tests that cannot script.

Error kinds (`error` / `fail_after`): bad_key, no_access, model_not_found, rate_limited, billing, overloaded,
unavailable, server_error, context_too_long, invalid.

Chat Completions quirks (compatible servers): no_index, whole_tool_calls, stop_after_tool_calls,
reasoning_content, reasoning_field, empty_choices, comments, no_done, two_fragments_one_chunk,
usage_in_last_chunk, object_arguments, no_usage.
Gemini quirks: with_ids (function calls carry ids). Anthropic quirks: redacted_thinking.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from typing import Any, Optional, Union

ERROR_KINDS = (
    "bad_key",
    "no_access",
    "model_not_found",
    "rate_limited",
    "billing",
    "overloaded",
    "unavailable",
    "server_error",
    "context_too_long",
    "invalid",
)


@dataclass
class Call:
    name: str
    arguments: Union[dict, str] = field(default_factory=dict)
    id: Optional[str] = None

    @property
    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Step:
    text: str = ""
    reasoning: str = ""
    tool_calls: list[Call] = field(default_factory=list)
    usage: Optional[dict] = (
        None  # {"input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens", "reasoning_tokens"}
    )
    error: Optional[str] = None  # an HTTP error before the stream (one of ERROR_KINDS)
    status: Optional[int] = None  # override the HTTP status of `error`
    message: Optional[str] = None  # override the error message
    retry_after: Optional[float] = None  # sent as the retry-after header (and Gemini RetryInfo)
    fail_after: Optional[str] = None  # an error inside the stream, after the content (one of ERROR_KINDS)
    truncate: bool = False  # end the stream without its final event
    finish: Optional[str] = None  # "length" | "content_filter" | ... (default: stop / tool_calls)
    delivery: str = "events"  # "events" (one write per event) | "bytes" (one byte per write) | "slow"
    delay: float = 0.0  # seconds between events ("slow" defaults to 0.05)
    quirks: tuple = ()
    chunk: int = 8  # characters per text delta

    @classmethod
    def of(cls, value: Any) -> "Step":
        if isinstance(value, Step):
            return value
        if isinstance(value, str):
            if value in SCENARIOS:
                return SCENARIOS[value]
            return cls(text=value)
        if isinstance(value, dict):
            known = {f.name for f in fields(cls)}
            unknown = set(value) - known
            if unknown:
                raise ValueError("unknown step fields: %s" % sorted(unknown))
            data = dict(value)
            data["tool_calls"] = [c if isinstance(c, Call) else Call(**c) for c in data.get("tool_calls") or []]
            data["quirks"] = tuple(data.get("quirks") or ())
            return cls(**data)
        raise TypeError("a step is a Step, a dict, a scenario name or a text, not %r" % (value,))

    def text_pieces(self, text: str) -> list[str]:
        n = max(1, self.chunk)
        return [text[i : i + n] for i in range(0, len(text), n)]


SCENARIOS: dict[str, Step] = {
    "text": Step(text="Hello! How can I help you with your Directus project today?"),
    "unicode": Step(text="Gr\u00fc\u00dfe aus K\u00f6ln \u2014 \u65e5\u672c\u8a9e \U0001f600 done."),
    "reasoning": Step(reasoning="The user greets me. I should greet back briefly.", text="Hi there!"),
    "tool_call": Step(tool_calls=[Call("read_items", {"collection": "posts", "limit": 3})]),
    "reasoning_tool_call": Step(
        reasoning="I need the posts first.", tool_calls=[Call("read_items", {"collection": "posts"})]
    ),
    "parallel_tool_calls": Step(
        text="Let me look at both.",
        tool_calls=[
            Call("read_items", {"collection": "posts", "filter": {"status": {"_eq": "published"}}}),
            Call("read_collections", {}),
        ],
    ),
    "length": Step(text="This answer is cut at the output lim", finish="length"),
    "truncated": Step(text="This answer never ends", truncate=True),
    "bytes": Step(text="Byte by byte: \u00e9\u00e8 \u20ac \U0001f600.", delivery="bytes"),
    "slow": Step(text="A slow answer, one event at a time.", delivery="slow", delay=0.05),
    "mid_stream_error": Step(text="I started to answer", fail_after="overloaded"),
}
for _kind in ERROR_KINDS:
    SCENARIOS.setdefault(_kind, Step(error=_kind, retry_after=1.0 if _kind == "rate_limited" else None))

_CALL = re.compile(r"\[\[call\s+([A-Za-z0-9_\-]+)\s*(\{.*?\})?\s*\]\]", re.DOTALL)


def echo_step(last_user_text: Optional[str], tool_results: list[tuple[str, str]]) -> Step:
    """The unscripted answer: echo the user, or call the tools the user wrote as [[call NAME {json}]]."""
    if tool_results:
        return Step(text="Done: " + "; ".join("%s -> %s" % (n, (c or "")[:200]) for n, c in tool_results))
    text = last_user_text or ""
    calls = []
    for name, args in _CALL.findall(text):
        try:
            parsed = json.loads(args) if args else {}
        except ValueError:
            parsed = {}
        calls.append(Call(name, parsed))
    if calls:
        return Step(tool_calls=calls)
    return Step(text="You said: " + text)
