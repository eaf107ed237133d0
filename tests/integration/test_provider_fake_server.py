"""The fake provider server itself: CORS like the real services, request validation, selection, control."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from app.chat.events import ProviderError
from app.chat.model import Message, ToolCallPart, ToolResultPart, tool_results, user
from app.chat.request import ModelRequest
from app.providers import open_provider
from app.providers.openai_chat import ChatCompletionsProvider
from devkit.fake_provider.script import Call, Step
from devkit.transports import HttpxTransport
from tests.doubles import collect


def test_preflight_echoes_requested_headers_and_exposes_retry_after(fake_provider):
    r = httpx.options(
        fake_provider.url + "/v1/messages",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-api-key,anthropic-version,anthropic-dangerous-direct-browser-access,content-type",
        },
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "https://app.example"
    assert (
        r.headers["access-control-allow-headers"]
        == "x-api-key,anthropic-version,anthropic-dangerous-direct-browser-access,content-type"
    )
    fake_provider.script(Step(error="rate_limited", retry_after=2), protocol="chat")
    r = httpx.post(
        fake_provider.url + "/v1/chat/completions",
        headers={"Origin": "https://app.example", "Authorization": "Bearer k"},
        json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert r.status_code == 429 and r.headers["retry-after"] == "2"
    assert "retry-after" in r.headers["access-control-expose-headers"]
    fake_provider.expose_retry_after = False
    r = httpx.post(
        fake_provider.url + "/v1/chat/completions",
        headers={"Origin": "https://app.example", "Authorization": "Bearer k"},
        json={"model": "scenario-rate_limited", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert r.status_code == 429 and "retry-after" not in r.headers["access-control-expose-headers"]


def test_anthropic_from_a_browser_needs_the_opt_in_header(fake_provider):
    r = httpx.post(
        fake_provider.url + "/v1/messages",
        headers={"Origin": "https://app.example", "x-api-key": "k", "anthropic-version": "2023-06-01"},
        json={"model": "claude-haiku-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]},
    )
    assert r.status_code == 401
    assert "anthropic-dangerous-direct-browser-access" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    "path, body, headers, words",
    [
        (
            "/v1/messages",
            {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}]},
            {"x-api-key": "k", "anthropic-version": "2023-06-01"},
            "max_tokens: Field required",
        ),
        (
            "/v1/messages",
            {
                "model": "c",
                "max_tokens": 9,
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
                    {"role": "user", "content": "no result"},
                ],
            },
            {"x-api-key": "k", "anthropic-version": "2023-06-01"},
            "`tool_use` ids were found without `tool_result`",
        ),
        (
            "/v1/chat/completions",
            {
                "model": "m",
                "messages": [
                    {"role": "user", "content": "hi"},
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                    },
                    {"role": "user", "content": "skipped the result"},
                ],
            },
            {"authorization": "Bearer k"},
            "did not have response messages: c1",
        ),
        (
            "/v1/chat/completions",
            {
                "model": "m",
                "messages": [{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "x", "content": "r"}],
            },
            {"authorization": "Bearer k"},
            "must be a response to a preceeding message with 'tool_calls'",
        ),
        (
            "/v1/responses",
            {
                "model": "gpt-5",
                "store": False,
                "input": [
                    {"role": "user", "content": "hi"},
                    {"type": "function_call_output", "call_id": "nope", "output": "x"},
                ],
            },
            {"authorization": "Bearer k"},
            "No tool call found for function call output with call_id nope",
        ),
        (
            "/v1/responses",
            {
                "model": "gpt-5",
                "store": False,
                "input": [
                    {"role": "user", "content": "hi"},
                    {"type": "reasoning", "id": "rs_1", "summary": []},
                    {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
                    {"type": "function_call_output", "call_id": "c", "output": "x"},
                ],
            },
            {"authorization": "Bearer k"},
            "Items are not persisted when `store` is set to false",
        ),
        (
            "/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse",
            {
                "contents": [
                    {"role": "user", "parts": [{"text": "hi"}]},
                    {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]},
                    {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {"ok": 1}}}]},
                ]
            },
            {"x-goog-api-key": "k"},
            "Function call is missing a thought_signature",
        ),
        (
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
            {
                "contents": [
                    {"role": "user", "parts": [{"text": "hi"}]},
                    {
                        "role": "model",
                        "parts": [
                            {"functionCall": {"name": "f", "args": {}}},
                            {"functionCall": {"name": "g", "args": {}}},
                        ],
                    },
                    {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {"ok": 1}}}]},
                ]
            },
            {"x-goog-api-key": "k"},
            "number of function response parts is equal to the number of function call parts",
        ),
    ],
)
def test_malformed_requests_get_the_providers_400(fake_provider, path, body, headers, words):
    fake_provider.script("text")
    r = httpx.post(fake_provider.url + path, headers=headers, json=body)
    assert r.status_code in (400, 404)
    assert words in json.dumps(r.json())
    assert fake_provider.pending() == 1  # the scripted step is still there for the next, valid request


async def test_mistral_rules_are_enforced_and_our_module_satisfies_them(fake_provider, provider_settings):
    history = [
        user("Hi"),
        Message(role="assistant", parts=[ToolCallPart(id="call_from_openai_123", name="f", arguments="{}")]),
        tool_results(ToolResultPart(call_id="call_from_openai_123", name="f", content="ok")),
    ]
    transport = HttpxTransport()
    try:
        provider, model = open_provider("compatible:mistral:mistral-small-latest", provider_settings, transport)
        fake_provider.script("text", protocol="chat")
        _, message = await collect(provider, ModelRequest(model=model.id, system="s", messages=history))
        assert message.text.startswith("Hello!")
        sent = fake_provider.last.body
        assert "stream_options" not in sent and len(sent["messages"][2]["tool_calls"][0]["id"]) == 9
        assert isinstance(provider, ChatCompletionsProvider)
        provider.remap_tool_ids = False
        with pytest.raises(ProviderError) as info:
            await collect(provider, ModelRequest(model=model.id, system="s", messages=history))
        assert info.value.kind == "invalid_request" and "a-z, A-Z, 0-9, with a length of 9" in info.value.message
    finally:
        await transport.aclose()


async def test_scripted_multi_step_tool_loop_and_echo(fake_provider, provider_settings):
    transport = HttpxTransport()
    try:
        provider, model = open_provider("anthropic:claude-haiku-4-5", provider_settings, transport)
        fake_provider.script(Step(tool_calls=[Call("read_items", {"collection": "posts"})]), Step(text="3 posts."))
        _, first = await collect(provider, ModelRequest(model=model.id, system="s", messages=[user("How many?")]))
        results = tool_results(ToolResultPart(call_id=first.tool_calls[0].id, name="read_items", content="[1,2,3]"))
        _, second = await collect(
            provider, ModelRequest(model=model.id, system="s", messages=[user("How many?"), first, results])
        )
        assert second.text == "3 posts."
        # unscripted: echo, and [[call ...]] makes it call tools
        _, echo = await collect(provider, ModelRequest(model=model.id, system="s", messages=[user("ping")]))
        assert echo.text == "You said: ping"
        _, calls = await collect(
            provider,
            ModelRequest(model=model.id, system="s", messages=[user('do [[call read_items {"collection": "x"}]]')]),
        )
        assert [(c.name, json.loads(c.arguments)) for c in calls.tool_calls] == [("read_items", {"collection": "x"})]
        done = tool_results(ToolResultPart(call_id=calls.tool_calls[0].id, name="read_items", content="[]"))
        _, after = await collect(
            provider, ModelRequest(model=model.id, system="s", messages=[user("do it"), calls, done])
        )
        assert after.text == "Done: read_items -> []"
    finally:
        await transport.aclose()


def test_control_endpoints_for_other_processes(fake_provider):
    r = httpx.post(
        fake_provider.url + "/_fake/script", json={"steps": [{"text": "afar", "chunk": 50}], "protocol": "chat"}
    )
    assert r.json() == {"queued": 1} and fake_provider.pending("chat") == 1
    r = httpx.post(
        fake_provider.url + "/v1/chat/completions",
        headers={"authorization": "Bearer k"},
        json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert '"content":"afar"' in r.text
    recorded = httpx.get(fake_provider.url + "/_fake/requests").json()
    assert [(x["path"], x["model"]) for x in recorded] == [("/v1/chat/completions", "m")]


def test_runs_standalone():
    proc = subprocess.Popen(
        [sys.executable, "-m", "devkit.fake_provider.server", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split()[3]
        assert httpx.get(url + "/").json() == {"ok": True, "fake": "providers"}
    finally:
        proc.terminate()
        proc.wait(timeout=5)
