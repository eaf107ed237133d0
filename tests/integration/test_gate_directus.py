"""The approval gate against the real Directus (issue 12): the issue's path traversals, tried through the toolbox
(with items on "always" and reads allowed), the prepared call's capture and the change preview, send nothing:
a webhook flow (GET) that would create a category does not run, and no PATCH reaches /users. A manual flow
receives exactly the collection and keys its prompt shows."""

from __future__ import annotations

import json

import pytest

from app.chat.approvals import ApprovalPolicy
from app.directus.changes import preview_changes
from app.directus.client import DirectusClient
from app.directus.toolbox import Toolbox
from app.transport import Request
from devkit.transports import HttpxTransport

pytestmark = pytest.mark.directus


class Recording:
    """The real transport, recording what was sent."""

    def __init__(self):
        self.transport = HttpxTransport()
        self.sent: list[tuple[str, str]] = []

    async def send(self, request: Request):
        self.sent.append((request.method, request.url))
        return await self.transport.send(request)


def create_flow(http, trigger: str, options: dict, operation: dict) -> str:
    flow = http.post(
        "/flows",
        json={
            "name": "Gate " + trigger,
            "status": "active",
            "trigger": trigger,
            "accountability": "all",
            "options": options,
        },
    ).json()["data"]
    op = http.post(
        "/operations",
        json={"flow": flow["id"], "key": "op", "name": "Op", "position_x": 19, "position_y": 1, **operation},
    ).json()["data"]
    http.patch(f"/flows/{flow['id']}", json={"operation": op["id"]}).raise_for_status()
    return flow["id"]


def flow_runs(http, flow: str) -> int:
    params = {"filter[collection][_eq]": "directus_flows", "filter[item][_eq]": flow, "filter[action][_eq]": "run"}
    return len(http.get("/activity", params=params).json()["data"])


def user_updates(http) -> int:
    params = {"filter[collection][_eq]": "directus_users", "filter[action][_eq]": "update"}
    return len(http.get("/activity", params=params).json()["data"])


@pytest.fixture
async def webhook(directus_reset):
    """A webhook flow run by a GET that creates the category "Flow ran" (so a run shows), and a toolbox of the admin
    with items on always and reads allowed, on a transport that records what it sends."""
    with directus_reset.client() as http:
        flow = create_flow(
            http,
            "webhook",
            {"method": "GET", "async": False, "return": "$last"},
            {
                "type": "item-create",
                "options": {
                    "collection": "categories",
                    "permissions": "$full",
                    "payload": {"name": "Flow ran", "slug": "flow-ran"},
                },
            },
        )
    recording = Recording()
    client = DirectusClient(directus_reset.url, recording, token=directus_reset.admin_token)
    policy = ApprovalPolicy(modes={"items": "always", "files": "always"}, allow_reads=True)
    yield flow, Toolbox(client, admin=True, policy=policy), recording
    await recording.transport.aclose()


def ran(http) -> int:
    return len(http.get("/items/categories", params={"filter[name][_eq]": "Flow ran"}).json()["data"])


async def test_traversals_through_the_toolbox_and_the_prompt_send_nothing(webhook, directus_reset):
    flow, box, recording = webhook
    trigger = "../flows/trigger/" + flow
    with directus_reset.client() as http:
        admin_before = http.get("/users/me", params={"fields": "first_name,role"}).json()["data"]
        updates_before = user_updates(http)
    attacks = [
        ("items", {"action": "update", "collection": "..", "keys": ["users"], "data": {"first_name": "Pwned"}}),
        ("items", {"action": "update", "collection": "..", "keys": ["users", "me"], "data": {"first_name": "P"}}),
        ("files", {"action": "update", "keys": ["../users/me"], "data": {"first_name": "Pwned"}}),
        ("files", {"action": "read", "keys": [trigger]}),
        ("items", {"action": "read", "collection": "x", "keys": [trigger]}),
        ("items", {"action": "update", "collection": "x/../../flows/trigger/" + flow, "keys": [1], "data": {"a": 1}}),
        ("schema", {"collections": ["x/../../flows/trigger/" + flow]}),
        ("folders", {"action": "read", "keys": [trigger]}),
        ("trigger_flow", {"id": "../../flows/trigger/" + flow, "collection": "articles"}),
    ]
    for name, arguments in attacks:
        call = box.prepare(name, json.dumps(arguments))
        assert call.error is not None and call.preview is None, (name, arguments)  # not a read "allow reads" runs
        assert await preview_changes(box.client, call) == []  # what showing its prompt reads
        assert await call.capture(box.client) is None
        outcome = await box.run(call)
        assert not outcome.ok and json.loads(outcome.content)["error"]["message"]
    assert recording.sent == []
    with directus_reset.client() as http:
        assert ran(http) == 0 and flow_runs(http, flow) == 0
        assert http.get("/users/me", params={"fields": "first_name,role"}).json()["data"] == admin_before
        assert user_updates(http) == updates_before
        http.get(f"/flows/trigger/{flow}").raise_for_status()  # the flow does run when really triggered
        assert ran(http) == 1


async def test_a_legitimate_update_reaches_only_its_item(webhook, directus_reset):
    flow, box, recording = webhook
    call = box.prepare(
        "items", json.dumps({"action": "update", "collection": "articles", "keys": [1], "data": {"views": 7}})
    )
    assert [c.field for c in await preview_changes(box.client, call)] == ["views"]
    assert (await box.run(call)).ok
    paths = {(method, url.split("?", 1)[0].removeprefix(directus_reset.url)) for method, url in recording.sent}
    assert paths == {("GET", "/fields/articles"), ("GET", "/items/articles"), ("PATCH", "/items/articles/1")}


async def test_a_manual_flow_receives_exactly_the_shown_collection_and_keys(directus_reset):
    with directus_reset.client() as http:
        flow = create_flow(
            http,
            "manual",
            {"collections": ["articles"], "requireSelection": True, "async": False, "return": "$last"},
            {
                "type": "exec",
                "options": {"code": "module.exports = async function (data) { return data.$trigger.body; }"},
            },
        )
    transport = HttpxTransport()
    client = DirectusClient(directus_reset.url, transport, token=directus_reset.admin_token)
    box = Toolbox(client, admin=True, policy=ApprovalPolicy())
    try:
        smuggled = box.prepare(
            "trigger_flow",
            json.dumps(
                {
                    "id": flow,
                    "collection": "articles",
                    "keys": [1],
                    "data": {"collection": "authors", "keys": [1, 2, 3]},
                }
            ),
        )
        assert smuggled.error is not None and "data.collection" in smuggled.error["error"]["message"]
        assert not (await box.run(smuggled)).ok

        call = box.prepare("trigger_flow", json.dumps({"id": flow, "collection": "articles", "keys": [1, 2]}))
        assert call.preview is not None and call.summary == f"Run flow {flow} on articles (ids 1, 2)"
        assert (call.preview.details["collection"], call.preview.details["keys"]) == ("articles", [1, 2])
        outcome = await box.run(call)
        assert outcome.ok, outcome.content
        received = json.loads(outcome.content)
        assert received["collection"] == "articles" and received["keys"] == [1, 2]
    finally:
        await transport.aclose()
    with directus_reset.client() as http:
        assert flow_runs(http, flow) == 1
