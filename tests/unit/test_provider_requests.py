"""Request bodies each protocol module builds from our conversation model (pure, no HTTP)."""

from __future__ import annotations

import json

from app.chat.model import (
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
    tool_results,
    user,
)
from app.chat.request import ModelRequest
from app.providers import catalog
from app.providers.anthropic import MessagesProvider
from app.providers.gemini import PLACEHOLDER_SIGNATURE, GeminiProvider
from app.providers.openai import ResponsesProvider
from app.providers.openai_chat import ChatCompletionsProvider, mistral_id
from devkit.transports import BytesResponse, MockTransport

T = MockTransport(lambda r: BytesResponse(500))
TOOL = ToolSpec(name="read_items", description="Read", parameters={"type": "object", "properties": {}})


def history(reasoning_provider: str, call_provider: str, details: dict) -> list[Message]:
    return [
        user("Hi"),
        Message(
            role="assistant",
            parts=[
                ReasoningPart(text="thinking", provider=reasoning_provider, provider_details=details),
                TextPart(text="Let me look."),
                ToolCallPart(
                    id="call|1",
                    name="read_items",
                    arguments='{"collection":"posts"}',
                    provider=call_provider,
                    provider_details={"thought_signature": "c2ln"} if call_provider == "gemini" else {},
                ),
            ],
        ),
        tool_results(ToolResultPart(call_id="call|1", name="read_items", content="[1,2]")),
    ]


def req(model: str, messages: list[Message], **kw) -> ModelRequest:
    return ModelRequest(model=model, system="Be brief.", messages=messages, tools=[TOOL], **kw)


def responses(model: str = "gpt-5-mini") -> ResponsesProvider:
    return ResponsesProvider("sk", T, catalog.lookup("openai", model))


def test_responses_replays_only_its_own_encrypted_reasoning():
    own = {"id": "rs_1", "encrypted_content": "gAAAA", "summary": ["thinking"]}
    body = responses().body(req("gpt-5-mini", history("openai", "openai", own)))
    assert body["input"][1] == {
        "type": "reasoning",
        "id": "rs_1",
        "encrypted_content": "gAAAA",
        "summary": [{"type": "summary_text", "text": "thinking"}],
    }
    assert body["instructions"] == "Be brief." and body["store"] is False
    assert body["tools"] == [
        {
            "type": "function",
            "name": "read_items",
            "description": "Read",
            "parameters": {"type": "object", "properties": {}},
            "strict": False,
        }
    ]
    other = responses().body(req("gpt-5-mini", history("anthropic", "anthropic", {"signature": "x"})))
    assert [i.get("type", "message") for i in other["input"]] == [
        "message",
        "message",
        "function_call",
        "function_call_output",
    ]


def test_responses_non_reasoning_model_gets_no_reasoning_parameters():
    body = responses("gpt-4.1-mini").body(req("gpt-4.1-mini", [user("Hi")], reasoning="high"))
    assert "reasoning" not in body and "include" not in body


