"""A provider error that echoes a key never carries it into the message a user sees, stores and exports.

Bodies as the servers send them (OpenAI's masked key, Google's consumer id, a LiteLLM proxy's "sk-...5678"), and
as a hostile endpoint could (the whole key, or a piece of it), through each protocol's provider: the error is
made in one place (app/providers/errors.py), which hides keys with app/providers/redact.py.
"""

from __future__ import annotations

import json
from typing import AsyncIterator, Mapping, Optional, Union

import pytest

from app.chat.events import ProviderError
from app.chat.model import user
from app.chat.request import ModelRequest
from app.providers import catalog
from app.providers.anthropic import MessagesProvider
from app.providers.errors import ErrorContext, http_error
from app.providers.gemini import GeminiProvider
from app.providers.openai import ResponsesProvider
from app.providers.openai_chat import ChatCompletionsProvider
from app.providers.redact import HIDDEN, hide_keys
from app.providers.streaming import StreamingProvider
from app.transport import NetworkError, Request

OPENAI_KEY = "sk-proj-Q9xv3LmP0aZ7rT2sYbN4kW8eH1cJ6uF5dG0iO3pA-bcXyZ_Kq7TwmRsd91abcd"
ANTHROPIC_KEY = "sk-ant-api03-Zr8K2mQv7LpX0nB4cT6yW1sH9dJ3fG5aE-uIoPkLmNbVcXzQ_w1eR2tY3uI4oP5aS6dF7gH8jK9lA-AA"
GEMINI_KEY = "AIzaSyD4k2Lm9Qx7Vb3Np8Rt1Wc6Yh0Zj5Ue2Fs"
PROXY_KEY = "sk-litellm-7f3a9c1e5b2d8f4a6c0e9b3d7f1a5c2e"
MISTRAL_KEY = "q7Wm2Xk9Lp4Rt8Vz3Nb6Hc1Jd5Fg0Sa2"  # no prefix: only "the request's own key" can recognise it


class Answer:
    def __init__(self, status: int, body: Union[bytes, list[bytes]], content_type: str = "application/json"):
        self.status = status
        self.headers: Mapping[str, str] = {"content-type": content_type}
        self._chunks = [body] if isinstance(body, bytes) else body

    async def stream(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk

    async def read(self) -> bytes:
        return b"".join(self._chunks)

    async def aclose(self) -> None:
        pass


class OneAnswer:
    """A transport that answers every request with the same response (or raises NetworkError)."""

    def __init__(self, answer: Union[Answer, NetworkError]):
        self.answer = answer
        self.sent: list[Request] = []

    async def send(self, request: Request) -> Answer:
        self.sent.append(request)
        if isinstance(self.answer, NetworkError):
            raise self.answer
        return self.answer


def sse(*events: object) -> bytes:
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)


def provider(
    protocol: str, transport: OneAnswer, key: str, headers: Optional[dict[str, str]] = None
) -> StreamingProvider:
    if protocol == "responses":
        return ResponsesProvider(key, transport, catalog.lookup("openai", "gpt-5-mini"), max_attempts=1)
    if protocol == "anthropic":
        return MessagesProvider(key, transport, catalog.lookup("anthropic", "claude-sonnet-4-5"), max_attempts=1)
    if protocol == "gemini":
        return GeminiProvider(key, transport, catalog.lookup("gemini", "gemini-2.5-flash"), max_attempts=1)
    return ChatCompletionsProvider(
        "compatible:proxy",
        "https://llm.example.com/v1",
        key,
        transport,
        catalog.custom("proxy", "llama3"),
        headers=headers,
        max_attempts=1,
    )


async def error_of(p: StreamingProvider) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        async for _ in p.stream(ModelRequest(model=p.model.id, system="s", messages=[user("Hi")])):
            pass
    return info.value


def assert_hidden(err: ProviderError, *secrets: str, leaks: tuple[str, ...] = ()) -> None:
    shown = [err.message, err.info().message, err.detail or "", str(err), err.info().model_dump_json()]
    for text in shown:
        for secret in secrets:
            assert secret not in text
        for leak in leaks:
            assert leak not in text, text
    assert HIDDEN in err.message


