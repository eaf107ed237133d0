"""The agent loop end to end in CPython: each provider protocol (fake server) against the real Directus.

A scripted multi-step task: discover the schema, read articles, update one after the user approves, answer.
The fake server validates every request the way the real service does (tool calls answered exactly once,
reasoning replayed as required), so a task that completes proves the histories were well formed; the
recorded bodies are checked on top.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from app.chat.agent import Agent
from app.chat.approvals import ApprovalPolicy
from app.chat.model import Conversation
from app.chat.prompt import DEFAULT_SYSTEM_PROMPT
from app.directus.client import DirectusClient
from app.directus.toolbox import Toolbox
from app.providers import open_provider
from devkit.fake_provider.script import Call, Step
from devkit.fake_provider.settings import MODELS, settings_for
from devkit.transports import HttpxTransport
from tests.doubles import RecordingSleep, until

READ = {
    "action": "read",
    "collection": "articles",
    "query": {"fields": ["id", "title", "status"], "sort": ["id"], "limit": 5},
}
UPDATE = {"action": "update", "collection": "articles", "keys": [1], "data": {"title": "Retitled by the assistant"}}


class Harness:
    def __init__(self, protocol, fake, directus, policy=None, token=None):
        self.transport = HttpxTransport()
        provider, model = open_provider(
            MODELS[protocol], settings_for(fake.url), self.transport, sleep=RecordingSleep()
        )
        client = DirectusClient(directus.url, self.transport, token=token or directus.admin_token)
        self.policy = policy or ApprovalPolicy(allow_reads=True)
        self.saves = 0
        self.agent = Agent(
            Conversation(),
            provider,
            model.id,
            Toolbox(client, admin=token is None, policy=self.policy),
            self.policy,
            DEFAULT_SYSTEM_PROMPT,
            on_change=self._saved,
        )

    def _saved(self):
        self.saves += 1

    async def close(self):
        await self.transport.aclose()


def article_title(directus, key):
    with directus.client() as http:
        return http.get(f"/items/articles/{key}", params={"fields": "title"}).json()["data"]["title"]


@pytest.mark.parametrize("protocol", list(MODELS))
async def test_scripted_task_schema_read_update_after_approval_answer(protocol, fake_provider, directus_reset):
    fake_provider.script(
        Step(reasoning="Find the collections first.", tool_calls=[Call("schema", {})]),
        Step(tool_calls=[Call("items", READ)]),
        Step(reasoning="Article 1 it is.", tool_calls=[Call("items", UPDATE)]),
        Step(text="Done: article 1 is now titled “Retitled by the assistant”."),
        protocol=protocol,
    )
    h = Harness(protocol, fake_provider, directus_reset)
    try:
        task = h.agent.send("Retitle the first article")
        await until(lambda: h.agent.pending)
        (pending,) = h.agent.pending.values()
        assert pending.call.name == "items"
        assert pending.preview.summary.startswith("Update") and "articles" in pending.preview.summary
        assert article_title(directus_reset, 1) != "Retitled by the assistant"  # nothing before approval
        h.agent.decide(pending.call.id, "approve")
        await asyncio.wait_for(task, 30)
    finally:
        await h.close()

    messages = h.agent.conversation.messages
    assert messages[-1].text.startswith("Done: article 1")
    assert [m.role for m in messages] == ["user"] + ["assistant", "tool"] * 3 + ["assistant"]
    assert all(r.status == "ok" for m in messages if m.role == "tool" for r in m.tool_results), [
        r.content for m in messages for r in m.tool_results
    ]
    assert article_title(directus_reset, 1) == "Retitled by the assistant"

    requests = fake_provider.requests_for()
    assert len(requests) == 4 and fake_provider.pending() == 0
    schema_result = tool_outputs(protocol, requests[1].body)
    assert "articles" in schema_result[0]  # the model saw the real schema
    read_result = tool_outputs(protocol, requests[2].body)
    assert "title" in read_result[0] and '"id":1' in read_result[0].replace(" ", "")
    assert h.saves > 10
    assert_reasoning_replayed(protocol, requests[1].body)


ADD_FIELD = {"action": "create", "collection": "articles", "data": [{"field": "subtitle", "type": "string"}]}


@pytest.mark.parametrize("protocol", list(MODELS))
async def test_an_admin_task_loads_the_admin_tools_then_changes_the_schema(protocol, fake_provider, directus_reset):
    """The admin tools are offered only once asked for; loading them needs no approval, the change still does."""
    fake_provider.script(
        Step(tool_calls=[Call("admin_tools", {})]),
        Step(tool_calls=[Call("fields", ADD_FIELD)]),
        Step(text="Added the subtitle field."),
        protocol=protocol,
    )
    h = Harness(protocol, fake_provider, directus_reset)
    try:
        task = h.agent.send("Add a subtitle to articles")
        await until(lambda: h.agent.pending)
        (pending,) = h.agent.pending.values()
        assert pending.call.name == "fields" and "articles" in pending.preview.summary
        h.agent.decide(pending.call.id, "approve")
        await asyncio.wait_for(task, 30)
    finally:
        await h.close()

    first, second, third = fake_provider.requests_for()
    assert "admin_tools" in first.tool_names and "fields" not in first.tool_names
    assert {"collections", "fields", "relations", "flows", "operations"} <= second.tool_names
    assert "admin_tools" not in second.tool_names and third.tool_names == second.tool_names
    assert "fields" in tool_outputs(protocol, second.body)[0]  # the loader's result names what it loaded
    with directus_reset.client() as http:
        assert http.get("/fields/articles/subtitle").status_code == 200


async def test_deny_reaches_the_model_and_nothing_changes(fake_provider, directus_reset):
    fake_provider.script(Step(tool_calls=[Call("items", UPDATE)]), Step(text="OK, left as is."), protocol="anthropic")
    h = Harness("anthropic", fake_provider, directus_reset)
    try:
        task = h.agent.send("Retitle article 1")
        await until(lambda: h.agent.pending)
        h.agent.decide(next(iter(h.agent.pending)), "deny")
        await asyncio.wait_for(task, 30)
    finally:
        await h.close()
    assert article_title(directus_reset, 1) != "Retitled by the assistant"
    (result,) = tool_outputs("anthropic", fake_provider.requests_for()[1].body)
    assert "declined" in result


async def test_always_allow_runs_the_next_call_of_that_tool_and_action_without_asking(fake_provider, directus_reset):
    # Issue 12: "Always allow" covers the tool and the action the card showed ("items: update"), not the whole tool.
    second = dict(UPDATE, keys=[2])
    fake_provider.script(
        Step(tool_calls=[Call("items", UPDATE)]),
        Step(tool_calls=[Call("items", second)]),
        Step(text="Both done."),
        protocol="gemini",
    )
    h = Harness("gemini", fake_provider, directus_reset, policy=ApprovalPolicy())
    try:
        task = h.agent.send("Retitle articles 1 and 2")
        await until(lambda: h.agent.pending)
        h.agent.decide(next(iter(h.agent.pending)), "always")
        await asyncio.wait_for(task, 30)
    finally:
        await h.close()
    assert h.policy.allowed == ["items:update"] and h.policy.mode("items") == "ask"
    assert article_title(directus_reset, 2) == "Retitled by the assistant"


async def test_always_allow_on_a_read_does_not_let_an_update_of_that_tool_through(fake_provider, directus_reset):
    """The issue's attack: "Always allow" on an items read set items to always, so the next update ran unasked."""
    fake_provider.script(
        Step(tool_calls=[Call("items", READ)]),
        Step(tool_calls=[Call("items", UPDATE)]),
        Step(text="Done."),
        protocol="chat",
    )
    h = Harness("chat", fake_provider, directus_reset, policy=ApprovalPolicy())
    try:
        task = h.agent.send("Read, then retitle article 1")
        await until(lambda: h.agent.pending)
        (read,) = h.agent.pending.values()
        assert read.preview.action == "read"
        h.agent.decide(read.call.id, "always")
        await until(lambda: h.agent.pending and read.call.id not in h.agent.pending)
        (update,) = h.agent.pending.values()
        assert update.preview.action == "update" and h.policy.allowed == ["items:read"]
        assert article_title(directus_reset, 1) != "Retitled by the assistant"
        h.agent.decide(update.call.id, "deny")
        await asyncio.wait_for(task, 30)
    finally:
        await h.close()
    assert article_title(directus_reset, 1) != "Retitled by the assistant"


