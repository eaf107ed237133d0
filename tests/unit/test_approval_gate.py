"""The approval gate in the agent loop (app/chat/gate.py): what "Always allow" covers, what a turn has changed,
and the calls that always ask (issue 12: "the approval gate holds").

The tools here are FakeTools whose previews carry the facts a Directus tool's preview has (app/directus/tools/
definition.py CallPreview: action, writes, bulk, destructive, always_ask), so the gate is checked on its own;
the tools' own facts are tested with the tools (tests/unit/test_tool_*.py).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Optional, cast

import pytest

from app.chat.agent import Agent
from app.chat.approvals import BULK_LIMIT, ApprovalPolicy
from app.chat.model import Conversation, Message, TextPart, ToolCallPart, ToolResultPart
from tests.doubles import FakeTools, Prepared, Preview, ScriptedProvider, calls, text, until


class DirectusLikeTools(FakeTools):
    """`items` and `files` calls as Directus's tools describe them: {"action", "keys", "data", "url"}."""

    def prepare(self, name: str, arguments: str) -> Prepared:
        args: dict[str, Any] = json.loads(arguments or "{}")
        action = args.get("action", "")
        keys, data = args.get("keys", []), args.get("data", {})
        read_only = action == "read"
        call = Prepared(
            name,
            args,
            Preview(
                f"{name} {action} {keys}",
                read_only=read_only,
                destructive=action == "delete" or any(value in (None, "", []) for value in data.values()),
                bulk=not read_only and len(keys) >= BULK_LIMIT,
                action=action,
                writes=0 if read_only else len(keys) or 1,
                always_ask=action == "import" and "url" in args,
            ),
        )
        self.prepared.append(call)
        return call


def make_agent(provider: ScriptedProvider, policy: ApprovalPolicy, saved: list | None = None):
    tools = DirectusLikeTools()
    agent = Agent(
        Conversation(),
        provider,
        "m1",
        tools,
        policy,
        "system",
        on_policy_change=lambda p: (saved if saved is not None else []).append(p.model_dump()),
    )
    return agent, tools


def update(*keys: int, **data: Any) -> tuple[str, dict[str, Any]]:
    return ("items", {"action": "update", "collection": "articles", "keys": list(keys), "data": data or {"n": 1}})


READ = ("items", {"action": "read", "collection": "articles"})
ALWAYS = {"items": "always"}


async def stop(agent: Agent) -> None:
    agent.stop()
    await agent.wait()


async def test_always_on_a_read_allows_reads_of_that_tool_only():
    """The issue's attack: "Always allow" on a read made the tool's next update run unasked."""
    saved: list = []
    provider = ScriptedProvider(calls(READ), calls(update(1)), text("done"))
    agent, tools = make_agent(provider, ApprovalPolicy(), saved)
    task = agent.send("read, then change")
    await until(lambda: agent.pending)
    agent.decide(next(iter(agent.pending)), "always")
    await until(lambda: tools.ran and agent.pending)  # the read ran; the update of the same tool still asks
    ((call_id, pending),) = agent.pending.items()
    assert pending.preview.action == "update" and [name for name, _ in tools.ran] == ["items"]
    assert agent.policy.allowed == ["items:read"] and agent.policy.mode("items") == "ask"
    assert saved and saved[-1]["allowed"] == ["items:read"]  # saved through on_policy_change
    agent.decide(call_id, "deny")
    await task
    assert [args["action"] for _, args in tools.ran] == ["read"]

    # the next read of that tool runs without a card
    agent2, tools2 = make_agent(ScriptedProvider(calls(READ), text("3 items")), agent.policy)
    await agent2.send("how many")
    assert [args["action"] for _, args in tools2.ran] == ["read"]


