"""Permission-aware tools on the real Directus (every version of the matrix): the demo reader's permissions, read
the way its version allows, leave no write action in its tool list and refuse a write before any approval."""

from __future__ import annotations

import json

from app.chat.approvals import ApprovalPolicy
from app.directus.capabilities import AccessKeeper
from app.directus.client import DirectusClient
from app.directus.toolbox import Toolbox
from devkit.transports import HttpxTransport


async def toolbox_for(directus, token):
    transport = HttpxTransport()
    client = DirectusClient(directus.url, transport, token=token)
    user = await client.me(fresh=True)
    access = await AccessKeeper().load(client, user)
    return transport, user, access, Toolbox(client, admin=user.admin, policy=ApprovalPolicy(), access=access)


def actions(box, tool):
    return {s.name: s for s in box.specs()}[tool].parameters["properties"]["action"]["enum"]


async def test_the_readers_tool_list_carries_no_write_action(directus, directus_version):
    transport, user, access, box = await toolbox_for(directus, directus.reader_token)
    try:
        assert not user.admin and user.app_access
        assert access.capabilities.version == directus_version
        assert access.capabilities.policies == (not directus_version.startswith("10."))
        assert actions(box, "items") == ["read", "chart"]
        for spec in box.specs():
            enum = spec.parameters.get("properties", {}).get("action", {}).get("enum", [])
            assert not {"create", "update", "delete", "import"} & set(enum), spec.name
        note = box.specs()[0].description.splitlines()[-1]
        assert note.startswith("Permissions: read on articles, articles_categories") and "read-only" in note

        update = '{"action":"update","collection":"articles","keys":[1],"data":{"title":"x"}}'
        call = box.prepare("items", update)
        assert call.preview is None and call.error["error"]["code"] == "NOT_PERMITTED"

        ok, body = await _run(box, "schema", "{}")
        assert ok and "articles" in body["collections"] and "authors" not in body["collections"]
        ok, body = await _run(box, "items", '{"action":"read","collection":"articles","query":{"limit":1}}')
        assert ok and len(body["data"] if isinstance(body, dict) and "data" in body else body) == 1
    finally:
        await transport.aclose()


async def test_an_admin_is_offered_everything_and_told_nothing(directus, directus_version):
    transport, user, access, box = await toolbox_for(directus, directus.admin_token)
    try:
        assert user.admin and access.capabilities.version == directus_version
        assert ("no shared prompts" in access.capabilities.lacks()) == directus_version.startswith("10.")
        assert actions(box, "items") == ["create", "read", "update", "delete", "chart"]
        assert "Permissions" not in box.specs()[0].description and not access.unavailable
    finally:
        await transport.aclose()


async def _run(box, name, arguments):
    outcome = await box.run(box.prepare(name, arguments))
    return outcome.ok, json.loads(outcome.content)