# ----- each protocol, with the body its server really sends ------------------------------------------------------

OPENAI_401 = {
    "error": {
        "message": "Incorrect API key provided: sk-proj-"
        + "*" * 156
        + "abcd. You can find your API key at https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
}


async def test_openai_masked_key_in_a_401_is_hidden_and_the_rest_stays_readable():
    err = await error_of(provider("responses", OneAnswer(Answer(401, json.dumps(OPENAI_401).encode())), OPENAI_KEY))
    assert err.kind == "bad_key"
    assert_hidden(err, OPENAI_KEY, leaks=("sk-proj-", "****", "abcd."))
    assert "Incorrect API key provided: [key hidden]. You can find your API key at" in err.message
    assert "https://platform.openai.com/account/api-keys" in err.message  # the provider's advice stays


async def test_openai_in_stream_error_with_the_whole_key_is_hidden():
    body = sse({"type": "error", "error": {"type": "invalid_request_error", "message": "bad key " + OPENAI_KEY}})
    err = await error_of(provider("responses", OneAnswer(Answer(200, body, "text/event-stream")), OPENAI_KEY))
    assert_hidden(err, OPENAI_KEY, leaks=(OPENAI_KEY[-12:],))


async def test_gemini_suspended_consumer_names_the_key_and_it_is_hidden():
    body = {
        "error": {
            "code": 403,
            "message": "Permission denied: Consumer 'api_key:%s' has been suspended." % GEMINI_KEY,
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "CONSUMER_SUSPENDED",
                    "domain": "googleapis.com",
                    "metadata": {"consumer": "projects/123456", "service": "generativelanguage.googleapis.com"},
                }
            ],
        }
    }
    err = await error_of(provider("gemini", OneAnswer(Answer(403, json.dumps(body).encode())), GEMINI_KEY))
    assert err.kind == "no_access"
    assert_hidden(err, GEMINI_KEY, leaks=("AIza",))
    assert "Consumer 'api_key:[key hidden]' has been suspended" in err.message


async def test_gemini_key_in_a_quoted_url_is_hidden():
    body = [{"error": {"code": 400, "message": "Invalid URL .../models/x?key=%s&alt=sse" % GEMINI_KEY}}]
    err = await error_of(provider("gemini", OneAnswer(Answer(400, json.dumps(body).encode())), GEMINI_KEY))
    assert_hidden(err, GEMINI_KEY)


async def test_anthropic_error_event_from_a_hostile_base_url_echoing_the_key_is_hidden():
    body = sse(
        {"type": "message_start", "message": {"usage": {"input_tokens": 3}}},
        {"type": "error", "error": {"type": "authentication_error", "message": "x-api-key %s expired" % ANTHROPIC_KEY}},
    )
    err = await error_of(provider("anthropic", OneAnswer(Answer(200, body, "text/event-stream")), ANTHROPIC_KEY))
    assert err.kind == "bad_key"
    assert_hidden(err, ANTHROPIC_KEY, leaks=("sk-ant-", ANTHROPIC_KEY[20:40]))


async def test_anthropic_own_401_echoes_nothing_and_reads_as_before():
    body = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
    err = await error_of(provider("anthropic", OneAnswer(Answer(401, json.dumps(body).encode())), ANTHROPIC_KEY))
    assert err.message.endswith("Anthropic said: \u201cinvalid x-api-key\u201d")
    assert HIDDEN not in err.message


async def test_a_litellm_proxy_masked_key_is_hidden():
    body = {
        "error": {
            "message": "Authentication Error, Invalid proxy server token passed. Received API Key = sk-...2c2e, "
            "Key Hash (Token) =9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08. Unable to find "
            "token in cache or `LiteLLM_VerificationTokenTable`",
            "type": "auth_error",
            "param": "None",
            "code": "401",
        }
    }
    err = await error_of(provider("chat", OneAnswer(Answer(401, json.dumps(body).encode())), PROXY_KEY))
    assert err.kind == "bad_key"
    assert_hidden(err, PROXY_KEY, leaks=("sk-...", "2c2e", "9f86d081"))
    assert "Unable to find token in cache" in err.message


