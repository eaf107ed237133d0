"""Each provider module over a real HTTP transport against the fake server: events, messages, request bodies."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.chat.events import Finish, ProviderError, TextDelta
from app.chat.model import Message, ToolResultPart, ToolSpec, user
from app.chat.request import ModelRequest
from app.providers import open_provider
from devkit.fake_provider.script import Call, Step
from devkit.transports import HttpxTransport
from tests.doubles import RecordingSleep, collect, until

# name -> (model ref, fake protocol queue, recorded protocol)
PROTOCOLS = {
    "responses": ("openai:gpt-5-mini", "responses", "responses"),
    "chat": ("compatible:local:llama3.2:3b", "chat", "chat"),
    "azure": ("compatible:azure:my-gpt4o-deployment", "chat", "azure"),
    "anthropic": ("anthropic:claude-haiku-4-5", "anthropic", "anthropic"),
    "gemini": ("gemini:gemini-3-flash-preview", "gemini", "gemini"),
}
TOOLS = [
    ToolSpec(
        name="read_items",
        description="Read items of a collection",
        parameters={"type": "object", "properties": {"collection": {"type": "string"}}, "required": ["collection"]},
    ),
    ToolSpec(name="read_collections", description="List collections", parameters={"type": "object", "properties": {}}),
]


@pytest.fixture
async def transport():
    t = HttpxTransport(timeout=10)
    yield t
    await t.aclose()


def request_for(ref: str, messages, **kw) -> ModelRequest:
    model_id = ref.split(":", 2)[-1] if ref.startswith("compatible:") else ref.split(":", 1)[1]
    return ModelRequest(model=model_id, system="You are a Directus assistant.", messages=messages, tools=TOOLS, **kw)


@pytest.fixture(params=sorted(PROTOCOLS))
def proto(request):
    return request.param


async def run(fake, settings, transport, name, *steps, messages=None, **kw):
    ref, queue, _ = PROTOCOLS[name]
    fake.script(*steps, protocol=queue)
    provider, model = open_provider(ref, settings, transport, sleep=kw.pop("sleep", RecordingSleep()))
    return provider, await collect(provider, request_for(ref, messages or [user("Hi")], **kw))


async def test_text_answer(fake_provider, provider_settings, transport, proto):
    step = Step(text="Hello from the fake, with \u00e9 and \U0001f600.")
    provider, (events, message) = await run(fake_provider, provider_settings, transport, proto, step)
    assert message.text == step.text
    assert isinstance(events[-1], Finish) and events[-1].reason == "stop"
    assert sum(isinstance(e, TextDelta) for e in events) > 1  # streamed, not whole
    assert message.usage is not None and message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert message.finish_reason == "stop"


async def test_reasoning_then_tool_call(fake_provider, provider_settings, transport, proto):
    step = Step(reasoning="I need the posts first.", tool_calls=[Call("read_items", {"collection": "posts"})])
    provider, (events, message) = await run(fake_provider, provider_settings, transport, proto, step, reasoning="low")
    assert [e.reason for e in events if isinstance(e, Finish)] == ["tool_calls"]
    (call,) = message.tool_calls
    assert call.name == "read_items" and json.loads(call.arguments) == {"collection": "posts"}
    assert call.provider == provider.name
    reasoning = [p for p in message.parts if p.kind == "reasoning"]
    assert "".join(p.text for p in reasoning) == "I need the posts first."
    kinds = [type(e).__name__ for e in events]
    assert (
        kinds.index("ReasoningDelta")
        < kinds.index("ToolCallStart")
        < kinds.index("ToolCallDone")
        < kinds.index("Finish")
    )


async def test_parallel_tool_calls(fake_provider, provider_settings, transport, proto):
    provider, (events, message) = await run(fake_provider, provider_settings, transport, proto, "parallel_tool_calls")
    assert message.text == "Let me look at both."
    assert [(c.name, json.loads(c.arguments)) for c in message.tool_calls] == [
        ("read_items", {"collection": "posts", "filter": {"status": {"_eq": "published"}}}),
        ("read_collections", {}),
    ]
    assert len({c.id for c in message.tool_calls}) == 2
    assert message.finish_reason == "tool_calls"


async def test_tool_loop_replays_history_the_provider_accepts(fake_provider, provider_settings, transport, proto):
    """Two steps: tool call, then the answer. The fake validates the second request like the real service."""
    ref, queue, recorded = PROTOCOLS[proto]
    first = Step(
        reasoning="Let me check.",
        tool_calls=[Call("read_items", {"collection": "posts"}), Call("read_collections", {})],
    )
    provider, (_, assistant) = await run(fake_provider, provider_settings, transport, proto, first, reasoning="low")
    results = Message(
        role="tool",
        parts=[
            ToolResultPart(call_id=assistant.tool_calls[0].id, name="read_items", content='{"data": [{"id": 1}]}'),
            ToolResultPart(
                call_id=assistant.tool_calls[1].id, name="read_collections", content="permission denied", status="error"
            ),
        ],
    )
    history = [user("How many posts?"), assistant, results]
    fake_provider.script(Step(text="There is 1 post."), protocol=queue)
    _, message = await collect(provider, request_for(ref, history, reasoning="low"))
    assert message.text == "There is 1 post."
    body = fake_provider.requests_for(recorded)[-1].body
    if proto == "responses":
        kinds = [i.get("type", "message") for i in body["input"]]
        assert kinds == [
            "message",
            "reasoning",
            "function_call",
            "function_call",
            "function_call_output",
            "function_call_output",
        ]
        assert body["input"][1]["encrypted_content"].startswith("gAAAA")
        assert body["store"] is False and body["include"] == ["reasoning.encrypted_content"]
        assert body["reasoning"] == {"summary": "auto", "effort": "low"}
    elif proto in ("chat", "azure"):
        roles = [m["role"] for m in body["messages"]]
        assert roles == ["system", "user", "assistant", "tool", "tool"]
        assert [c["id"] for c in body["messages"][2]["tool_calls"]] == [m["tool_call_id"] for m in body["messages"][3:]]
    elif proto == "anthropic":
        content = body["messages"][1]["content"]
        assert [b["type"] for b in content] == ["thinking", "tool_use", "tool_use"]
        assert content[0]["signature"] and content[0]["thinking"] == "Let me check."
        tool_results = body["messages"][2]["content"]
        assert [b["type"] for b in tool_results] == ["tool_result", "tool_result"]
        assert "is_error" not in tool_results[0] and tool_results[1]["is_error"] is True
        assert tool_results[-1]["cache_control"] == {"type": "ephemeral"}
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
        assert not {"temperature", "top_p", "top_k"} & set(body)
    elif proto == "gemini":
        model_parts = body["contents"][1]["parts"]
        calls = [p for p in model_parts if "functionCall" in p]
        assert calls[0]["thoughtSignature"] and "thoughtSignature" not in calls[1]
        responses = body["contents"][2]["parts"]
        assert responses[0]["functionResponse"] == {"name": "read_items", "response": {"data": [{"id": 1}]}}
        assert responses[1]["functionResponse"]["response"] == {"error": "permission denied"}


async def test_headers_and_key_go_only_to_their_provider(fake_provider, provider_settings, transport, proto):
    ref, _, recorded = PROTOCOLS[proto]
    await run(fake_provider, provider_settings, transport, proto, "text")
    req = fake_provider.requests_for(recorded)[-1]
    keys = {"sk-openai-test", "sk-ant-test", "gemini-test-key", "local-key", "azure-key", "mistral-key"}
    sent = " ".join(list(req.headers.values()) + [req.path] + list(req.query.values()))
    own = {
        "responses": "sk-openai-test",
        "chat": "local-key",
        "azure": "azure-key",
        "anthropic": "sk-ant-test",
        "gemini": "gemini-test-key",
    }[proto]
    assert own in sent
    assert not {k for k in keys - {own} if k in sent}
    assert "key" not in req.query  # never in the URL
    expected = {
        "responses": {"authorization": "Bearer sk-openai-test"},
        "chat": {"authorization": "Bearer local-key"},
        "azure": {"api-key": "azure-key"},
        "anthropic": {
            "x-api-key": "sk-ant-test",
            "anthropic-version": "2023-06-01",
            "anthropic-dangerous-direct-browser-access": "true",
        },
        "gemini": {"x-goog-api-key": "gemini-test-key"},
    }[proto]
    for k, v in expected.items():
        assert req.header(k) == v
    assert not any(h.startswith("x-stainless") for h in req.headers)


async def test_truncated_stream_is_an_error(fake_provider, provider_settings, transport, proto):
    with pytest.raises(ProviderError) as info:
        await run(fake_provider, provider_settings, transport, proto, Step(text="This never ends", truncate=True))
    assert info.value.kind == "truncated"
    assert "cut off before it finished" in info.value.message


async def test_error_in_the_middle_of_the_stream(fake_provider, provider_settings, transport, proto):
    sleep = RecordingSleep()
    with pytest.raises(ProviderError) as info:
        await run(
            fake_provider,
            provider_settings,
            transport,
            proto,
            Step(text="I started", fail_after="overloaded"),
            sleep=sleep,
        )
    assert info.value.kind in ("overloaded", "server_error")
    assert sleep.delays == []  # never retried once the user saw part of the answer
    assert len(fake_provider.requests_for()) == 1


async def test_byte_at_a_time_delivery(fake_provider, provider_settings, transport, proto):
    provider, (events, message) = await run(fake_provider, provider_settings, transport, proto, "bytes")
    assert message.text == "Byte by byte: \u00e9\u00e8 \u20ac \U0001f600."


async def test_rate_limit_is_retried_with_the_providers_hint(fake_provider, provider_settings, transport, proto):
    sleep = RecordingSleep()
    fake_provider.script(
        Step(error="rate_limited", retry_after=2),
        Step(error="overloaded"),
        PROTOCOLS[proto][1] and "text",
        protocol=PROTOCOLS[proto][1],
    )
    ref = PROTOCOLS[proto][0]
    provider, _ = open_provider(ref, provider_settings, transport, sleep=sleep)
    events, message = await collect(provider, request_for(ref, [user("Hi")]))
    assert message.text.startswith("Hello!")
    assert sleep.delays[0] == 2.0  # retry-after header, or Gemini's RetryInfo
    assert len(sleep.delays) == 2 and len(fake_provider.requests_for()) == 3


async def test_cancelling_the_consumer_stops_the_request(fake_provider, provider_settings, transport, proto):
    ref, queue, _ = PROTOCOLS[proto]
    fake_provider.script(Step(text="x" * 400, chunk=4, delivery="slow", delay=0.02), protocol=queue)
    provider, _ = open_provider(ref, provider_settings, transport)
    got = []

    async def consume() -> None:
        async for event in provider.stream(request_for(ref, [user("Hi")])):
            got.append(event)

    task = asyncio.create_task(consume())
    await until(lambda: any(isinstance(e, TextDelta) for e in got))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not any(isinstance(e, Finish) for e in got)
