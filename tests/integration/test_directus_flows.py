"""Flows: triggering the seeded manual flow, and creating a flow with operations."""

import pytest

pytestmark = pytest.mark.directus


def seeded_flow(client):
    flows = client.get(
        "/flows",
        params={"fields": "id,name,status,trigger,options,operation,operations.key,operations.type,operations.resolve"},
    ).json()["data"]
    (flow,) = [f for f in flows if f["name"] == "Summarize articles"]
    return flow


def test_the_seeded_flow_is_an_active_manual_flow_on_articles(directus):
    with directus.client() as admin:
        flow = seeded_flow(admin)
    assert (flow["status"], flow["trigger"]) == ("active", "manual")
    assert flow["options"]["collections"] == ["articles"]
    assert flow["options"]["requireSelection"] is True
    assert flow["options"]["return"] == "$last"
    assert {(op["key"], op["type"]) for op in flow["operations"]} == {
        ("read_articles", "item-read"),
        ("summarize", "exec"),
    }


def test_trigger_returns_the_last_operation_result_unwrapped(directus):
    with directus.client() as admin:
        flow = seeded_flow(admin)
        response = admin.post(f"/flows/trigger/{flow['id']}", json={"collection": "articles", "keys": [1, 2, 9]})
        one = admin.post(f"/flows/trigger/{flow['id']}", json={"collection": "articles", "keys": [4]})
    assert response.status_code == 200, response.text
    # the body is the flow's $last as it is: no {"data": ...} envelope
    assert response.json() == {
        "count": 3,
        "total_views": 1520 + 980 + 0,
        "titles": [
            "Notes on the Analytical Engine",
            "Why the compiler matters",
            "Morphogenesis: how the leopard gets its spots",
        ],
        "statuses": {"published": 2, "draft": 1},
    }
    assert one.json()["titles"] == ["Software for the Moon landing"]


def test_the_reader_can_trigger_it_too(directus):
    with directus.client() as admin:
        flow_id = seeded_flow(admin)["id"]
    with directus.client(token=directus.reader_token) as reader:
        response = reader.post(f"/flows/trigger/{flow_id}", json={"collection": "articles", "keys": [3]})
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 1


def test_trigger_mistakes_are_bare_403s(directus):
    """Missing keys or a collection the flow is not on: 403 FORBIDDEN; the real reason is only in the log."""
    if not directus.at_least(11):
        pytest.skip("Directus 10 runs a manual flow without checking its keys or collection (200)")
    with directus.client() as admin:
        flow_id = seeded_flow(admin)["id"]
        no_keys = admin.post(f"/flows/trigger/{flow_id}", json={"collection": "articles"})
        empty = admin.post(f"/flows/trigger/{flow_id}", json={"collection": "articles", "keys": []})
        wrong = admin.post(f"/flows/trigger/{flow_id}", json={"collection": "authors", "keys": [1]})
    for response in (no_keys, empty, wrong):
        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_failing_operation_still_answers_200_with_the_error_as_body(directus):
    with directus.client() as admin:
        flow_id = seeded_flow(admin)["id"]
        response = admin.post(f"/flows/trigger/{flow_id}", json={"collection": "articles", "keys": [999]})
    assert response.status_code == 200
    assert response.json() == {"name": "DirectusError", "code": "FORBIDDEN", "status": 403}


def test_create_a_flow_with_operations_then_trigger_it(directus_reset):
    with directus_reset.client() as admin:
        flow = admin.post(
            "/flows",
            json={
                "name": "Most viewed",
                "status": "active",
                "trigger": "manual",
                "accountability": "all",
                "options": {"collections": ["articles"], "requireSelection": False, "async": False, "return": "$last"},
            },
        )
        assert flow.status_code == 200, flow.text
        flow_id = flow.json()["data"]["id"]
        last = admin.post(
            "/operations",
            json={
                "flow": flow_id,
                "key": "top",
                "name": "Top articles",
                "type": "item-read",
                "position_x": 37,
                "position_y": 1,
                "options": {"collection": "articles", "query": {"fields": ["title"], "sort": ["-views"], "limit": 2}},
            },
        )
        assert last.status_code == 200, last.text
        first = admin.post(
            "/operations",
            json={
                "flow": flow_id,
                "key": "note",
                "name": "Log",
                "type": "log",
                "position_x": 19,
                "position_y": 1,
                "resolve": last.json()["data"]["id"],
                "options": {"message": "most viewed requested"},
            },
        )
        assert first.status_code == 200, first.text
        linked = admin.patch(f"/flows/{flow_id}", json={"operation": first.json()["data"]["id"]})
        assert linked.status_code == 200, linked.text

        read_back = admin.get(f"/flows/{flow_id}", params={"fields": "operation.key,operation.resolve.key"})
        assert read_back.json()["data"] == {"operation": {"key": "note", "resolve": {"key": "top"}}}
        result = admin.post(f"/flows/trigger/{flow_id}", json={"collection": "articles"})
        assert result.status_code == 200, result.text
        assert result.json() == [
            {"title": "Computing machinery and intelligence"},
            {"title": "Software for the Moon landing"},
        ]

        runs = admin.get(
            "/activity",
            params={
                "filter[collection][_eq]": "directus_flows",
                "filter[item][_eq]": flow_id,
                "filter[action][_eq]": "run",
            },
        )
        assert len(runs.json()["data"]) == 1

        assert admin.delete(f"/flows/{flow_id}").status_code == 204
        assert admin.get("/operations", params={"filter[flow][_eq]": flow_id}).json()["data"] == []


def test_a_webhook_flow_with_a_script(directus_reset):
    with directus_reset.client() as admin:
        flow_id = admin.post(
            "/flows",
            json={
                "name": "Double",
                "status": "active",
                "trigger": "webhook",
                "options": {"method": "POST", "async": False, "return": "$last"},
            },
        ).json()["data"]["id"]
        operation = admin.post(
            "/operations",
            json={
                "flow": flow_id,
                "key": "double",
                "name": "Double",
                "type": "exec",
                "position_x": 19,
                "position_y": 1,
                "options": {"code": "module.exports = async (data) => ({doubled: data.$trigger.body.n * 2})"},
            },
        )
        admin.patch(f"/flows/{flow_id}", json={"operation": operation.json()["data"]["id"]})
        response = admin.post(f"/flows/trigger/{flow_id}", json={"n": 21})
    assert response.status_code == 200, response.text
    assert response.json() == {"doubled": 42}


def test_core_tier_allows_five_active_flows(directus_reset):
    if not directus_reset.at_least(12):
        pytest.skip("the Core tier's limits came with Directus 12's license; 10 and 11 have none")
    with directus_reset.client() as admin:
        for n in range(4):  # the seeded flow is the first
            created = admin.post("/flows", json={"name": f"Flow {n}", "status": "active", "trigger": "manual"})
            assert created.status_code == 200, created.text
        sixth = admin.post("/flows", json={"name": "One too many", "status": "active", "trigger": "manual"})
        inactive = admin.post("/flows", json={"name": "Inactive", "status": "inactive", "trigger": "manual"})
    assert sixth.status_code == 403
    assert sixth.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert inactive.status_code == 200  # inactive flows do not count