async def test_small_updates_that_add_up_to_a_bulk_write_in_one_turn_ask(fake_provider, directus_reset):
    """The issue's leak: with items on always, many updates of 4 keys (bulk starts at 5 per call) ran silently.
    What a turn changes is counted across its calls, parallel ones too: the second 4-key update asks."""
    retitle = {"action": "update", "collection": "articles", "data": {"title": "Bulk by the assistant"}}
    fake_provider.script(
        Step(
            tool_calls=[
                Call("items", dict(retitle, keys=[1, 2, 3, 4])),
                Call("items", dict(retitle, keys=[5, 6, 7, 8])),
            ]
        ),
        Step(text="Done."),
        protocol="responses",
    )
    h = Harness("responses", fake_provider, directus_reset, policy=ApprovalPolicy(modes={"items": "always"}))
    try:
        task = h.agent.send("Retitle articles 1 to 8")
        await until(lambda: h.agent.pending and article_title(directus_reset, 4) == "Bulk by the assistant")
        (pending,) = h.agent.pending.values()
        assert pending.preview.writes == 4 and not pending.preview.bulk
        assert article_title(directus_reset, 5) != "Bulk by the assistant"
        h.agent.decide(pending.call.id, "deny")
        await asyncio.wait_for(task, 30)
    finally:
        await h.close()
    assert article_title(directus_reset, 5) != "Bulk by the assistant"


