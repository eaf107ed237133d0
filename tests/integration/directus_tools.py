"""The `call` fixture of the tool tests: run one tool against the local Directus as admin, reader or a token.

    ok, body = await call("items", {"action": "read", "collection": "articles"}, token="reader")

Arguments are sent as the JSON text a model would stream; `body` is the parsed content the model reads.
"""

from __future__ import annotations

import json

import pytest

from app.directus.client import DirectusClient
from app.directus.registry import run_tool
from tests.transports import HttpxTransport


@pytest.fixture
async def call(directus):
    transport = HttpxTransport()
    clients = {}

    async def run(name, arguments=None, *, token="admin", budget=None):
        token = {"admin": directus.admin_token, "reader": directus.reader_token}.get(token, token)
        client = clients.setdefault(token, DirectusClient(directus.url, transport, token=token))
        text = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
        outcome = await run_tool(client, name, text, **({"budget": budget} if budget else {}))
        return outcome.ok, json.loads(outcome.content)

    yield run
    await transport.aclose()
