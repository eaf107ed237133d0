"""A chart kept with its conversation: its view survives an export and an import, the Markdown export shows its
data as a table (cells inert), the CSV of a result table, and what a forged view cannot do."""

from __future__ import annotations

import json

from app.chart_results import result_table, view_table
from app.chat.model import Conversation, ToolCallPart, ToolResultPart, assistant, tool_results, user
from app.directus.tools.dashboard import panel_for, panel_problem
from app.directus.tools.query import Query
from app.directus.tools.visualize import VIEW_VERSION, read_view
from app.store.conversations import ConversationStore
from app.store.export import export_markdown
from app.store.kv import MemoryStore

VIEW = {
    "v": VIEW_VERSION,
    "collection": "articles",
    "chart": "pie",
    "query": {"aggregate": {"count": ["*"]}, "groupBy": ["status"]},
    "rows": [{"status": "draft", "count": 2}, {"status": "<img src=x onerror=alert(1)>|x", "count": 8}],
    "shown": 2,
    "total": None,
    "more": False,
    "at": 1_700_000_000.0,
}


def charted() -> Conversation:
    call = ToolCallPart(id="call_1", name="items", arguments=json.dumps({"action": "chart", "chart": "pie"}))
    result = ToolResultPart(call_id="call_1", name="items", content='{"drawn":"pie chart"}', view=VIEW)
    return Conversation(title="Chart", messages=[user("Pie"), assistant(call), tool_results(result), assistant("Done")])


def test_a_view_survives_export_and_import():
    source = ConversationStore(MemoryStore())
    conversation = charted()
    source.save(conversation)
    target = ConversationStore(MemoryStore())
    target.import_json(source.export_json())
    loaded = target.load(conversation.id)
    assert loaded is not None and read_view(loaded.messages[2].tool_results[0].view) == VIEW


def test_the_markdown_export_has_the_chart_data_as_an_inert_table():
    text = export_markdown(charted(), view_table)
    assert "| status | count |" in text and "| draft | 2 |" in text
    assert "<img" not in text and "\\|x | 8 |" in text


def test_a_view_with_no_finite_number_for_a_month_still_exports():
    year_month = {"aggregate": {"count": ["*"]}, "groupBy": ["year(date_created)", "month(date_created)"]}
    rows = [{"date_created_year": 2024, "date_created_month": m, "count": 1} for m in ("inf", "nan", "1e999", 5)]
    view = {**VIEW, "chart": "bar", "query": year_month, "rows": rows, "shown": 4}
    result = ToolResultPart(call_id="call_1", name="items", content="{}", view=view)
    conversation = Conversation(messages=[user("By month"), tool_results(result)])
    assert read_view(view) == view
    assert view_table(view) == (["date_created_month", "count"], [["2024-05", 1.0], ["(empty)", 3.0]])
    assert "| (empty) | 3 |" in export_markdown(conversation, view_table)


def test_a_forged_view_is_not_drawn():
    assert read_view({**VIEW, "chart": "<script>"}) is None
    assert read_view({**VIEW, "rows": "x"}) is None
    assert read_view({**VIEW, "query": {"aggregate": {"drop": ["x"]}}}) is None
    assert view_table({"v": 99}) is None


def test_an_items_read_becomes_a_table_only_when_it_is_a_list_of_objects():
    assert result_table('[{"id":1,"author":{"name":"Ada"}},{"id":2}]') == (
        ["id", "author.name"],
        [[1, "Ada"], [2, None]],
    )
    assert result_table('{"data":[{"id":1}],"meta":{}}') == (["id"], [[1]])
    assert result_table('{"id":1}') is None and result_table("not json") is None


def panel(kind: str, query: Query) -> tuple[str, dict]:
    found = panel_for(kind, "articles", query)
    assert isinstance(found, tuple), found
    return found


def test_panels_are_directus_own_kinds_or_say_why_not():
    by_status = Query(aggregate={"count": ["*"]}, groupBy=["status"])
    assert panel_for("pie", "articles", by_status) == (
        "pie-chart",
        {"collection": "articles", "column": "status", "function": "count", "donut": False, "legend": "right"},
    )
    kind, options = panel("bar", Query(aggregate={"sum": ["views"]}, groupBy=["author"]))
    assert kind == "bar-chart" and options["xAxis"] == "author" and options["yAxis"] == "views"
    kind, options = panel("line", Query(aggregate={"count": ["*"]}, groupBy=["year(d)", "month(d)"]))
    assert kind == "time-series" and options["precision"] == "month" and options["dateField"] == "d"
    kind, _ = panel("table", Query(fields=["title", "views"], sort=["-views"]))
    assert kind == "list"
    kind, _ = panel("table", by_status)
    assert kind == "metric-list"
    stacked = {**VIEW, "chart": "stacked", "query": {"aggregate": {"count": ["*"]}, "groupBy": ["month(d)", "status"]}}
    assert "no dashboard panel for a stacked bar chart" in (panel_problem(stacked) or "")
    assert "pie panel counts" in str(
        panel_for("pie", "articles", Query(aggregate={"sum": ["views"]}, groupBy=["status"]))
    )
