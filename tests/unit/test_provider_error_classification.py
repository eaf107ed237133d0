"""Error classification edge cases from the wild (bodies as the servers send them)."""

from __future__ import annotations

import json

import pytest

from app.providers.errors import ErrorContext, http_error, retry_after, stream_error

LOCAL = ErrorContext("compatible:box", "qwen3", "http://localhost:1234/v1", "lmstudio")


def classify(status: int, body, headers=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return http_error(LOCAL, status, raw, headers or {})


@pytest.mark.parametrize(
    "status, body, kind",
    [
        # LM Studio reports context overflow as a 500 api_error: it must not be retried as a server error
        (
            500,
            {
                "type": "error",
                "error": {
                    "type": "api_error",
                    "message": "The number of tokens to keep from the initial prompt is greater than the context length",
                },
            },
            "context_too_long",
        ),
        (
            400,
            {
                "error": {
                    "message": "litellm.ContextWindowExceededError: too long",
                    "type": None,
                    "param": None,
                    "code": "400",
                }
            },
            "context_too_long",
        ),
        (
            400,
            {
                "error": {
                    "message": "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens",
                    "type": "BadRequestError",
                    "code": 400,
                }
            },
            "context_too_long",
        ),
        (
            413,
            {
                "type": "error",
                "error": {
                    "type": "request_too_large",
                    "message": "Request exceeds the maximum allowed number of bytes.",
                },
            },
            "context_too_long",
        ),
        (
            404,
            {"error": 'model "qwen3" not found, try pulling it first'},
            "model_not_found",
        ),  # Ollama: error is a string
        (
            422,
            {
                "object": "error",
                "message": {
                    "detail": [
                        {
                            "type": "extra_forbidden",
                            "loc": ["body", "stream_options"],
                            "msg": "Extra inputs are not permitted",
                        }
                    ]
                },
                "type": "invalid_request_message_error",
            },
            "invalid_request",
        ),
        (
            402,
            {"error": {"message": "Insufficient credits. Add more using https://openrouter.ai/credits", "code": 402}},
            "billing",
        ),
        (502, b"<html><body>Bad gateway</body></html>", "server_error"),
        (408, b"", "server_error"),
    ],
)
def test_classification(status, body, kind):
    assert classify(status, body).kind == kind


def test_html_or_empty_bodies_still_give_a_readable_message():
    err = classify(400, b"")
    assert err.kind == "invalid_request" and err.message.endswith("rejected the request (400) without saying why.")
    assert "Bad gateway" in classify(502, b"<html><body>Bad gateway</body></html>").message


def test_retry_hints():
    assert retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after({"Retry-After": "7"}) == 7.0
    assert retry_after({"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}) is None
    gemini = {
        "error": {
            "code": 429,
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "12.5s"}],
        }
    }
    assert retry_after({}, gemini) == 12.5


def test_in_stream_errors_use_the_error_type():
    assert (
        stream_error(LOCAL, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}).kind
        == "overloaded"
    )
    assert stream_error(LOCAL, {"error": {"code": 503, "message": "x", "status": "UNAVAILABLE"}}).status == 503
    unknown = stream_error(LOCAL, {"error": {"message": "Provider disconnected"}})
    assert unknown.kind == "server_error" and not unknown.retryable
