"""Attachments on the wire: the bodies our four protocol modules build are accepted by the official SDKs' own
request types, reach the fake provider server (which checks them the way the real services do) and come back
in its echo; a malformed block gets the provider's 400."""

from __future__ import annotations

import base64

import httpx
import pytest

from app.chat.model import FilePart, Message, TextPart
from app.chat.request import ModelRequest
from app.providers import open_provider
from devkit.transports import HttpxTransport
from tests.doubles import RecordingSleep, collect
from tests.fixtures.sdk_shapes import sdk_files

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Page >>\n%%EOF\n"
FILES = {"a" * 64: base64.b64encode(PNG).decode(), "b" * 64: base64.b64encode(PDF).decode()}
MESSAGE = Message(
    role="user",
    parts=[
        TextPart(text="Describe these"),
        FilePart(name="dot.png", media_type="image/png", size=len(PNG), sha256="a" * 64, width=1, height=1),
        FilePart(name="spec.pdf", media_type="application/pdf", size=len(PDF), sha256="b" * 64, pages=1),
    ],
)
REFS = {
    "responses": "openai:gpt-5-mini",
    "chat": "compatible:local:llava:7b",
    "anthropic": "anthropic:claude-haiku-4-5",
    "gemini": "gemini:gemini-2.5-flash",
}


@pytest.mark.parametrize("protocol", sorted(REFS))
async def test_an_image_and_a_pdf_reach_the_fake_in_the_sdk_shape(fake_provider, provider_settings, protocol):
    transport = HttpxTransport(timeout=10)
    try:
        provider, _ = open_provider(
            REFS[protocol], provider_settings, transport, sleep=RecordingSleep(), max_attempts=1
        )
        request = ModelRequest(model=REFS[protocol].rsplit(":", 2 if protocol == "chat" else 1)[-1], system="s",
                               messages=[MESSAGE], files=FILES)  # fmt: skip
        if protocol == "chat":
            request.model = "llava:7b"
        _, answer = await collect(provider, request)
    finally:
        await transport.aclose()
    assert sdk_files(protocol, fake_provider.last.body) == [("image/png", PNG), ("application/pdf", PDF)]
    assert answer.text == "You said: Describe these [received: image/png %d bytes, application/pdf %d bytes]" % (
        len(PNG),
        len(PDF),
    )


@pytest.mark.parametrize(
    "path,headers,body,expected",
    [
        (
            "/v1/messages",
            {"x-api-key": "k", "anthropic-version": "2023-06-01"},
            {"model": "claude-haiku-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "AA=="}}]}]},
            "source.media_type",
        ),
        (
            "/v1/responses",
            {"authorization": "Bearer k"},
            {"model": "gpt-5-mini", "input": [{"role": "user", "content": [
                {"type": "input_image", "image_url": "https://example.com/x.png"}]}]},
            "expected a base64 data URL",
        ),
        (
            "/v1/chat/completions",
            {"authorization": "Bearer k"},
            {"model": "m", "messages": [{"role": "user", "content": [
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,%%%"}}]}]},
            "invalid base64",
        ),
        (
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
            {"x-goog-api-key": "k"},
            {"contents": [{"role": "user", "parts": [{"inline_data": {"mime_type": "application/zip", "data": "AA=="}}]}]},
            "Unsupported MIME type",
        ),
    ],
)  # fmt: skip
def test_the_fake_refuses_a_malformed_attachment_like_the_real_service(fake_provider, path, headers, body, expected):
    r = httpx.post(fake_provider.url + path, headers=headers, json=body)
    assert r.status_code == 400 and expected in r.text
