"""Every error class, with the message a user sees, for every protocol (against the fake server)."""

from __future__ import annotations

import pytest

from app.chat.events import ProviderError
from app.chat.model import user
from app.chat.request import ModelRequest
from app.providers import open_provider
from app.settings import CompatibleEndpoint, ProviderAccount, ProviderSettings
from app.transport import NetworkError
from devkit.fake_provider.script import Step
from devkit.transports import BytesResponse, HttpxTransport, MockTransport
from tests.doubles import RecordingSleep, collect

REFS = {
    "responses": "openai:gpt-5-mini",
    "chat": "compatible:local:llama3.2:3b",
    "anthropic": "anthropic:claude-sonnet-4-5",
    "gemini": "gemini:gemini-3-pro-preview",
}
# fake error scenario -> (our kind, retryable, words the user reads)
KINDS = {
    "bad_key": ("bad_key", False, "rejected the API key"),
    "no_access": ("no_access", False, "refused access to"),
    "model_not_found": ("model_not_found", False, "does not know the model"),
    "rate_limited": (
        "rate_limited",
        True,
        "is limiting how many requests this key may send (429). Wait and try again in about 3 s.",
    ),
    "billing": ("billing", False, "out of credits or quota"),
    "overloaded": ("overloaded", True, "is overloaded right now"),
    "server_error": ("server_error", True, "had a server error (500). Try again in a moment."),
    "context_too_long": ("context_too_long", False, "is too long for"),
    "invalid": ("invalid_request", False, "rejected the request (400)."),
}
SETTINGS_HINT = {
    "responses": "Settings \u2192 Providers \u2192 OpenAI",
    "chat": "Settings \u2192 Providers \u2192 OpenAI-compatible \u2192 local",
    "anthropic": "Settings \u2192 Providers \u2192 Anthropic",
    "gemini": "Settings \u2192 Providers \u2192 Google Gemini",
}


@pytest.fixture
async def transport():
    t = HttpxTransport(timeout=10)
    yield t
    await t.aclose()


async def call(ref, settings, transport, sleep=None, max_attempts=1):
    provider, model = open_provider(
        ref, settings, transport, sleep=sleep or RecordingSleep(), max_attempts=max_attempts
    )
    return await collect(provider, ModelRequest(model=model.id, system="s", messages=[user("Hi")]))


@pytest.mark.parametrize("protocol", sorted(REFS))
@pytest.mark.parametrize("scenario", sorted(KINDS))
async def test_http_errors_are_classified_with_plain_words(
    fake_provider, provider_settings, transport, protocol, scenario
):
    kind, retryable, words = KINDS[scenario]
    fake_provider.script(Step(error=scenario, retry_after=3 if scenario == "rate_limited" else None), protocol=protocol)
    with pytest.raises(ProviderError) as info:
        await call(REFS[protocol], provider_settings, transport)
    err = info.value
    assert (err.kind, err.retryable) == (kind, retryable)
    assert words in err.message
    assert err.info().message == err.message and err.info().kind == kind
    if kind == "bad_key":
        assert SETTINGS_HINT[protocol] in err.message
    if kind in ("invalid_request", "context_too_long", "bad_key", "billing"):
        assert "said: \u201c" in err.message  # the provider's own words are shown
    if kind == "model_not_found" and protocol in ("anthropic", "gemini"):
        successor = {"anthropic": "claude-sonnet-4-6", "gemini": "gemini-3.1-pro-preview"}[protocol]
        assert "use %s instead" % successor in err.message


async def test_exact_messages_for_openai(fake_provider, provider_settings, transport):
    fake_provider.script(Step(error="bad_key", message="Incorrect API key provided: sk-abc."), protocol="responses")
    with pytest.raises(ProviderError) as info:
        await call(REFS["responses"], provider_settings, transport)
    assert info.value.message == (
        "OpenAI rejected the API key (401). Check the key in Settings \u2192 Providers \u2192 OpenAI. "
        "OpenAI said: \u201cIncorrect API key provided: sk-abc.\u201d"
    )
    fake_provider.script(Step(error="context_too_long"), protocol="responses")
    with pytest.raises(ProviderError) as info:
        await call(REFS["responses"], provider_settings, transport)
    assert info.value.message.startswith(
        "The conversation is too long for gpt-5-mini's context window. Start a new conversation, or remove older "
        "messages or large tool results, and try again."
    )


async def test_retries_give_up_after_three_attempts(fake_provider, provider_settings, transport):
    sleep = RecordingSleep()
    fake_provider.script("overloaded", "overloaded", "overloaded", "text", protocol="anthropic")
    with pytest.raises(ProviderError) as info:
        await call(REFS["anthropic"], provider_settings, transport, sleep=sleep, max_attempts=3)
    assert info.value.kind == "overloaded" and info.value.message.endswith("(Tried 3 times.)")
    assert sleep.delays == [1.0, 2.0]  # exponential backoff when no hint is given
    assert len(fake_provider.requests_for("anthropic")) == 3


async def test_errors_that_retrying_cannot_fix_are_not_retried(fake_provider, provider_settings, transport):
    sleep = RecordingSleep()
    fake_provider.script("billing", "text", protocol="responses")
    with pytest.raises(ProviderError) as info:
        await call(REFS["responses"], provider_settings, transport, sleep=sleep, max_attempts=3)
    assert info.value.kind == "billing" and sleep.delays == []


