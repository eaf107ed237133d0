"""`trigger_flow` for everyone; `flows` and `operations` for admins only."""

from __future__ import annotations

import pytest

from app.directus.registry import tool_names

pytestmark = pytest.mark.directus


async def summarize_id(call):
    ok, flows = await call("trigger_flow")
    assert ok
    return next(f["id"] for f in flows if f["name"] == "Summarize articles")


async def test_list_and_trigger_the_demo_flow(call):
    ok, flows = await call("trigger_flow", "")
    assert ok and flows[0]["name"] == "Summarize articles"
    assert flows[0]["collections"] == ["articles"] and flows[0]["keys"] == "required"
    ok, result = await call("trigger_flow", {"id": flows[0]["id"], "collection": "articles", "keys": [1, 2]})
    assert ok and result["count"] == 2 and len(result["titles"]) == 2


async def test_trigger_checks_collection_and_keys(call):
    flow = await summarize_id(call)
    ok, body = await call("trigger_flow", {"id": flow, "collection": "authors", "keys": [1]})
    assert not ok and "runs on articles" in body["error"]["message"]
    ok, body = await call("trigger_flow", {"id": flow, "collection": "articles"})
    assert not ok and "keys:" in body["error"]["message"]


async def test_reader_cannot_use_admin_tools(call):
    assert "flows" not in tool_names(admin=False)
    ok, body = await call("flows", {"action": "read"}, token="reader")
    assert not ok and body["error"]["code"] == "ADMIN_ONLY"
    ok, body = await call("trigger_flow", {}, token="reader")
    assert not ok and body["error"]["code"] == "FORBIDDEN"


async def test_flows_and_operations_crud_and_trigger_rules(call, directus_reset):
    ok, flow = await call(
        "flows",
        {
            "action": "create",
            "data": {
                "name": "Ask",
                "status": "active",
                "trigger": "manual",
                "accountability": "all",
                "options": {
                    "collections": ["articles"],
                    "requireSelection": False,
                    "return": "$last",
                    "fields": [{"field": "reason", "type": "string", "name": "Reason", "meta": {"required": True}}],
                },
            },
        },
    )
    assert ok and flow["name"] == "Ask"
    ok, op = await call(
        "operations",
        {
            "action": "create",
            "data": {
                "flow": flow["id"],
                "key": "echo",
                "name": "Echo",
                "type": "transform",
                "position_x": 19,
                "position_y": 1,
                "options": {"json": {"reason": "{{$trigger.body.reason}}"}},
            },
        },
    )
    assert ok and op["key"] == "echo"
    ok, _ = await call("flows", {"action": "update", "keys": [flow["id"]], "data": {"operation": op["id"]}})
    assert ok
    ok, read = await call("flows", {"action": "read", "keys": [flow["id"]]})
    assert ok and read["operation"] == op["id"]

    ok, body = await call("trigger_flow", {"id": flow["id"], "collection": "articles"})
    assert not ok and "reason" in body["error"]["message"]  # required confirmation field
    ok, result = await call("trigger_flow", {"id": flow["id"], "collection": "articles", "data": {"reason": "test"}})
    assert ok and result == {"reason": "test"}

    ok, _ = await call("flows", {"action": "update", "keys": [flow["id"]], "data": {"status": "inactive"}})
    ok, body = await call("trigger_flow", {"id": flow["id"], "collection": "articles", "data": {"reason": "x"}})
    assert not ok and "inactive" in body["error"]["message"]

    ok, updated = await call("operations", {"action": "update", "keys": [op["id"]], "data": {"name": "Echo back"}})
    assert ok and updated["name"] == "Echo back"
    ok, ops = await call("operations", {"action": "read", "keys": [op["id"]]})
    assert ok and ops["name"] == "Echo back"
    ok, _ = await call("operations", {"action": "delete", "keys": [op["id"]]})
    assert ok
    ok, _ = await call("flows", {"action": "delete", "keys": [flow["id"]]})
    assert ok
    ok, flows = await call("flows", {"action": "read"})
    assert ok and [f["name"] for f in flows] == ["Summarize articles"]
