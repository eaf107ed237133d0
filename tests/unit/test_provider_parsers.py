"""Our stream parsers on recorded byte streams (tests/fixtures/streams/*.sse), in awkward chunkings.

Each stream is named after the quirk it shows, including deviations the official SDKs cannot parse
(missing tool-call index, whole calls, stop after tool calls, no [DONE], comment lines, choices:[] chunks,
in-stream errors). Regenerate the files with `python -m tests.fixtures.streams.record`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Union

import pytest

from app.chat.builder import MessageBuilder
from app.chat.events import (
    Event,
    Finish,
    ProviderError,
    ReasoningDone,
    ToolCallDone,
    ToolCallStart,
    UsageUpdate,
)
from app.chat.model import Message, Usage
from app.providers.anthropic import MessagesParser
from app.providers.errors import ErrorContext
from app.providers.gemini import GeminiParser
from app.providers.openai import ResponsesParser
from app.providers.openai_chat import ChatParser
from app.providers.sse import SSEDecoder
from app.providers.streaming import StreamParser

STREAMS = Path(__file__).parent.parent / "fixtures" / "streams"
PARSERS = {"chat": ChatParser, "responses": ResponsesParser, "anthropic": MessagesParser, "gemini": GeminiParser}
CALLS = [("read_items", {"collection": "posts", "q": "caf\u00e9"}), ("read_collections", {})]
U = Usage(input_tokens=120, output_tokens=30, cached_tokens=100, reasoning_tokens=8)

EXPECTED: dict[str, dict[str, Any]] = {
    "chat_parallel_tool_calls": dict(text="Checking.", calls=CALLS, finish="tool_calls", usage=U),
    "chat_text_unicode": dict(text="Gr\u00fc\u00dfe \u2014 \u65e5\u672c \U0001f600!", finish="stop", usage=U),
    "chat_ollama_whole_calls_no_index_stop_no_done": dict(calls=CALLS, finish="tool_calls", usage=U),
    "chat_missing_index_fragments": dict(calls=CALLS, finish="tool_calls", usage=U),
    "chat_azure_prompt_filter_first": dict(text="Azure says hi.", finish="stop", usage=U),
    "chat_openrouter_comments_reasoning": dict(reasoning="Thinking hard.", text="Done.", finish="stop", usage=U),
    "chat_openrouter_midstream_error": dict(error="server_error"),
    "chat_lmstudio_reasoning_content": dict(reasoning="Let me see.", text="Yes.", finish="stop", usage=U),
    "chat_mistral_usage_in_last_chunk": dict(calls=CALLS[:1], finish="tool_calls", usage=U),
    "chat_two_fragments_one_chunk": dict(calls=CALLS[:1], finish="tool_calls", usage=U),
    "chat_object_arguments": dict(calls=CALLS, finish="tool_calls", usage=U),
    "chat_truncated": dict(error="truncated"),
    "chat_length": dict(text="Cut", finish="length", usage=U),
    "responses_reasoning_tool_calls": dict(
        reasoning="Need data.",
        calls=CALLS,
        finish="tool_calls",
        usage=U,
        replay={"id": "rs_", "encrypted_content": "gAAAA"},
    ),
    "responses_text": dict(text="Plain answer \u00e9.", finish="stop", usage=U),
    "responses_failed": dict(error="server_error"),
    "responses_bare_error_event": dict(error="rate_limited"),
    "responses_incomplete_length": dict(text="Cut", finish="length", usage=U),
    "responses_truncated": dict(error="truncated"),
    "anthropic_thinking_tool_use": dict(
        reasoning="Need data.",
        text="Checking.",
        calls=CALLS,
        finish="tool_calls",
        usage=Usage(input_tokens=120, output_tokens=30, cached_tokens=100, cache_write_tokens=10),
        replay={"signature": ""},
    ),
    "anthropic_redacted_thinking": dict(
        text="Hi.",
        finish="stop",
        usage=Usage(input_tokens=120, output_tokens=30, cached_tokens=100),
        replay={"redacted_data": "EmwK"},
    ),
    "anthropic_error_event": dict(error="overloaded"),
    "anthropic_max_tokens": dict(
        text="Cut", finish="length", usage=Usage(input_tokens=120, output_tokens=30, cached_tokens=100)
    ),
    "anthropic_truncated": dict(error="truncated"),
    "gemini3_parallel_calls_one_signature": dict(
        reasoning="Need data.", text="Checking.", calls=CALLS, finish="tool_calls", usage=U
    ),
    "gemini3_text_signature_on_empty_part": dict(
        text="Hello there.", finish="stop", usage=U, replay={"thought_signature": ""}
    ),
    "gemini_with_ids": dict(calls=CALLS, finish="tool_calls", usage=U),
    "gemini_error_chunk": dict(error="overloaded"),
    "gemini_max_tokens": dict(text="Cut", finish="length", usage=U),
    "gemini_truncated": dict(error="truncated"),
}


def parse(name: str, chunks: list[bytes]) -> list[Event]:
    cls = PARSERS[name.split("_")[0].rstrip("3")]
    parser: StreamParser
    if cls is GeminiParser:
        ids = iter(range(1000))
        parser = GeminiParser(ErrorContext("test", "m"), new_id=lambda: "call_%d" % next(ids))
    else:
        parser = cls(ErrorContext("test", "m"))
    decoder = SSEDecoder()
    events: list[Event] = []
    for chunk in chunks:
        for sse in decoder.decode(chunk):
            events.extend(parser.feed(sse))
    for sse in decoder.flush():
        events.extend(parser.feed(sse))
    events.extend(parser.end())
    return events


def outcome(name: str, chunks: list[bytes]) -> Union[list[Event], tuple[str, str]]:
    try:
        return parse(name, chunks)
    except ProviderError as exc:
        return ("error", exc.kind)


def chunkings(data: bytes, name: str) -> list[list[bytes]]:
    rng = random.Random(name)
    out = [[data], [data[i : i + 1] for i in range(len(data))]]
    # every split into two pieces for short streams, a sample for longer ones
    offsets = range(1, len(data)) if len(data) <= 1500 else sorted(rng.sample(range(1, len(data)), 300))
    out += [[data[:k], data[k:]] for k in offsets]
    for _ in range(20):
        cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(2, 40))))
        out.append([data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)], strict=True)])
    return out


def test_every_recorded_stream_has_an_expectation():
    assert sorted(p.stem for p in STREAMS.glob("*.sse")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recorded_stream(name: str):
    data = (STREAMS / (name + ".sse")).read_bytes()
    expected = EXPECTED[name]
    whole = outcome(name, [data])
    if "error" in expected:
        assert whole == ("error", expected["error"])
    else:
        assert isinstance(whole, list)
        message = Message(role="assistant")
        builder = MessageBuilder(message, "test")
        for event in whole:
            builder.apply(event)
        assert message.text == expected.get("text", "")
        reasoning = "".join(p.text for p in message.parts if p.kind == "reasoning")
        assert reasoning == expected.get("reasoning", "")
        assert [(c.name, json.loads(c.arguments)) for c in message.tool_calls] == expected.get("calls", [])
        assert len({c.id for c in message.tool_calls}) == len(message.tool_calls)
        assert message.finish_reason == expected["finish"]
        assert message.usage == expected["usage"]
        assert isinstance(whole[-1], Finish) and sum(isinstance(e, Finish) for e in whole) == 1
        started = {e.index for e in whole if isinstance(e, ToolCallStart)}
        assert started == {e.index for e in whole if isinstance(e, ToolCallDone)}
        for key, prefix in (expected.get("replay") or {}).items():
            details = [e.provider_details for e in whole if isinstance(e, ReasoningDone)]
            assert any(str(d.get(key, "")).startswith(prefix) and d.get(key) for d in details), details
    for chunks in chunkings(data, name):
        assert outcome(name, chunks) == whole


def test_gemini_signatures_stay_on_their_parts():
    data = (STREAMS / "gemini3_parallel_calls_one_signature.sse").read_bytes()
    done = [e for e in parse("gemini3_parallel_calls_one_signature", [data]) if isinstance(e, ToolCallDone)]
    assert done[0].provider_details["thought_signature"]
    assert "thought_signature" not in done[1].provider_details  # only the first parallel call has one


def test_usage_is_replaced_not_added():
    data = (STREAMS / "anthropic_thinking_tool_use.sse").read_bytes()
    updates = [e.usage for e in parse("anthropic_thinking_tool_use", [data]) if isinstance(e, UsageUpdate)]
    assert len(updates) == 2 and updates[0].output_tokens == 1 and updates[-1].output_tokens == 30


def chat_stream(*chunks: dict, done: bool = True) -> bytes:
    out = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    return out + (b"data: [DONE]\n\n" if done else b"")


def delta(d: dict, finish=None) -> dict:
    return {"choices": [{"index": 0, "delta": d, "finish_reason": finish}]}


def run_chat(data: bytes) -> Message:
    message = Message(role="assistant")
    builder = MessageBuilder(message, "x")
    for chunks in ([data], [data[i : i + 1] for i in range(len(data))]):
        message.parts.clear()
        builder = MessageBuilder(message, "x")
        parser, decoder = ChatParser(ErrorContext("x")), SSEDecoder()
        for chunk in chunks:
            for sse in decoder.decode(chunk):
                for e in parser.feed(sse):
                    builder.apply(e)
        for e in parser.end():
            builder.apply(e)
    return message


def test_chat_server_reusing_index_zero_for_several_whole_calls():
    data = chat_stream(
        delta(
            {
                "tool_calls": [
                    {"index": 0, "id": "a", "function": {"name": "f", "arguments": '{"n":1}'}},
                    {"index": 0, "id": "b", "function": {"name": "g", "arguments": '{"n":2}'}},
                ]
            }
        ),
        delta({}, "stop"),
    )
    m = run_chat(data)
    assert [(c.id, c.name, c.arguments) for c in m.tool_calls] == [("a", "f", '{"n":1}'), ("b", "g", '{"n":2}')]
    assert m.finish_reason == "tool_calls"


def test_chat_call_whose_name_comes_after_its_first_fragment_is_held_back():
    data = chat_stream(
        delta({"tool_calls": [{"index": 0, "id": "a", "function": {"arguments": '{"x"'}}]}),
        delta({"tool_calls": [{"index": 0, "function": {"name": "f", "arguments": ":1}"}}]}),
        delta({}, "tool_calls"),
    )
    assert [(c.name, c.arguments) for c in run_chat(data).tool_calls] == [("f", '{"x":1}')]


def test_chat_empty_then_object_arguments_and_missing_done():
    data = chat_stream(
        delta({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": ""}}]}),
        delta({"tool_calls": [{"index": 0, "function": {"arguments": {}}}]}),
        delta({}, "tool_calls"),
        done=False,
    )
    assert [c.arguments for c in run_chat(data).tool_calls] == ["{}"]


def test_chat_done_without_finish_reason_is_truncated():
    with pytest.raises(ProviderError) as info:
        run_chat(chat_stream(delta({"content": "Hi"})))
    assert info.value.kind == "truncated"


def test_ids_a_server_left_out_are_unique_across_streams():
    """Cards, change previews and Undo find a call by its id: two streams without ids must not both say call 1."""
    from app.chat.events import ToolCallStart
    from app.providers import errors
    from app.providers.openai_chat import ChatParser
    from app.providers.sse import SSEEvent

    def first_id() -> str:
        parser = ChatParser(errors.ErrorContext("compatible:local", "m"))
        chunk = {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"name": "items"}}]}}]}
        events = parser.feed(SSEEvent(data=json.dumps(chunk)))
        return next(e.id for e in events if isinstance(e, ToolCallStart))

    assert first_id() != first_id()