async def test_a_long_retry_hint_is_not_waited_for(fake_provider, provider_settings, transport):
    sleep = RecordingSleep()
    fake_provider.script(Step(error="rate_limited", retry_after=600), "text", protocol="chat")
    with pytest.raises(ProviderError) as info:
        await call(REFS["chat"], provider_settings, transport, sleep=sleep, max_attempts=3)
    assert info.value.kind == "rate_limited" and "about 600 s" in info.value.message and sleep.delays == []


async def test_unreadable_retry_after_falls_back_to_backoff():
    """In a browser, retry-after is unreadable unless exposed by CORS: the transport shows no such header."""
    answers = [
        BytesResponse(429, b'{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}'),
        BytesResponse(
            200,
            b'data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
            {"content-type": "text/event-stream"},
        ),
    ]
    transport = MockTransport(lambda request: answers.pop(0))
    sleep = RecordingSleep()
    settings = ProviderSettings(
        compatible=[CompatibleEndpoint(name="x", base_url="https://llm.example/v1", api_key="k")]
    )
    _, message = await call("compatible:x:m", settings, transport, sleep=sleep, max_attempts=3)
    assert message.text == "ok" and sleep.delays == [1.0]


async def test_in_stream_errors_are_classified_by_type_not_http_status(fake_provider, provider_settings, transport):
    fake_provider.script(Step(text="Half", fail_after="rate_limited"), protocol="anthropic")
    with pytest.raises(ProviderError) as info:
        await call(REFS["anthropic"], provider_settings, transport)
    assert info.value.kind == "rate_limited"
    fake_provider.script(Step(text="Half", fail_after="server_error"), protocol="chat")
    with pytest.raises(ProviderError) as info:
        await call(REFS["chat"], provider_settings, transport)
    assert info.value.kind == "server_error" and "Provider disconnected unexpectedly" in info.value.message


def failing_transport() -> MockTransport:
    def handler(request):
        raise NetworkError("TypeError: Failed to fetch")

    return MockTransport(handler)


@pytest.mark.parametrize(
    "base_url, kind, words",
    [
        ("http://localhost:11434/v1", "auto", "OLLAMA_ORIGINS"),
        ("http://192.168.1.20:8080/v1", "ollama", "OLLAMA_ORIGINS"),
        ("http://localhost:1234/v1", "auto", "Enable CORS"),
        ("https://llm.example.com/v1", "auto", "that it allows requests from this page's address (CORS)"),
    ],
)
async def test_network_or_cors_failure_says_what_to_check(base_url, kind, words):
    settings = ProviderSettings(compatible=[CompatibleEndpoint(name="box", base_url=base_url, kind=kind)])
    with pytest.raises(ProviderError) as info:
        await call("compatible:box:llama3", settings, failing_transport())
    err = info.value
    assert err.kind == "network" and not err.retryable
    assert err.message.startswith(
        "Could not reach the endpoint \u201cbox\u201d at %s: the network failed or the "
        "browser blocked the request (CORS)." % base_url
    )
    assert words in err.message


async def test_network_failure_for_a_first_party_provider():
    settings = ProviderSettings(openai=ProviderAccount(api_key="sk"))
    with pytest.raises(ProviderError) as info:
        await call("openai:gpt-5", settings, failing_transport())
    assert info.value.kind == "network"
    assert info.value.message == (
        "Could not reach OpenAI at https://api.openai.com/v1: the network failed or the browser "
        "blocked the request (CORS). Check your internet connection, then try again."
    )


async def test_connection_refused_over_real_http(transport):
    settings = ProviderSettings(gemini=ProviderAccount(api_key="k", base_url="http://127.0.0.1:9"))
    with pytest.raises(ProviderError) as info:
        await call("gemini:gemini-2.5-flash", settings, transport)
    assert info.value.kind == "network" and "base URL override (http://127.0.0.1:9)" in info.value.message


@pytest.mark.parametrize(
    "ref, where",
    [
        ("openai:gpt-5", "Settings \u2192 Providers \u2192 OpenAI"),
        ("anthropic:claude-haiku-4-5", "Settings \u2192 Providers \u2192 Anthropic"),
        ("google:gemini-2.5-pro", "Settings \u2192 Providers \u2192 Google Gemini"),
    ],
)
def test_missing_key_says_where_to_set_it(ref, where):
    with pytest.raises(ProviderError) as info:
        open_provider(ref, ProviderSettings(), MockTransport(lambda r: BytesResponse(500)))
    assert info.value.kind == "no_key"
    assert info.value.message.endswith("Add one in %s." % where)


def test_unknown_endpoint_is_explained():
    with pytest.raises(ProviderError) as info:
        open_provider("compatible:nope:m", ProviderSettings(), MockTransport(lambda r: BytesResponse(500)))
    assert "no OpenAI-compatible endpoint named \u201cnope\u201d" in info.value.message


@pytest.mark.parametrize(
    "blocked, start",
    [
        (
            True,
            "The endpoint \u201cbox\u201d at http://localhost:11434/v1 answered, but the browser blocked the response: "
            "it does not allow requests from https://assistant.example (CORS).",
        ),
        (False, "Could not reach the endpoint \u201cbox\u201d at http://localhost:11434/v1: nothing answered."),
    ],
)
async def test_the_transport_probe_tells_cors_from_unreachable(blocked, start):
    def handler(request):
        raise NetworkError("TypeError: Failed to fetch", blocked=blocked, origin="https://assistant.example")

    settings = ProviderSettings(compatible=[CompatibleEndpoint(name="box", base_url="http://localhost:11434/v1")])
    with pytest.raises(ProviderError) as info:
        await call("compatible:box:llama3", settings, MockTransport(handler))
    assert info.value.message.startswith(start)
    assert "OLLAMA_ORIGINS set to https://assistant.example" in info.value.message