async def test_step_cap_ends_the_turn_with_a_note(fake_provider, directus):
    fake_provider.script(*[Step(tool_calls=[Call("schema", {})]) for _ in range(3)], protocol="chat")
    h = Harness("chat", fake_provider, directus)
    h.agent.step_cap = 3
    try:
        await asyncio.wait_for(h.agent.send("loop"), 30)
    finally:
        await h.close()
    assert "step limit" in h.agent.conversation.messages[-1].text
    assert len(fake_provider.requests_for()) == 3


async def test_stop_during_streaming_then_next_message_is_well_formed(fake_provider, directus):
    fake_provider.script(
        Step(text="A long answer " * 40, delivery="slow", delay=0.05),
        Step(text="Fresh answer."),
        protocol="responses",
    )
    h = Harness("responses", fake_provider, directus)
    try:
        h.agent.send("talk")
        await until(lambda: len(h.agent.conversation.messages) > 1 and h.agent.conversation.messages[1].text)
        h.agent.stop()
        await h.agent.wait()
        stopped = h.agent.conversation.messages[1]
        assert stopped.status == "stopped" and 0 < len(stopped.text) < len("A long answer " * 40)
        await asyncio.wait_for(h.agent.send("again"), 30)
    finally:
        await h.close()
    assert h.agent.conversation.messages[-1].text == "Fresh answer."


async def test_stop_during_pending_approval_then_next_message_is_well_formed(fake_provider, directus):
    fake_provider.script(Step(tool_calls=[Call("items", UPDATE)]), Step(text="Fine."), protocol="anthropic")
    h = Harness("anthropic", fake_provider, directus)
    try:
        h.agent.send("Retitle article 1")
        await until(lambda: h.agent.pending)
        h.agent.stop()
        await h.agent.wait()
        await asyncio.wait_for(h.agent.send("never mind"), 30)
    finally:
        await h.close()
    assert article_title(directus, 1) != "Retitled by the assistant"
    last = fake_provider.requests_for()[-1].body["messages"]
    results = [
        b
        for m in last
        if m["role"] == "user" and isinstance(m["content"], list)
        for b in m["content"]
        if b.get("type") == "tool_result"
    ]
    assert len(results) == 1 and "not run" in json.dumps(results[0])


async def test_stop_during_a_running_tool(fake_provider, directus, monkeypatch):
    """The tool's HTTP request is cancelled; the call is answered as stopped."""
    fake_provider.script(Step(tool_calls=[Call("items", READ)]), Step(text="ok"), protocol="gemini")
    h = Harness("gemini", fake_provider, directus)
    gate = asyncio.Event()
    real_run = h.agent.tools.run

    async def slow_run(call):
        gate.set()
        await asyncio.sleep(30)
        return await real_run(call)

    monkeypatch.setattr(h.agent.tools, "run", slow_run)
    try:
        h.agent.send("read")
        await asyncio.wait_for(gate.wait(), 10)
        h.agent.stop()
        await asyncio.wait_for(h.agent.wait(), 5)
        monkeypatch.setattr(h.agent.tools, "run", real_run)
        await asyncio.wait_for(h.agent.send("again"), 30)
    finally:
        await h.close()
    result = h.agent.conversation.messages[2].tool_results[0]
    assert result.status == "stopped"
    assert h.agent.conversation.messages[-1].text == "ok"