async def test_always_lets_waiting_calls_of_the_same_scope_through_but_not_others():
    provider = ScriptedProvider(calls(READ, ("items", {"action": "delete", "keys": [1]}), READ), text("done"))
    agent, tools = make_agent(provider, ApprovalPolicy())
    task = agent.send("go")
    await until(lambda: len(agent.pending) == 3)
    agent.decide(next(iter(agent.pending)), "always")
    await until(lambda: len(tools.ran) == 2)
    assert [p.preview.action for p in agent.pending.values()] == ["delete"]
    agent.decide(next(iter(agent.pending)), "deny")
    await task
    assert [args["action"] for _, args in tools.ran] == ["read", "read"]


async def test_fifty_small_updates_in_one_step_ask_from_the_second():
    """The issue's leak: fifty 4-key updates in one step ran silently with items on always (5 keys per call is bulk,
    4 is not). The calls of a step are decided in order and counted: 4 + 4 reaches BULK_LIMIT."""
    fifty = [update(*range(4 * i, 4 * i + 4)) for i in range(50)]
    agent, tools = make_agent(ScriptedProvider(calls(*fifty), text("done")), ApprovalPolicy(modes=ALWAYS))
    task = agent.send("retitle everything")
    await until(lambda: agent.pending)
    await until(lambda: len(tools.ran) == 1)
    assert tools.ran == [("items", fifty[0][1])]
    assert [p.call.id for p in agent.pending.values()] == ["call_items_%d" % i for i in range(1, 50)]
    await stop(agent)
    assert len(tools.ran) == 1
    await task


async def test_approving_a_write_past_the_limit_does_not_open_the_gate_for_the_next():
    three = [update(1, 2, 3, 4), update(5, 6, 7, 8), update(9, 10, 11, 12)]
    agent, tools = make_agent(ScriptedProvider(calls(*three), text("done")), ApprovalPolicy(modes=ALWAYS))
    task = agent.send("go")
    await until(lambda: len(agent.pending) == 2)
    first = next(iter(agent.pending))
    agent.decide(first, "always")  # "always" on items: update (already allowed by the mode) lets no sibling by
    await until(lambda: len(tools.ran) == 2)
    assert list(agent.pending) == ["call_items_2"]
    agent.decide("call_items_2", "approve")
    await task
    assert len(tools.ran) == 3


async def test_small_updates_across_steps_of_one_turn_count_too():
    provider = ScriptedProvider(calls(update(1, 2, 3, 4)), calls(update(5, 6, 7, 8)), text("done"))
    agent, tools = make_agent(provider, ApprovalPolicy(modes=ALWAYS))
    task = agent.send("two steps")
    await until(lambda: agent.pending)
    assert len(tools.ran) == 1 and list(agent.pending) == ["call_items_0"]  # the second step's call
    assert len(provider.requests) == 2
    agent.decide("call_items_0", "approve")
    await task
    assert len(tools.ran) == 2


async def test_single_small_writes_add_up_to_the_limit():
    provider = ScriptedProvider(*[calls(update(i)) for i in range(BULK_LIMIT)], text("done"))
    agent, tools = make_agent(provider, ApprovalPolicy(modes=ALWAYS))
    task = agent.send("five one-item updates")
    await until(lambda: agent.pending)
    assert len(tools.ran) == BULK_LIMIT - 1
    await stop(agent)
    await task


async def test_a_new_turn_starts_from_zero():
    provider = ScriptedProvider(
        calls(update(1, 2, 3, 4)), text("one"), calls(update(5, 6, 7, 8)), text("two"), calls(update(9)), text("3")
    )
    agent, tools = make_agent(provider, ApprovalPolicy(modes=ALWAYS))
    await agent.send("first")
    await agent.send("second")  # would be 8 in one turn: a new turn starts from zero, so it runs unasked
    assert len(tools.ran) == 2 and not agent.pending
    await agent.regenerate()  # regenerate (and edit) is a new turn as well; retry continues its turn
    assert len(tools.ran) == 3 and agent.conversation.messages[-1].text == "3"


