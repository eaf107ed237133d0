"""The agent loop in CPython, with a scripted model and in-memory tools.

Provider wire protocols and real Directus are covered in tests/integration/test_agent_*.py; here the
loop's own rules are checked: approvals, stop, retry, step cap, and well-formed histories.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from app.chat.agent import Agent
from app.chat.approvals import ApprovalPolicy
from app.chat.events import (
    Finish,
    ProviderError,
    TextDelta,
    ToolCallDelta,
    ToolCallDone,
    ToolCallStart,
    UsageUpdate,
)
from app.chat.model import Conversation, Message, TextPart, Usage
from app.chat.usage import describe_usage, total_usage
from tests.doubles import FakeTools, ScriptedProvider, calls, text, until


def make_agent(provider, tools=None, policy=None, **kw) -> tuple[Agent, list]:
    saves: list = []
    agent = Agent(
        Conversation(),
        provider,
        "m1",
        tools or FakeTools(),
        policy or ApprovalPolicy(),
        "system",
        on_change=lambda: saves.append(1),
        **kw,
    )
    return agent, saves


def well_formed(messages: list[Message]) -> None:
    """Every tool call answered exactly once, by the tool message right after it."""
    for i, message in enumerate(messages):
        if message.role == "assistant" and message.tool_calls:
            assert messages[i + 1].role == "tool", f"calls of message {i} have no results"
            ids = [r.call_id for r in messages[i + 1].tool_results]
            assert sorted(ids) == sorted(c.id for c in message.tool_calls)
        if message.role == "tool":
            assert messages[i - 1].role == "assistant"


async def test_plain_answer_is_streamed_saved_and_done():
    agent, saves = make_agent(ScriptedProvider(text("Hello!")))
    await agent.send("hi")
    messages = agent.conversation.messages
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].text == "Hello!" and messages[1].status == "done"
    assert messages[1].model == "scripted:m1"
    assert messages[1].usage is not None
    assert messages[1].usage.input_tokens == 10
    assert len(saves) >= 4  # user message, answer start, each event, done


async def test_ask_waits_for_approval_then_runs_and_continues():
    provider = ScriptedProvider(calls(("write", {"x": 1})), text("Updated."))
    tools = FakeTools()
    agent, _ = make_agent(provider, tools)
    task = agent.send("update it")
    await until(lambda: agent.pending)
    (pending,) = agent.pending.values()
    assert pending.preview.summary == "write things" and tools.ran == []
    agent.decide(pending.call.id, "approve")
    await task
    assert tools.ran == [("write", {"x": 1})]
    assert agent.conversation.messages[-1].text == "Updated."
    well_formed(agent.conversation.messages)
    # the second request carried the call and its result
    assert [m["role"] for m in provider.requests[1]] == ["user", "assistant", "tool"]


async def test_a_call_is_prepared_once_and_the_approved_call_is_the_one_run():
    tools = FakeTools()
    agent, _ = make_agent(ScriptedProvider(calls(("write", {"x": 1}), ("bad", {"bad": 1})), text("ok")), tools)
    task = agent.send("go")
    await until(lambda: agent.pending)
    (pending,) = agent.pending.values()
    agent.decide(pending.call.id, "approve")
    await task
    assert [c.name for c in tools.prepared] == ["write", "bad"]
    assert pending.prepared is tools.prepared[0] and sorted(map(id, tools.runs)) == sorted(map(id, tools.prepared))


async def test_deny_goes_back_to_the_model_as_a_declined_result():
    provider = ScriptedProvider(calls(("delete", {"keys": [1]})), text("OK, I won't."))
    tools = FakeTools()
    agent, _ = make_agent(provider, tools)
    task = agent.send("delete it")
    await until(lambda: agent.pending)
    agent.decide(next(iter(agent.pending)), "deny")
    await task
    assert tools.ran == []
    result = agent.conversation.messages[2].tool_results[0]
    assert result.status == "denied" and "declined" in result.content
    well_formed(agent.conversation.messages)


async def test_always_allow_allows_the_calls_scope_and_approves_sibling_calls():
    # Issue 12: "Always allow" on a card no longer sets the whole tool to always; it allows the scope the card
    # showed (tool + action; FakeTools' calls have no action, so the scope is the tool's name). The tool's mode
    # stays as it was (tests/unit/test_approval_gate.py has the scoped cases).
    provider = ScriptedProvider(calls(("write", {"a": 1}), ("write", {"a": 2})), text("done"))
    tools = FakeTools()
    changes = []
    agent, _ = make_agent(provider, tools, on_policy_change=lambda p: changes.append(list(p.allowed)))
    task = agent.send("two writes")
    await until(lambda: len(agent.pending) == 2)
    agent.decide(next(iter(agent.pending)), "always")
    await task
    assert sorted(a["a"] for _, a in tools.ran) == [1, 2]
    assert agent.policy.mode("write") == "ask" and changes == [["write"]]


async def test_always_mode_runs_without_asking_but_deletes_still_ask():
    policy = ApprovalPolicy(modes={"write": "always", "delete": "always"})
    provider = ScriptedProvider(calls(("write", {}), ("delete", {"keys": [1]})), text("done"))
    tools = FakeTools()
    agent, _ = make_agent(provider, tools, policy=policy)
    task = agent.send("go")
    await until(lambda: agent.pending)
    assert [p.call.name for p in agent.pending.values()] == ["delete"]
    agent.decide(next(iter(agent.pending)), "approve")
    await task
    assert {n for n, _ in tools.ran} == {"write", "delete"}


async def test_read_preset_runs_reads_without_asking():
    policy = ApprovalPolicy(allow_reads=True)
    tools = FakeTools()
    agent, _ = make_agent(ScriptedProvider(calls(("read", {})), text("3 items")), tools, policy=policy)
    await agent.send("how many")
    assert tools.ran == [("read", {})]


async def test_disabled_tool_called_anyway_gets_an_error_result():
    policy = ApprovalPolicy(modes={"write": "disabled"})
    tools = FakeTools()
    agent, _ = make_agent(ScriptedProvider(calls(("write", {})), text("can't")), tools, policy=policy)
    await agent.send("go")
    result = agent.conversation.messages[2].tool_results[0]
    assert result.status == "error" and "disabled" in result.content
    assert tools.ran == []


async def test_invalid_arguments_skip_the_prompt_and_return_the_error():
    agent, _ = make_agent(ScriptedProvider(calls(("write", {"bad": 1})), text("fixed")))
    await agent.send("go")
    result = agent.conversation.messages[2].tool_results[0]
    assert result.status == "error" and "INVALID_ARGUMENTS" in result.content


async def test_tool_error_is_sent_back_and_the_model_recovers():
    policy = ApprovalPolicy(modes={"fail": "always", "read": "always"})
    provider = ScriptedProvider(calls(("fail", {})), calls(("read", {})), text("recovered"))
    agent, _ = make_agent(provider, policy=policy)
    await agent.send("go")
    assert agent.conversation.messages[-1].text == "recovered"
    assert (
        provider.requests[1][2]["parts"][0]["status"] == "error"
        and "FORBIDDEN" in provider.requests[1][2]["parts"][0]["content"]
    )


async def test_step_cap_stops_the_loop_and_says_so():
    policy = ApprovalPolicy(modes={"read": "always"})
    provider = ScriptedProvider(*[calls(("read", {})) for _ in range(3)])
    agent, _ = make_agent(provider, policy=policy, step_cap=3)
    await agent.send("loop")
    last = agent.conversation.messages[-1]
    assert "step limit" in last.text and last.finish_reason == "step_limit"
    assert len(provider.requests) == 3
    well_formed(agent.conversation.messages)


async def test_stop_during_streaming_keeps_the_partial_answer():
    provider = ScriptedProvider([TextDelta("Part"), TextDelta("ial"), Finish("stop")], text("next works"))
    provider.gate = asyncio.Event()
    agent, _ = make_agent(provider)
    agent.send("go")
    await until(lambda: agent.conversation.messages[-1].text == "Part")
    agent.stop()
    await agent.wait()
    answer = agent.conversation.messages[-1]
    assert answer.text == "Part" and answer.status == "stopped"
    provider.gate = None
    await agent.send("again")
    assert agent.conversation.messages[-1].text == "next works"


async def test_stop_during_streaming_tool_call_answers_it_and_next_message_is_well_formed():
    raw = json.dumps({"x": 1})
    provider = ScriptedProvider(
        [ToolCallStart(0, "c1", "write"), ToolCallDelta(0, raw[:3]), ToolCallDone(0), Finish("tool_calls")], text("ok")
    )
    provider.gate = asyncio.Event()
    agent, _ = make_agent(provider)
    agent.send("go")
    await until(lambda: agent.conversation.messages[-1].tool_calls)
    agent.stop()
    await agent.wait()
    well_formed(agent.conversation.messages)
    assert agent.conversation.messages[1].status == "stopped"
    provider.gate = None
    await agent.send("again")
    well_formed(provider_history(provider.requests[-1]))


def provider_history(raw: list) -> list[Message]:
    return [Message.model_validate(m) for m in raw]


async def test_stop_during_pending_approval_answers_the_call_as_not_run():
    provider = ScriptedProvider(calls(("write", {})), text("ok"))
    tools = FakeTools()
    agent, _ = make_agent(provider, tools)
    agent.send("go")
    await until(lambda: agent.pending)
    agent.stop()
    await agent.wait()
    assert agent.pending == {} and tools.ran == []
    result = agent.conversation.messages[2].tool_results[0]
    assert result.status == "stopped" and "not run" in result.content
    await agent.send("next")
    well_formed(provider_history(provider.requests[-1]))


async def test_stop_during_a_running_tool_cancels_it():
    tools = FakeTools(gate=asyncio.Event())
    policy = ApprovalPolicy(modes={"write": "always"})
    agent, _ = make_agent(ScriptedProvider(calls(("write", {}))), tools, policy)
    agent.send("go")
    await tools.started.wait()
    agent.stop()
    await agent.wait()
    assert tools.ran == []  # it never finished
    result = agent.conversation.messages[2].tool_results[0]
    assert result.status == "stopped" and "may or may not" in result.content
    assert not agent.running


async def test_retry_after_a_provider_error_sends_the_same_history():
    error = ProviderError("server_error", "The provider had a server error. Try again.")
    provider = ScriptedProvider(error, text("second time lucky"))
    agent, _ = make_agent(provider)
    await agent.send("hi")
    failed = agent.conversation.messages[-1]
    assert failed.error is not None
    assert failed.status == "error" and failed.error.kind == "server_error" and failed.error.retryable
    await agent.retry()
    # The failed answer stays (what it cost is counted; the page hides it) but is never sent to the model.
    assert [m.role for m in agent.conversation.messages] == ["user", "assistant", "assistant"]
    assert agent.conversation.messages[1] is failed
    assert agent.conversation.messages[-1].text == "second time lucky"
    assert provider.requests[0] == provider.requests[1]


# ----- usage that adds up: stopped, failed and retried requests are counted ----------------------------------------


def PAUSE() -> Any:
    """A point in a MidStreamProvider step where the stream waits (forever: the test stops it there)."""
    return asyncio.Event()


class MidStreamProvider(ScriptedProvider):
    """A ScriptedProvider whose steps may raise an error after some events (a stream that breaks), or wait for an
    asyncio.Event among them (a stream the user stops there)."""

    async def stream(self, request):
        step = self.steps.pop(0)
        for event in [step] if isinstance(step, BaseException) else step:
            if isinstance(event, BaseException):
                raise event
            if isinstance(event, asyncio.Event):
                await event.wait()
                continue
            yield event


async def test_a_stopped_answer_counts_what_the_provider_reported_and_estimates_the_rest():
    long = "A long answer that the user stops after a while. " * 40
    started = UsageUpdate(Usage(input_tokens=1200, output_tokens=1))  # Anthropic's message_start, say
    provider = MidStreamProvider([started, TextDelta(long), PAUSE(), TextDelta("more"), Finish("stop")])
    agent, _ = make_agent(provider)
    agent.send("go")
    await until(lambda: agent.conversation.messages[-1].text == long)
    agent.stop()
    await agent.wait()
    usage = agent.conversation.messages[-1].usage
    assert usage is not None and usage.estimated
    assert usage.input_tokens == 1200  # the provider's own count is kept
    assert 300 < usage.output_tokens < 700  # about 2,000 characters of English arrived
    assert "(estimated)" in describe_usage(usage, None)


async def test_a_stopped_answer_without_any_usage_estimates_input_and_output():
    provider = MidStreamProvider([TextDelta("Partial answer " * 20), PAUSE(), Finish("stop")])
    agent, _ = make_agent(provider)
    agent.send("What is in my articles collection?")
    await until(lambda: agent.conversation.messages[-1].text.startswith("Partial"))
    agent.stop()
    await agent.wait()
    usage = agent.conversation.messages[-1].usage
    assert usage is not None and usage.estimated and usage.input_tokens > 50 and usage.output_tokens > 30


async def test_failed_and_retried_requests_stay_in_the_conversation_totals():
    refused = ProviderError("rate_limited", "Too many requests.", retryable=True)
    cut = ProviderError("server_error", "The provider had a server error. Try again.")
    provider = MidStreamProvider(refused, text("fine"), [TextDelta("Half an answer " * 30), cut], text("whole"))  # type: ignore[list-item]  # a step may raise
    agent, _ = make_agent(provider)
    await agent.send("hi")
    assert agent.conversation.messages[-1].usage is None  # refused before anything: nothing billed, nothing counted
    await agent.retry()
    await agent.send("again")
    failed = agent.conversation.messages[-1]
    assert failed.status == "error" and failed.usage is not None and failed.usage.estimated
    assert failed.usage.output_tokens > 50 and failed.usage.input_tokens > 0
    await agent.retry()
    assert agent.conversation.messages[-1].text == "whole"
    totals = total_usage(agent.conversation.messages)  # the retried failure is still in the totals
    assert totals.estimated and totals.output_tokens == 3 + failed.usage.output_tokens + 3


async def test_regenerate_and_edit_replace_the_last_answer_and_keep_the_old_ones_as_versions():
    from app.chat.versions import switch_version, version_position

    provider = ScriptedProvider(text("one"), text("two"), text("three"))
    agent, _ = make_agent(provider)
    await agent.send("q")
    await agent.regenerate()
    messages = agent.conversation.messages
    assert [m.text for m in messages] == ["q", "two"]
    await agent.edit_last("q2")
    assert [m.text for m in messages] == ["q2", "three"]
    assert version_position(messages[0]) == (3, 3)
    assert [[p["text"] for p in m["parts"]] for m in provider.requests[-1]] == [["q2"]]  # the shown branch only
    assert switch_version(messages, 0, 0) and [m.text for m in messages] == ["q", "one"]


async def test_resume_after_reload_reasks_pending_and_settles_interrupted_calls():
    provider = ScriptedProvider(calls(("write", {}), ("read", {})), text("after reload"))
    agent, _ = make_agent(provider)
    agent.send("go")
    await until(lambda: len(agent.pending) == 2)
    # simulate what storage holds at this moment, with the read already started when the page went away
    saved = Conversation.model_validate(agent.conversation.model_dump())
    saved.messages[1].tool_calls[1].started = True
    agent.stop()
    await agent.wait()

    tools = FakeTools()
    reloaded, _ = make_agent(ScriptedProvider(text("after reload")), tools)
    reloaded.conversation = saved
    task = reloaded.resume()
    assert task is not None
    await until(lambda: reloaded.pending)
    assert [p.call.name for p in reloaded.pending.values()] == ["write"]
    reloaded.decide(next(iter(reloaded.pending)), "approve")
    await task
    results = {r.name: r for r in saved.messages[2].tool_results}
    assert results["read"].status == "error" and "reloaded" in results["read"].content
    assert results["write"].status == "ok"
    assert saved.messages[-1].text == "after reload"
    well_formed(saved.messages)


async def test_resume_marks_an_answer_cut_mid_stream_as_stopped():
    agent, _ = make_agent(ScriptedProvider())
    agent.conversation.messages += [
        Message(role="user", parts=[]),
        Message(role="assistant", status="streaming"),
    ]
    assert agent.resume() is None
    assert agent.conversation.messages[-1].status == "stopped"


async def test_a_second_send_while_busy_is_refused():
    provider = ScriptedProvider([TextDelta("a"), Finish("stop")])
    provider.gate = asyncio.Event()
    agent, _ = make_agent(provider)
    agent.send("one")
    with pytest.raises(RuntimeError):
        agent.send("two")
    agent.stop()
    await agent.wait()


async def test_history_is_fitted_to_the_window_and_the_user_is_told():
    provider = ScriptedProvider(text("short answer"))
    agent, _ = make_agent(provider, context_window=3000, max_output_tokens=500)
    for i in range(40):
        agent.conversation.messages += [
            Message(role="user", parts=[TextPart(text=f"question {i} " + "word " * 100)]),
            Message(role="assistant", parts=[TextPart(text="answer")]),
        ]
    await agent.send("latest question")
    sent = provider.requests[0]
    assert len(sent) < 81 and sent[-1]["parts"][0]["text"] == "latest question"
    assert agent.conversation.notice and "left out" in agent.conversation.notice.lower()


async def test_context_too_long_from_the_provider_trims_harder_and_retries_once():
    error = ProviderError("context_too_long", "The conversation is too long for this model.")
    provider = ScriptedProvider(error, text("fits now"))
    agent, _ = make_agent(provider, context_window=100_000, max_output_tokens=1000)
    await agent.send("hi")
    assert agent.conversation.messages[-1].text == "fits now"
    assert [m.role for m in agent.conversation.messages] == ["user", "assistant"]
    assert len(provider.requests) == 2