async def test_retry_after_a_provider_error(fake_provider, directus):
    fake_provider.script(
        Step(error="server_error"),
        Step(error="server_error"),
        Step(error="server_error"),
        Step(text="Back."),
        protocol="chat",
    )
    h = Harness("chat", fake_provider, directus)
    try:
        await asyncio.wait_for(h.agent.send("hello"), 30)
        failed = h.agent.conversation.messages[-1]
        assert failed.error is not None
        assert failed.status == "error" and failed.error.retryable and failed.error.message
        await asyncio.wait_for(h.agent.retry(), 30)
    finally:
        await h.close()
    # The failed answer stays (what it cost counts in the totals; the page hides it), and is never sent again.
    assert [(m.role, m.status) for m in h.agent.conversation.messages] == [
        ("user", "done"),
        ("assistant", "error"),
        ("assistant", "done"),
    ]
    assert h.agent.conversation.messages[-1].text == "Back."
    assert [m["role"] for m in fake_provider.requests_for()[-1].body["messages"]] == ["system", "user"]


async def test_a_tool_error_the_model_recovers_from(fake_provider, directus):
    fake_provider.script(
        Step(tool_calls=[Call("items", {"action": "read", "collection": "nope"})]),  # 403 on every version
        Step(tool_calls=[Call("items", READ)]),
        Step(text="Here they are."),
        protocol="responses",
    )
    h = Harness("responses", fake_provider, directus)
    try:
        await asyncio.wait_for(h.agent.send("list articles"), 30)
    finally:
        await h.close()
    first, second = (m.tool_results[0] for m in h.agent.conversation.messages if m.role == "tool")
    assert first.status == "error" and second.status == "ok"
    assert "error" in tool_outputs("responses", fake_provider.requests_for()[1].body)[0]
    assert h.agent.conversation.messages[-1].text == "Here they are."


# ----- reading what the fake received, per protocol --------------------------------------------------


def tool_outputs(protocol, body):
    """The tool results carried by the latest turn of a request body, as text."""
    if protocol in ("responses", "chat"):
        items, kind = (body["input"], "function_call_output") if protocol == "responses" else (body["messages"], "tool")
        tail: list[dict] = []
        for item in reversed(items):
            if item.get("type", item.get("role")) != kind:
                break
            tail.insert(0, item["output"] if protocol == "responses" else item["content"])
        return tail
    if protocol == "anthropic":
        last = body["messages"][-1]
        return [
            c if isinstance(c, str) else json.dumps(c)
            for b in last["content"]
            if b["type"] == "tool_result"
            for c in [b["content"]]
        ]
    if protocol == "gemini":
        last = body["contents"][-1]
        return [json.dumps(p["functionResponse"]["response"]) for p in last["parts"] if "functionResponse" in p]
    raise AssertionError(protocol)


def assert_reasoning_replayed(protocol, body):
    """The reasoning of step 1 comes back in request 2 the way each provider requires."""
    if protocol == "responses":
        reasoning = [i for i in body["input"] if i.get("type") == "reasoning"]
        assert reasoning and reasoning[0].get("encrypted_content")
    elif protocol == "anthropic":
        assistant = [m for m in body["messages"] if m["role"] == "assistant"][0]
        thinking = [b for b in assistant["content"] if b["type"] == "thinking"]
        assert thinking and thinking[0]["signature"] and assistant["content"][0]["type"] == "thinking"
    elif protocol == "gemini":
        model = [c for c in body["contents"] if c["role"] == "model"][0]
        assert any("thoughtSignature" in p for p in model["parts"] if "functionCall" in p)
    else:  # Chat Completions cannot carry reasoning back: it must not be sent at all
        assert "reasoning" not in json.dumps([m for m in body["messages"] if m["role"] == "assistant"])
