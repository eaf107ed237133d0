"""The official SDKs as oracles: pointed at the fake server, they must parse every scenario, and our modules
must agree with them on text, reasoning, tool calls (names and parsed arguments), usage and errors.

This is the proof that the fake speaks the real protocols (so tests against it mean something), and that
our thin clients read them the way the vendors' own code does.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from typing import Any, Optional

import anthropic
import httpx
import openai
import pytest
from anthropic.types import ToolParam
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as gtypes
from openai.types.responses import FunctionToolParam

from app.chat.events import ProviderError
from app.chat.model import ToolSpec, user
from app.chat.request import ModelRequest
from app.providers import open_provider
from devkit.fake_provider.script import SCENARIOS
from devkit.transports import HttpxTransport
from tests.doubles import RecordingSleep, collect

TOOLS = [
    ToolSpec(
        name="read_items",
        description="Read items",
        parameters={"type": "object", "properties": {"collection": {"type": "string"}}},
    ),
    ToolSpec(name="read_collections", description="List collections", parameters={"type": "object", "properties": {}}),
]
CONTENT_SCENARIOS = [
    "text",
    "unicode",
    "reasoning",
    "tool_call",
    "reasoning_tool_call",
    "parallel_tool_calls",
    "bytes",
    "length",
]
ERROR_SCENARIOS = [
    "bad_key",
    "no_access",
    "model_not_found",
    "rate_limited",
    "overloaded",
    "server_error",
    "context_too_long",
    "invalid",
    "mid_stream_error",
]
PROTOCOLS = {
    # name: (our model ref, fake queue, model id)
    "responses": ("openai:gpt-5-mini", "responses", "gpt-5-mini"),
    "chat": ("compatible:local:gpt-4o-mini", "chat", "gpt-4o-mini"),
    "azure": ("compatible:azure:my-deployment", "chat", "my-deployment"),
    "anthropic": ("anthropic:claude-haiku-4-5", "anthropic", "claude-haiku-4-5"),
    "gemini": ("gemini:gemini-3-flash-preview", "gemini", "gemini-3-flash-preview"),
}


@dataclass
class Outcome:
    text: str = ""
    reasoning: Optional[str] = None  # None: this side cannot see reasoning (Chat SDK)
    calls: tuple = ()
    usage: tuple = ()  # (input incl. cached, output incl. reasoning, cached, reasoning or None)
    error_status: Optional[int] = None


# --- the SDK side -------------------------------------------------------------------------------------


def sdk_responses(url: str, model: str) -> Outcome:
    client = openai.OpenAI(base_url=url + "/v1", api_key="sk-test", max_retries=0)
    tools: list[FunctionToolParam] = [
        {"type": "function", "name": t.name, "description": t.description, "parameters": t.parameters, "strict": False}
        for t in TOOLS
    ]
    with client.responses.stream(
        model=model,
        input=[{"role": "user", "content": "Hi"}],
        instructions="s",
        tools=tools,
        store=False,
        include=["reasoning.encrypted_content"],
        reasoning={"summary": "auto"},
    ) as stream:
        final = None
        for event in stream:
            if event.type in ("response.completed", "response.incomplete"):
                final = event.response  # the stream helper only accepts response.completed
            elif event.type in ("response.failed", "error"):
                raise SDKStreamError(event.type)
    assert final is not None, "no response.completed or response.incomplete event"
    r = final
    reasoning = "\n\n".join(s.text for item in r.output if item.type == "reasoning" for s in item.summary)
    calls = tuple((i.name, json.loads(i.arguments)) for i in r.output if i.type == "function_call")
    u = r.usage
    assert u is not None, "no usage in the final response"
    return Outcome(
        r.output_text,
        reasoning,
        calls,
        (
            u.input_tokens,
            u.output_tokens,
            u.input_tokens_details.cached_tokens,
            u.output_tokens_details.reasoning_tokens,
        ),
    )


def _chat_outcome(client: Any, model: str) -> Outcome:
    tools = [
        {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
        for t in TOOLS
    ]
    with client.chat.completions.stream(
        model=model,
        messages=[{"role": "system", "content": "s"}, {"role": "user", "content": "Hi"}],
        tools=tools,
        stream_options={"include_usage": True},
    ) as stream:
        for _ in stream:
            pass
        try:
            c = stream.get_final_completion()
        except openai.LengthFinishReasonError as exc:  # the helper refuses to "parse" a cut answer; it still has it
            c = exc.completion
    m = c.choices[0].message
    calls = tuple((t.function.name, json.loads(t.function.arguments)) for t in m.tool_calls or [])
    u = c.usage
    return Outcome(
        m.content or "",
        None,
        calls,
        (
            u.prompt_tokens,
            u.completion_tokens,
            u.prompt_tokens_details.cached_tokens,
            u.completion_tokens_details.reasoning_tokens,
        ),
    )


def sdk_chat(url: str, model: str) -> Outcome:
    return _chat_outcome(openai.OpenAI(base_url=url + "/v1", api_key="sk-test", max_retries=0), model)


def sdk_azure(url: str, model: str) -> Outcome:
    client = openai.AzureOpenAI(azure_endpoint=url, api_key="azure-key", api_version="2024-10-21", max_retries=0)
    return _chat_outcome(client, model)


def sdk_anthropic(url: str, model: str) -> Outcome:
    client = anthropic.Anthropic(base_url=url, api_key="sk-ant", max_retries=0)
    tools: list[ToolParam] = [
        {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in TOOLS
    ]
    with client.messages.stream(
        model=model, max_tokens=4096, system="s", tools=tools, messages=[{"role": "user", "content": "Hi"}]
    ) as stream:
        m = stream.get_final_message()
    text = "".join(b.text for b in m.content if b.type == "text")
    reasoning = "".join(b.thinking for b in m.content if b.type == "thinking")
    calls = tuple((b.name, b.input) for b in m.content if b.type == "tool_use")
    u = m.usage
    total = u.input_tokens + (u.cache_creation_input_tokens or 0) + (u.cache_read_input_tokens or 0)
    return Outcome(text, reasoning, calls, (total, u.output_tokens, u.cache_read_input_tokens or 0, None))


def sdk_gemini(url: str, model: str) -> Outcome:
    client = genai.Client(api_key="gk", http_options=gtypes.HttpOptions(base_url=url, api_version="v1beta"))
    config = gtypes.GenerateContentConfig(
        system_instruction="s",
        tools=[
            gtypes.Tool(
                function_declarations=[
                    gtypes.FunctionDeclaration(
                        name=t.name, description=t.description, parameters_json_schema=t.parameters
                    )
                    for t in TOOLS
                ]
            )
        ],
        thinking_config=gtypes.ThinkingConfig(include_thoughts=True),
        automatic_function_calling=gtypes.AutomaticFunctionCallingConfig(disable=True),
    )
    text, reasoning, calls, usage = "", "", [], None
    for chunk in client.models.generate_content_stream(model=model, contents="Hi", config=config):
        for part in (
            (chunk.candidates[0].content.parts or []) if chunk.candidates and chunk.candidates[0].content else []
        ):
            if part.function_call:
                calls.append((part.function_call.name, dict(part.function_call.args or {})))
            elif part.thought:
                reasoning += part.text or ""
            elif part.text:
                text += part.text
        usage = chunk.usage_metadata or usage
    assert usage is not None, "no usage metadata in the stream"
    thoughts = usage.thoughts_token_count or 0
    return Outcome(
        text,
        reasoning,
        tuple(calls),
        (
            usage.prompt_token_count,
            (usage.candidates_token_count or 0) + thoughts,
            usage.cached_content_token_count or 0,
            thoughts,
        ),
    )


SDK = {
    "responses": sdk_responses,
    "chat": sdk_chat,
    "azure": sdk_azure,
    "anthropic": sdk_anthropic,
    "gemini": sdk_gemini,
}


class SDKStreamError(Exception):
    """The Responses stream helper reports response.failed only as a missing response.completed."""


SDK_ERRORS = (SDKStreamError, openai.APIError, anthropic.APIError, genai_errors.APIError, httpx.HTTPError)


def sdk_status(exc: BaseException) -> Optional[int]:
    for attr in ("status_code", "code"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    return 200  # an error inside an HTTP 200 stream


# --- our side -------------------------------------------------------------------------------------------


async def ours(settings: Any, name: str) -> Outcome:
    ref, _, model = PROTOCOLS[name]
    transport = HttpxTransport(timeout=10)
    try:
        provider, _ = open_provider(ref, settings, transport, sleep=RecordingSleep(), max_attempts=1)
        _, message = await collect(provider, ModelRequest(model=model, system="s", messages=[user("Hi")], tools=TOOLS))
    finally:
        await transport.aclose()
    reasoning = [p.text for p in message.parts if p.kind == "reasoning" and p.text]
    u = message.usage
    assert u is not None, f"{name}: the answer carries no usage"
    return Outcome(
        message.text,
        "\n\n".join(reasoning) if name != "anthropic" else "".join(reasoning),
        tuple((c.name, json.loads(c.arguments)) for c in message.tool_calls),
        (u.input_tokens, u.output_tokens, u.cached_tokens, u.reasoning_tokens),
    )


@pytest.mark.parametrize("scenario", CONTENT_SCENARIOS)
@pytest.mark.parametrize("name", sorted(PROTOCOLS))
async def test_sdk_and_our_module_agree(fake_provider, provider_settings, name, scenario):
    _, queue, model = PROTOCOLS[name]
    # fixed token counts: the SDK's request body differs from ours, and the fake's default counts follow its size
    step = replace(
        SCENARIOS[scenario],
        usage={"input_tokens": 120, "output_tokens": 30, "cached_tokens": 100, "cache_write_tokens": 5},
    )
    fake_provider.script(step, protocol=queue)
    expected = await asyncio.to_thread(SDK[name], fake_provider.url, model)
    fake_provider.script(step, protocol=queue)
    got = await ours(provider_settings, name)
    assert expected.text == got.text == step.text
    assert [c[0] for c in got.calls] == [c.name for c in step.tool_calls]
    assert expected.calls == got.calls
    if expected.reasoning is not None:
        assert expected.reasoning == got.reasoning
    if step.reasoning:
        assert got.reasoning == step.reasoning  # also for Chat, where the SDK cannot see it
    usage_ours = got.usage if expected.usage[3] is not None else got.usage[:3] + (None,)
    assert expected.usage == usage_ours and got.usage[0] > 0


@pytest.mark.parametrize("scenario", ERROR_SCENARIOS)
@pytest.mark.parametrize("name", sorted(PROTOCOLS))
async def test_sdk_and_our_module_agree_on_errors(fake_provider, provider_settings, name, scenario):
    _, queue, model = PROTOCOLS[name]
    fake_provider.script(scenario, protocol=queue)
    with pytest.raises(SDK_ERRORS) as sdk_info:
        await asyncio.to_thread(SDK[name], fake_provider.url, model)
    fake_provider.script(scenario, protocol=queue)
    with pytest.raises(ProviderError) as info:
        await ours(provider_settings, name)
    ours_status = info.value.status or 200
    if scenario == "mid_stream_error":
        assert info.value.kind == "overloaded"
    else:
        assert ours_status == sdk_status(sdk_info.value)
