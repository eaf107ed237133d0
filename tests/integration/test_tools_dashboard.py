"""The dashboard tool (app/directus/tools/dashboard.py) against the real Directus: a chart becomes a panel of
Directus's own kind, on a new dashboard or an existing one; Undo deletes what the call made; the Reader may not."""

from __future__ import annotations

import json

import pytest

from app.directus.client import DirectusClient
from app.directus.prepared import prepare
from app.directus.registry import run_call
from app.directus.undo import UndoPlan, apply
from devkit.transports import HttpxTransport

pytestmark = pytest.mark.directus

LINE = {
    "collection": "articles",
    "chart": "line",
    "query": {"aggregate": {"sum": ["views"]}, "groupBy": ["year(publish_date)", "month(publish_date)"]},
    "title": "Views per month",
}


async def test_a_new_dashboard_then_a_panel_on_it_and_undo_of_each(directus_reset):
    transport = HttpxTransport()
    client = DirectusClient(directus_reset.url, transport, token=directus_reset.admin_token)
    try:
        first = await run_call(client, prepare("dashboard", json.dumps(LINE)))
        made = json.loads(first.content)
        assert first.ok and made["new_dashboard"] and made["type"] == "time-series"
        second = await run_call(client, prepare("dashboard", json.dumps({**LINE, "dashboard": made["dashboard"]})))
        assert second.ok and not json.loads(second.content)["new_dashboard"]
        with directus_reset.client() as http:
            panels = http.get("/panels", params={"fields": "id,type,name,dashboard,options"}).json()["data"]
        assert len(panels) == 2 and {p["dashboard"] for p in panels} == {made["dashboard"]}
        options = panels[0]["options"]
        assert (options["dateField"], options["valueField"], options["function"], options["precision"]) == (
            "publish_date",
            "views",
            "sum",
            "month",
        )

        await apply(client, UndoPlan.model_validate(second.undo))  # the added panel only
        with directus_reset.client() as http:
            assert len(http.get("/panels").json()["data"]) == 1
        await apply(client, UndoPlan.model_validate(first.undo))  # the dashboard, and its panels with it
        with directus_reset.client() as http:
            assert http.get("/panels").json()["data"] == [] and http.get("/dashboards").json()["data"] == []
    finally:
        await transport.aclose()


async def test_the_reader_cannot_pin_and_a_chart_without_a_panel_is_refused(call):
    ok, body = await call("dashboard", LINE, token="reader")
    assert not ok and body["error"]["code"] == "FORBIDDEN"
    ok, body = await call("dashboard", {**LINE, "chart": "scatter"})
    assert not ok and "no dashboard panel for a scatter plot" in body["error"]["message"]
