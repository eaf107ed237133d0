"""The items tool's `chart` action (app/directus/tools/visualize.py) against the real Directus: the page's rows are
Directus's own, the model reads a summary, bounded queries say "showing N of M", permissions hold."""

from __future__ import annotations

import json

import pytest

from app.directus.client import DirectusClient
from app.directus.prepared import prepare
from app.directus.registry import run_call
from app.directus.tools.visualize import read_view
from devkit.transports import HttpxTransport

pytestmark = pytest.mark.directus

MONTHLY = {
    "action": "chart",
    "collection": "articles",
    "chart": "stacked",
    "query": {
        "aggregate": {"count": "*"},
        "groupBy": ["year(publish_date)", "month(publish_date)", "status"],
    },
}


@pytest.fixture
async def chart(directus):
    transport = HttpxTransport()

    async def run(arguments, token=None):
        client = DirectusClient(directus.url, transport, token=token or directus.admin_token)
        return await run_call(client, prepare("items", json.dumps(arguments)))

    yield run
    await transport.aclose()


async def test_a_stacked_chart_holds_directus_rows_and_the_model_reads_a_summary(chart, directus):
    outcome = await chart(MONTHLY)
    assert outcome.ok and outcome.view is not None and read_view(outcome.view) == outcome.view
    with directus.client() as http:
        real = http.get(
            "/items/articles",
            params={"aggregate[count]": "*", "groupBy": "year(publish_date),month(publish_date),status"},
        ).json()["data"]
    assert sorted(map(json.dumps, outcome.view["rows"])) == sorted(map(json.dumps, real))
    body = json.loads(outcome.content)
    assert body["drawn"] == "stacked bar chart" and body["y"]["total"] == 12 and body["series"]["published"] == 8
    assert "rows" not in outcome.content.replace('"rows":', "")  # only the count of rows, not the rows


async def test_plain_rows_are_bounded_and_say_how_many_match(chart):
    outcome = await chart(
        {
            "action": "chart",
            "collection": "articles",
            "chart": "bar",
            "query": {"fields": ["title", "views"], "limit": 5},
        }
    )
    body = json.loads(outcome.content)
    assert outcome.ok and body["rows"] == 5 and body["showing"] == "5 of 12"
    assert outcome.view["more"] and outcome.view["total"] == 12 and len(outcome.view["rows"]) == 5


async def test_the_reader_charts_what_it_may_read_and_nothing_else(chart, directus):
    ok = await chart(MONTHLY, token=directus.reader_token)
    assert ok.ok and json.loads(ok.content)["y"]["total"] == 12
    refused = await chart({**MONTHLY, "collection": "authors"}, token=directus.reader_token)
    assert not refused.ok and refused.view is None and json.loads(refused.content)["error"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    "arguments, where",
    [
        ({"action": "chart", "collection": "articles", "query": {"fields": ["id", "views"]}}, "chart"),
        ({"action": "read", "collection": "articles", "chart": "bar"}, "chart"),
        (
            {"action": "chart", "collection": "articles", "chart": "bar", "query": {"aggregate": {"count": "*"}}},
            "query.groupBy",
        ),
        ({"action": "chart", "collection": "articles", "chart": "pie", "keys": [1]}, "keys"),
        ({"action": "chart", "collection": "articles", "chart": "spline"}, "chart"),
    ],
)
def test_wrong_chart_calls_say_what_to_fix(arguments, where):
    call = prepare("items", json.dumps(arguments))
    assert call.error is not None and where in json.dumps(call.error)
