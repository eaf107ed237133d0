"""Every Directus tool's JSON schema (and ask_user's), as each provider module sends it, passes that service's checks.

The fake server validates tool schemas the way the real services do (devkit/fake_provider/tool_schema.py); a
request it rejects comes back as a 400 ProviderError, so a clean answer means every tool was accepted.
"""

from __future__ import annotations

import pytest

from app.chat.ask_user import ASK_USER_SPEC
from app.chat.events import ProviderError
from app.chat.model import ToolSpec, user
from app.chat.request import ModelRequest
from app.directus.registry import tool_specs
from app.providers import open_provider
from devkit.fake_provider.settings import settings_for
from devkit.transports import HttpxTransport
from tests.doubles import collect

MODELS = {
    "responses": "openai:gpt-5-mini",
    "anthropic": "anthropic:claude-haiku-4-5",
    "gemini": "gemini:gemini-2.5-flash",
    "gemini3": "gemini:gemini-3-flash-preview",
    "chat": "compatible:local:llama3.2:3b",
    "azure": "compatible:azure:my-gpt4o-deployment",
    "mistral": "compatible:mistral:mistral-small-latest",
}


async def answer(fake, ref, tools):
    transport = HttpxTransport()
    try:
        provider, model = open_provider(ref, settings_for(fake.url), transport)
        request = ModelRequest(model=model.id, system="You help.", messages=[user("hi")], tools=tools)
        _events, message = await collect(provider, request)
        return message
    finally:
        await transport.aclose()


@pytest.mark.parametrize("protocol", list(MODELS))
async def test_all_tools_are_accepted(protocol, fake_provider):
    tools = [*tool_specs(admin=True), ASK_USER_SPEC]
    message = await answer(fake_provider, MODELS[protocol], tools)
    assert message.text  # the echo answer: the request passed validation
    sent = fake_provider.last.body
    assert len(sent["tools"] if "tools" in sent else []) in (len(tools), 1)  # Gemini groups them in one entry


@pytest.mark.parametrize("protocol", ["responses", "anthropic", "gemini", "chat"])
async def test_an_invalid_schema_is_rejected(protocol, fake_provider):
    broken = [ToolSpec(name="broken", description="x", parameters={"type": "objekt"})]
    with pytest.raises(ProviderError) as error:
        await answer(fake_provider, MODELS[protocol], broken)
    assert error.value.kind == "invalid_request" and "schema" in error.value.message.lower()
