"""Fitting a history into a context window: what is kept, what goes first, the notice, harder mode."""

from __future__ import annotations

import json

from app.chat.context import fit, split_turns
from app.chat.model import (
    Message,
    ToolCallPart,
    ToolResultPart,
    Usage,
    assistant,
    tool_results,
    user,
)
from app.chat.tokens import estimate_messages_tokens

BIG = json.dumps(
    {"data": [{"id": i, "title": "Article number %d about summer" % i, "status": "draft"} for i in range(300)]}
)


def turn(n: int, result: str = '{"data": []}') -> list[Message]:
    call = ToolCallPart(id="call_%d" % n, name="items_read", arguments='{"collection":"articles"}')
    return [
        user("Question %d: what changed in the articles collection this week?" % n),
        assistant(call),
        tool_results(ToolResultPart(call_id=call.id, name="items_read", content=result)),
        assistant("Answer %d: a few articles changed, here is a short summary of them." % n),
    ]


def history(turns: int, result: str = '{"data": []}') -> list[Message]:
    return [m for n in range(turns) for m in turn(n, result)]


def assert_pairs_intact(messages: list[Message]) -> None:
    calls = {c.id for m in messages for c in m.tool_calls}
    results = {r.call_id for m in messages for r in m.tool_results}
    assert calls == results
    for i, m in enumerate(messages):
        if m.role == "tool":
            assert {r.call_id for r in m.tool_results} <= {c.id for c in messages[i - 1].tool_calls}


def test_everything_is_sent_when_it_fits():
    messages = history(3)
    result = fit(messages, 100, 200, 100_000, 4_000)
    assert result.messages == messages and result.notice is None and result.fits
    assert result.left_out_messages == 0 and result.shortened_results == 0


def test_large_old_tool_results_are_shortened_before_any_turn_is_left_out():
    messages = history(3, BIG)
    need = estimate_messages_tokens(history(3)) + 2 * 200 + estimate_messages_tokens(turn(2, BIG))
    result = fit(messages, 0, 0, int(need * 1.12) + 1000, 0, last_usage=False)
    assert len(result.messages) == len(messages) and result.left_out_messages == 0
    assert result.shortened_results == 2
    assert "left out to fit the context window" in result.messages[2].tool_results[0].content
    assert result.messages[-2].tool_results[0].content == BIG  # the latest turn keeps its result
    assert messages[2].tool_results[0].content == BIG  # the caller's history is not changed
    assert result.notice is not None
    assert "2 large tool results shortened" in result.notice


def test_oldest_whole_turns_go_first_and_tool_pairs_stay_together():
    messages = history(10)
    per_turn = estimate_messages_tokens(turn(0))
    window = int(per_turn * 4.2 * 1.12) + 50
    result = fit(messages, 0, 0, window, 0, last_usage=False)
    assert result.fits
    assert result.messages == messages[-len(result.messages) :]  # a suffix: the newest messages
    assert result.messages[0].role == "user"
    assert len(result.messages) % 4 == 0 and result.left_out_turns == 10 - len(result.messages) // 4
    assert result.left_out_messages == 4 * result.left_out_turns > 0
    assert_pairs_intact(result.messages)
    assert result.notice is not None
    assert ("%d older messages" % result.left_out_messages) in result.notice
    assert result.estimated_tokens <= result.budget_tokens


def test_system_and_tools_count_against_the_budget():
    messages = history(6)
    window = int(estimate_messages_tokens(messages) * 1.12) + 20
    roomy = fit(messages, 0, 0, window, 0, last_usage=False)
    crowded = fit(messages, 100, 100, window, 0, last_usage=False)
    assert len(roomy.messages) == len(messages)
    assert len(crowded.messages) < len(roomy.messages) and crowded.fits


def test_latest_turn_is_always_sent_even_when_it_does_not_fit():
    messages = history(2)
    result = fit(messages, 0, 0, 60, 0, last_usage=False)
    assert result.messages == messages[-4:]
    assert result.notice is not None
    assert not result.fits and "still larger" in result.notice


def test_a_long_latest_turn_shortens_its_older_steps_but_not_the_last():
    call_a = ToolCallPart(id="a", name="items_read", arguments="{}")
    call_b = ToolCallPart(id="b", name="items_read", arguments="{}")
    messages = [
        user("do it"),
        assistant(call_a),
        tool_results(ToolResultPart(call_id="a", name="items_read", content=BIG)),
        assistant(call_b),
        tool_results(ToolResultPart(call_id="b", name="items_read", content=BIG)),
    ]
    window = int(estimate_messages_tokens(messages[:1] + messages[3:]) * 1.2) + 200
    result = fit(messages, 0, 0, window, 0, last_usage=False)
    assert result.fits and result.shortened_results == 1
    assert result.messages[2].tool_results[0].content != BIG
    assert result.messages[4].tool_results[0].content == BIG


def test_harder_mode_trims_to_a_smaller_budget():
    messages = history(12)
    window = int(estimate_messages_tokens(messages) * 1.12 / 0.8) + 500
    normal = fit(messages, 0, 0, window, 500)
    harder = fit(messages, 0, 0, window, 500, harder=True)
    assert len(normal.messages) == len(messages)
    assert harder.budget_tokens == int(normal.budget_tokens * 0.6)
    assert len(harder.messages) < len(normal.messages)
    assert_pairs_intact(harder.messages)


def test_reported_usage_larger_than_the_estimate_scales_it_up_never_down():
    messages = history(6)
    plain = fit(messages, 0, 0, 100_000, 0, last_usage=False)
    messages[-1] = messages[-1].model_copy(
        update={"usage": Usage(input_tokens=plain.estimated_tokens * 2, output_tokens=10)}
    )
    scaled = fit(messages, 0, 0, 100_000, 0)
    assert scaled.estimated_tokens > plain.estimated_tokens * 1.8
    messages[-1] = messages[-1].model_copy(
        update={"usage": Usage(input_tokens=5, output_tokens=1)}
    )  # a trimmed request
    assert fit(messages, 0, 0, 100_000, 0).estimated_tokens == plain.estimated_tokens


def test_claude_counts_more_tokens_than_openai_for_the_same_text():
    messages = history(4)
    openai = fit(messages, 0, 0, 100_000, 0, model_id="openai:gpt-5")
    claude = fit(messages, 0, 0, 100_000, 0, model_id="anthropic:claude-sonnet-4-5")
    assert claude.estimated_tokens > openai.estimated_tokens * 1.2


def test_split_turns_groups_from_each_user_message():
    messages = [assistant("welcome")] + history(2)
    assert [len(t) for t in split_turns(messages)] == [1, 4, 4]