def test_anthropic_caching_headers_and_cross_provider_reasoning():
    p = MessagesProvider("sk-ant", T, catalog.lookup("anthropic", "claude-haiku-4-5"))
    body = p.body(req("claude-haiku-4-5", history("openai", "openai", {"id": "rs", "encrypted_content": "x"})))
    assert body["system"] == [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert [b["type"] for b in body["messages"][1]["content"]] == ["text", "tool_use"]  # foreign reasoning dropped
    assert body["messages"][1]["content"][1]["id"] == body["messages"][2]["content"][0]["tool_use_id"] == "call_1"
    assert "thinking" not in body and not {"temperature", "top_p", "top_k"} & set(body)
    http = p.build(req("claude-haiku-4-5", [user("Hi")]))
    assert http.url == "https://api.anthropic.com/v1/messages"
    assert set(http.headers) == {
        "content-type",
        "accept",
        "x-api-key",
        "anthropic-version",
        "anthropic-dangerous-direct-browser-access",
    }


def test_anthropic_thinking_budget_fits_under_max_tokens():
    p = MessagesProvider("k", T, catalog.lookup("anthropic", "claude-opus-4-5"))
    body = p.body(req("claude-opus-4-5", [user("Hi")], reasoning="high", max_output_tokens=4000))
    assert body["thinking"]["budget_tokens"] < body["max_tokens"]
    adaptive = MessagesProvider("k", T, catalog.lookup("anthropic", "claude-opus-4-7"))
    body = adaptive.body(req("claude-opus-4-7", [user("Hi")], reasoning="medium"))
    assert body["thinking"] == {"type": "adaptive"} and body["output_config"] == {"effort": "medium"}
    off = adaptive.body(req("claude-opus-4-7", [user("Hi")]))  # no effort chosen: Claude does not think
    assert "thinking" not in off and "output_config" not in off


def test_effort_choices_follow_each_model():
    def choices(provider, model_id):
        return catalog.effort_choices(catalog.lookup(provider, model_id))

    assert choices("anthropic", "claude-sonnet-4-6") == [
        ("", "Thinking off"),
        ("low", "Low"),
        ("medium", "Medium"),
        ("high", "High"),
    ]
    assert choices("openai", "gpt-5.2") == [
        ("", "Default (Off)"),
        ("low", "Low"),
        ("medium", "Medium"),
        ("high", "High"),
        ("xhigh", "Extra high"),
    ]
    assert choices("openai", "gpt-5-mini") == [
        ("", "Default (Medium)"),
        ("minimal", "Minimal"),
        ("low", "Low"),
        ("high", "High"),
    ]
    assert choices("openai", "gpt-4.1") == [] and choices("openai", "gpt-5.2-chat-latest") == []
    assert [v for v, _ in catalog.effort_choices(catalog.custom("local", "qwen3", reasoning=True))] == [
        "",
        "low",
        "medium",
        "high",
    ]


def test_gemini_signatures_and_placeholder_for_foreign_calls():
    p = GeminiProvider("gk", T, catalog.lookup("gemini", "gemini-3-flash-preview"))
    own = p.body(req("gemini-3-flash-preview", history("gemini", "gemini", {"thought_signature": "dGhvdWdodA=="})))
    parts = own["contents"][1]["parts"]
    assert parts[0] == {"text": "thinking", "thought": True, "thoughtSignature": "dGhvdWdodA=="}
    assert parts[2]["thoughtSignature"] == "c2ln"
    assert own["contents"][2]["parts"][0]["functionResponse"] == {"name": "read_items", "response": {"result": [1, 2]}}
    assert own["tools"][0]["functionDeclarations"][0]["parametersJsonSchema"] == TOOL.parameters
    foreign = p.body(req("gemini-3-flash-preview", history("openai", "openai", {})))
    assert foreign["contents"][1]["parts"][-1]["thoughtSignature"] == PLACEHOLDER_SIGNATURE
    assert len(foreign["contents"][1]["parts"]) == 2  # foreign reasoning dropped
    http = p.build(req("gemini-3-flash-preview", [user("Hi")]))
    assert http.url.endswith("/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse")
    assert "key=" not in http.url and http.headers["x-goog-api-key"] == "gk"


def test_gemini_thinking_config_per_model_family():
    flash = GeminiProvider("k", T, catalog.lookup("gemini", "gemini-2.5-flash"))
    assert flash.body(req("gemini-2.5-flash", [user("Hi")], reasoning="none"))["generationConfig"] == {
        "thinkingConfig": {"thinkingBudget": 0}
    }
    g3 = GeminiProvider("k", T, catalog.lookup("gemini", "gemini-3-flash-preview"))
    assert g3.body(req("gemini-3-flash-preview", [user("Hi")], reasoning="low"))["generationConfig"][
        "thinkingConfig"
    ] == {"includeThoughts": True, "thinkingLevel": "low"}


def chat(server: str, base: str = "https://llm.example/v1", **kw) -> ChatCompletionsProvider:
    return ChatCompletionsProvider("compatible:x", base, "key", T, catalog.custom("x", "m"), server=server, **kw)


def test_chat_mistral_remaps_ids_and_drops_stream_options():
    body = chat("mistral").body(req("mistral-small", history("openai", "openai", {})))
    call_id = body["messages"][2]["tool_calls"][0]["id"]
    assert call_id == mistral_id("call|1") and len(call_id) == 9 and call_id.isalnum()
    assert body["messages"][3] == {"role": "tool", "tool_call_id": call_id, "content": "[1,2]"}
    assert "stream_options" not in body
    assert mistral_id("abcDEF123") == "abcDEF123"  # ids that already fit are kept


def test_chat_maps_roles_and_never_sends_reasoning():
    body = chat("generic").body(req("m", history("compatible:x", "compatible:x", {})))
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "tool"]
    assert body["messages"][2]["content"] == "Let me look."
    assert json.loads(body["messages"][2]["tool_calls"][0]["function"]["arguments"]) == {"collection": "posts"}
    assert body["stream_options"] == {"include_usage": True}


def test_chat_urls_and_auth_headers():
    azure = chat("azure", "https://res.openai.azure.com", azure_api_version="2024-10-21").build(
        req("dep", [user("Hi")])
    )
    assert azure.url == "https://res.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21"
    assert azure.headers["api-key"] == "key" and "authorization" not in azure.headers
    v1 = chat("azure", "https://res.openai.azure.com", azure_style="v1").build(req("dep", [user("Hi")]))
    assert v1.url == "https://res.openai.azure.com/openai/v1/chat/completions"
    ollama = ChatCompletionsProvider(
        "compatible:o",
        "http://localhost:11434/v1",
        "",
        T,
        catalog.custom("o", "m"),
        server="ollama",
        headers={"X-Title": "Directus"},
    )
    built = ollama.build(req("m", [user("Hi")]))
    assert built.url == "http://localhost:11434/v1/chat/completions"
    assert "authorization" not in built.headers and built.headers["X-Title"] == "Directus"


def test_an_empty_assistant_message_is_never_sent():
    stopped = [user("Hi"), Message(role="assistant", parts=[TextPart(text="")], status="stopped"), user("Again")]
    for body in (chat("generic").body(req("m", stopped)), responses().body(req("gpt-5-mini", stopped))):
        items = body.get("messages") or body.get("input") or []
        assert [i.get("role") for i in items if i.get("role") != "system"] == ["user", "user"]
