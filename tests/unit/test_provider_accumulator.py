"""MessageBuilder: the one place a message is assembled from events; and history cleaning."""

from __future__ import annotations

import pytest

from app.chat.builder import MessageBuilder
from app.chat.events import (
    Finish,
    ProviderError,
    ReasoningDelta,
    ReasoningDone,
    TextDelta,
    ToolCallDelta,
    ToolCallDone,
    ToolCallStart,
    UsageUpdate,
)
from app.chat.model import (
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Usage,
    tool_results,
    user,
)
from app.providers.history import well_formed


def build(*events):
    m = Message(role="assistant")
    b = MessageBuilder(m, "anthropic")
    for e in events:
        b.apply(e)
    return m


def test_parts_in_order_with_interleaved_tool_calls():
    m = build(
        ReasoningDelta("Think"),
        ReasoningDelta("ing"),
        ReasoningDone({"signature": "sig"}),
        TextDelta("Hel"),
        TextDelta("lo"),
        ToolCallStart(1, "c1", "a"),
        ToolCallStart(2, "c2", "b"),
        ToolCallDelta(1, '{"x":'),
        ToolCallDelta(2, "{}"),
        ToolCallDelta(1, "1}"),
        ToolCallDone(1),
        ToolCallDone(2),
        UsageUpdate(Usage(input_tokens=5, output_tokens=1)),
        UsageUpdate(Usage(input_tokens=5, output_tokens=9)),
        Finish("tool_calls"),
    )
    assert [p.kind for p in m.parts] == ["reasoning", "text", "tool_call", "tool_call"]
    r = m.parts[0]
    assert r.text == "Thinking" and r.provider == "anthropic" and r.provider_details == {"signature": "sig"}
    assert m.text == "Hello"
    assert [(c.id, c.name, c.arguments, c.provider) for c in m.tool_calls] == [
        ("c1", "a", '{"x":1}', "anthropic"),
        ("c2", "b", "{}", "anthropic"),
    ]
    assert m.usage == Usage(input_tokens=5, output_tokens=9)  # replaced, not added
    assert m.finish_reason == "tool_calls"


def test_whole_arguments_on_done_replace_fragments_and_details_are_kept():
    m = build(ToolCallStart("g1", "c", "f"), ToolCallDone("g1", '{"a":1}', {"thought_signature": "c2ln"}))
    assert m.tool_calls[0].arguments == '{"a":1}'
    assert m.tool_calls[0].provider_details == {"thought_signature": "c2ln"}


def test_arguments_stay_raw_even_when_invalid():
    m = build(ToolCallStart(0, "c", "f"), ToolCallDelta(0, '{"a": tru'), ToolCallDone(0))
    assert m.tool_calls[0].arguments == '{"a": tru'


def test_reasoning_done_without_text_makes_a_replay_only_part():
    m = build(TextDelta("Hi"), ReasoningDone({"thought_signature": "c2ln"}), TextDelta("!"))
    assert [p.kind for p in m.parts] == ["text", "reasoning", "text"]
    assert m.parts[1].text == "" and m.parts[1].provider_details == {"thought_signature": "c2ln"}


def test_a_delta_for_a_call_that_never_started_is_an_error():
    with pytest.raises(ProviderError) as info:
        build(ToolCallDelta(3, "{}"))
    assert info.value.kind == "bad_response"


def test_apply_returns_the_touched_part():
    m = Message(role="assistant")
    b = MessageBuilder(m, "openai")
    part = b.apply(TextDelta("a"))
    assert isinstance(part, TextPart)
    assert part is m.parts[0] and b.apply(TextDelta("b")) is part and part.text == "ab"


def call(id: str) -> ToolCallPart:
    return ToolCallPart(id=id, name="f", arguments="{}")


def result(id: str) -> ToolResultPart:
    return ToolResultPart(call_id=id, name="f", content="ok")


def test_history_drops_orphan_calls_results_and_empty_messages():
    history = [
        user("one"),
        Message(role="assistant", parts=[TextPart(text="Let me"), call("a"), call("b")], status="stopped"),
        tool_results(result("a"), result("zzz")),  # b has no result; zzz has no call
        Message(role="assistant", parts=[call("c")], status="error"),  # never answered: dropped entirely
        user("two"),
        Message(role="assistant", parts=[ReasoningPart(text="hmm"), TextPart(text="")]),  # nothing to say
        tool_results(result("q")),  # answers nothing
        user(""),
    ]
    cleaned = well_formed(history)
    assert [m.role for m in cleaned] == ["user", "assistant", "tool", "user"]
    assert [p.id for p in cleaned[1].tool_calls] == ["a"]
    assert [p.call_id for p in cleaned[2].tool_results] == ["a"]
    assert history[1].tool_calls[1].id == "b"  # the stored history is not modified
