"""The project's shared prompts from the real Directus: the prompts collection named in the AI settings, published
items only, sorted by name; a user who may not read them gets none (and no error)."""

from __future__ import annotations

import pytest

from app.directus.client import DirectusClient
from app.directus.prompts import fetch_prompts, render, variables
from devkit.transports import HttpxTransport

pytestmark = pytest.mark.directus

SINCE = "the prompts collection setting arrived in Directus 11.12, with its MCP server"


@pytest.fixture(autouse=True)
def _prompts_setting(directus):
    if not directus.at_least(11, 12):
        pytest.skip(SINCE)


async def test_published_prompts_of_the_configured_collection(directus):
    transport = HttpxTransport()
    try:
        admin = DirectusClient(directus.url, transport, token=directus.admin_token)
        prompts = await fetch_prompts(admin)
        assert [p.name for p in prompts] == ["Content report", "Summarize an article"]  # the draft is left out
        summarize = prompts[1]
        assert variables(summarize) == [("title", "the article's title")]
        assert render(summarize, {"title": "Poetical science"}) == (
            "You write newsletter blurbs: two sentences, plain words, no hype.\n\n"
            'Summarize the article titled "Poetical science" in two sentences.'
        )

        reader_transport = HttpxTransport()
        reader = DirectusClient(directus.url, reader_transport, token=directus.reader_token)
        assert await fetch_prompts(reader) == []  # no permission on ai_prompts...
        asked = [r.url.split("?")[0].replace(directus.url, "") for r in reader_transport.requests]
        assert "/items/ai_prompts" not in asked  # ...checked first, not asked and refused (browsers log refusals)
        await reader_transport.aclose()
    finally:
        await transport.aclose()


async def test_a_user_who_is_not_an_admin_gets_the_prompts_once_allowed_to_read_them(directus_reset):
    with directus_reset.client() as http:
        (policy,) = http.get("/policies", params={"filter[name][_eq]": "Reader"}).json()["data"]
        granted = http.post(
            "/permissions", json={"policy": policy["id"], "collection": "ai_prompts", "action": "read", "fields": ["*"]}
        )
        assert granted.status_code == 200, granted.text
    transport = HttpxTransport()
    try:
        reader = DirectusClient(directus_reset.url, transport, token=directus_reset.reader_token)
        assert [p.name for p in await fetch_prompts(reader)] == ["Content report", "Summarize an article"]
    finally:
        await transport.aclose()