async def test_a_hostile_endpoint_echoing_pieces_of_a_prefixless_key_has_them_hidden():
    echo = "key %s... (ends %s) rejected" % (MISTRAL_KEY[:10], MISTRAL_KEY[-9:])
    body = {"message": echo, "request_id": "d1e2f3"}
    err = await error_of(provider("chat", OneAnswer(Answer(401, json.dumps(body).encode())), MISTRAL_KEY))
    assert_hidden(err, MISTRAL_KEY, leaks=(MISTRAL_KEY[:10], MISTRAL_KEY[-9:]))
    assert "rejected" in err.message


async def test_a_secret_custom_header_echoed_back_is_hidden():
    header = "Bearer gw-Zk3Lq9Pw2Xm7Rv4Tn8"
    body = {"error": {"message": "no such token: %s" % header, "code": 403}}
    transport = OneAnswer(Answer(403, json.dumps(body).encode()))
    err = await error_of(provider("chat", transport, "", headers={"X-Gateway-Authorization": header}))
    assert transport.sent[0].headers["X-Gateway-Authorization"] == header  # the header itself is still sent
    assert_hidden(err, "Zk3Lq9Pw2Xm7Rv4Tn8")


async def test_a_key_in_an_unreadable_event_is_hidden():
    body = b"data: your key is " + OPENAI_KEY.encode() + b"\n\n"
    err = await error_of(provider("chat", OneAnswer(Answer(200, body, "text/event-stream")), OPENAI_KEY))
    assert err.kind == "bad_response"
    assert_hidden(err, OPENAI_KEY[:40])


async def test_a_key_in_a_transport_failure_is_hidden():
    err = await error_of(provider("chat", OneAnswer(NetworkError("refused for " + OPENAI_KEY)), OPENAI_KEY))
    assert err.kind == "network"
    assert OPENAI_KEY not in (err.detail or "") and OPENAI_KEY not in err.message


# ----- the rules themselves --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, hidden",
    [
        ("Incorrect API key provided: sk-proj-****abcd.", "Incorrect API key provided: [key hidden]."),
        ("key sk-abc1***************wxyz is wrong", "key [key hidden] is wrong"),
        ("Received API Key = sk-...5678,", "Received API Key = [key hidden],"),
        ("key \u2022\u2022\u2022\u2022\u2022\u20227f3a expired", "key [key hidden] expired"),
        ("sent AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "sent [key hidden]"),
        (
            "groq gsk_abcdefghijklmnop1234 xai-AbCdEf123456 hf_AbCdEfGh1234",
            "groq [key hidden] [key hidden] [key hidden]",
        ),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc", "Authorization: Bearer [key hidden]"),
        ("invalid subscription key 0123456789abcdef0123456789abcdef.", "invalid subscription key [key hidden]."),
    ],
)
def test_key_shapes_are_hidden_without_knowing_the_key(text, hidden):
    assert hide_keys(text) == hidden


@pytest.mark.parametrize(
    "text",
    [
        "The model gpt-4o-mini-2024-07-18 (or claude-3-5-sonnet-20241022) is overloaded... try again.",
        "Please wait...then retry. This is a basic task-specific error at https://api.openai.com/v1/responses.",
        "request 123e4567-e89b-12d3-a456-426614174000 failed: input is too long",
        "Invalid value for 'tools[0].function.name': must match ^[a-zA-Z0-9_-]+$",
    ],
)
def test_ordinary_error_text_is_left_alone(text):
    assert hide_keys(text, ["ollama", OPENAI_KEY]) == text


def test_the_context_carries_the_key_without_showing_it():
    ctx = ErrorContext("openai", "gpt-5-mini", secrets=(OPENAI_KEY,))
    assert OPENAI_KEY not in repr(ctx)
    err = http_error(ctx, 400, json.dumps({"error": {"message": "bad: " + OPENAI_KEY[8:30]}}).encode(), {})
    assert OPENAI_KEY[8:30] not in err.message and HIDDEN in err.message