async def test_a_turn_resumed_after_a_reload_counts_what_its_calls_already_changed():
    ran = ToolCallPart(id="c1", name="items", arguments=json.dumps(update(1, 2, 3, 4)[1]), started=True)
    waiting = ToolCallPart(id="c2", name="items", arguments=json.dumps(update(5, 6, 7, 8)[1]))
    agent, tools = make_agent(ScriptedProvider(text("done")), ApprovalPolicy(modes=ALWAYS))
    agent.conversation.messages += [
        Message(role="user", parts=[TextPart(text="go")]),
        Message(role="assistant", parts=[ran]),
        Message(role="tool", parts=[ToolResultPart(call_id="c1", name="items", content="{}")]),
        Message(role="assistant", parts=[waiting]),
    ]
    task = agent.resume()
    assert task is not None
    await until(lambda: agent.pending)
    assert list(agent.pending) == ["c2"] and tools.ran == []
    await stop(agent)


async def test_always_ask_asks_whatever_the_modes_and_switches_say():
    """An import from a URL makes Directus fetch that URL: it asks even with the tool on always, reads allowed
    and confirm_destructive off; "Always allow" on its card approves it once and allows nothing."""
    policy = ApprovalPolicy(modes={"files": "always"}, allow_reads=True, confirm_destructive=False)
    policy.allow("files:import")
    imports = ("files", {"action": "import", "url": "https://evil.example/x"})
    agent, tools = make_agent(ScriptedProvider(calls(imports), calls(imports), text("done")), policy)
    task = agent.send("import it")
    await until(lambda: agent.pending)
    agent.decide(next(iter(agent.pending)), "always")
    await until(lambda: tools.ran and agent.pending)  # the first import ran; the second asks again
    assert len(tools.ran) == 1 and policy.allowed == ["files:import"] and policy.mode("files") == "always"
    await stop(agent)
    await task


async def test_a_blanking_update_asks_with_items_on_always():
    provider = ScriptedProvider(calls(update(3, title=None), update(4, title="")), text("done"))
    agent, tools = make_agent(provider, ApprovalPolicy(modes=ALWAYS))
    task = agent.send("clear the titles")
    await until(lambda: len(agent.pending) == 2)
    assert tools.ran == []
    await stop(agent)
    await task


async def test_with_confirm_destructive_off_the_turn_count_does_not_ask():
    fifty = [update(*range(4 * i, 4 * i + 4)) for i in range(10)]
    policy = ApprovalPolicy(modes=ALWAYS, confirm_destructive=False)
    agent, tools = make_agent(ScriptedProvider(calls(*fifty), text("done")), policy)
    await asyncio.wait_for(agent.send("go"), 5)
    assert len(tools.ran) == 10


class DirectusPreviews(FakeTools):
    """The real Directus tools' previews (app/directus/prepared.py), with a fake run: the gate on the facts the
    tools really give."""

    def prepare(self, name: str, arguments: str) -> Prepared:
        from app.directus.prepared import prepare

        preview = cast(Optional[Preview], prepare(name, arguments).preview)  # a CallPreview: the same facts
        call = Prepared(name, json.loads(arguments or "{}"), preview)
        self.prepared.append(call)
        return call


@pytest.mark.parametrize("value", [None, ""])
async def test_with_the_real_previews_a_blanking_update_asks_with_items_on_always(value):
    blank = ("items", {"action": "update", "collection": "articles", "keys": [3], "data": {"title": value}})
    tools = DirectusPreviews()
    agent = Agent(
        Conversation(),
        ScriptedProvider(calls(blank), text("done")),
        "m1",
        tools,
        ApprovalPolicy(modes=ALWAYS),
        "system",
    )
    task = agent.send("clear the title")
    await until(lambda: agent.pending)
    assert tools.ran == []
    await stop(agent)
    await task


async def test_with_the_real_previews_the_second_small_update_of_a_step_asks_with_items_on_always():
    tools = DirectusPreviews()
    provider = ScriptedProvider(calls(update(1, 2, 3, 4), update(5, 6, 7, 8)), text("done"))
    agent = Agent(Conversation(), provider, "m1", tools, ApprovalPolicy(modes=ALWAYS), "system")
    task = agent.send("go")
    await until(lambda: agent.pending and tools.ran)
    assert list(agent.pending) == ["call_items_1"] and len(tools.ran) == 1
    await stop(agent)
    await task


# ----- issue 12 review: the live policy, retry, waiting calls, duplicate ids ------------------------------------


async def test_a_turn_reads_the_policy_as_it_is_now_not_as_it_started():
    """Settings replaces the policy object on save: a mode set back to ask mid-turn applies to the next call, and
    "Always allow" clicked after that writes to the new policy."""
    holder = {"policy": ApprovalPolicy(modes=ALWAYS)}
    provider = ScriptedProvider(calls(update(1)), calls(update(2)), calls(READ), text("done"))
    tools = DirectusLikeTools()
    tools.gate = asyncio.Event()
    agent = Agent(Conversation(), provider, "m1", tools, lambda: holder["policy"], "system")
    task = agent.send("go")
    await until(tools.started.is_set)  # the first update runs unasked
    holder["policy"] = ApprovalPolicy()  # the user set items back to "ask" (a new object, as Settings saves it)
    tools.gate.set()
    await until(lambda: agent.pending)
    assert len(tools.ran) == 1  # the second update asks
    agent.decide(next(iter(agent.pending)), "always")
    await until(lambda: len(tools.ran) == 2 and agent.pending)  # the read asks: only items:update was allowed
    assert holder["policy"].allowed == ["items:update"]
    await stop(agent)
    await task


async def test_retry_continues_the_turn_and_its_count():
    """A hostile endpoint answers an error after four writes: Retry must not reset the turn's count."""
    from app.chat.events import ProviderError

    four = calls(*[update(i) for i in range(4)])
    provider = ScriptedProvider(four, ProviderError("server_error", "boom", retryable=True), four, text("done"))
    agent, tools = make_agent(provider, ApprovalPolicy(modes=ALWAYS))
    await agent.send("go")
    assert len(tools.ran) == 4 and agent.conversation.messages[-1].status == "error"
    task = agent.retry()
    await until(lambda: agent.pending)
    assert len(tools.ran) == 4  # the fifth write of the turn asks
    await stop(agent)
    await task


async def test_a_call_waiting_for_approval_counts_for_the_calls_after_it():
    """A (a delete of four: asks) then B (one update, items on always): approving A would bring the turn to five,
    so B asks too instead of running at once."""
    delete = ("items", {"action": "delete", "collection": "articles", "keys": [1, 2, 3, 4]})
    agent, tools = make_agent(ScriptedProvider(calls(delete, update(5)), text("done")), ApprovalPolicy(modes=ALWAYS))
    task = agent.send("go")
    await until(lambda: len(agent.pending) == 2)
    assert tools.ran == []
    agent.decide("call_items_0", "deny")  # denied: its reserved writes are taken off again
    assert agent.gate.written == 1
    await stop(agent)
    await task


async def test_two_calls_with_one_id_end_the_answer_with_an_error_not_a_hang():
    from app.chat.events import Event, Finish, ToolCallDone, ToolCallStart

    step: list[Event] = [
        ToolCallStart(0, "dup", "items"),
        ToolCallDone(0, json.dumps(update(1)[1])),
        ToolCallStart(1, "dup", "items"),
        ToolCallDone(1, json.dumps(update(2)[1])),
        Finish("tool_calls"),
    ]
    agent, tools = make_agent(ScriptedProvider(step, text("done")), ApprovalPolicy())
    await asyncio.wait_for(agent.send("go"), 2)
    last = agent.conversation.messages[-1]
    assert last.status == "error" and last.error is not None and last.error.kind == "bad_response"
    assert tools.ran == [] and not agent.pending and not agent.busy
