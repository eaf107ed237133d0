"""Charts in the page (issue 14): drawn from Directus's own rows with each protocol, hostile labels stay text, a
chart survives a reload, downloads the same numbers as CSV, becomes an Insights panel after approval and Undo
removes it; the chart library loads with the first chart only."""

from __future__ import annotations

import csv
import io
import json

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.script import Call, Step
from devkit.fake_provider.settings import MODELS

pytestmark = pytest.mark.e2e

HANDLERS = "[onerror],[onload],[onclick],[onmouseover],[onfocus],script:not([type=py]):not([src])"
MONTHLY = {
    "action": "chart",
    "collection": "articles",
    "chart": "stacked",
    "query": {"aggregate": {"count": "*"}, "groupBy": ["year(publish_date)", "month(publish_date)", "status"]},
}
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", e => window.__violations.push(e.violatedDirective));
"""
BY_STATUS = {
    "action": "chart",
    "collection": "articles",
    "chart": "pie",
    "query": {"aggregate": {"count": "*"}, "groupBy": ["status"]},
}


def real_counts(directus) -> dict[tuple[str, str], int]:
    """(month label, status) -> count, as Directus itself counts."""
    with directus.client() as http:
        rows = http.get(
            "/items/articles",
            params={"aggregate[count]": "*", "groupBy": "year(publish_date),month(publish_date),status"},
        ).json()["data"]
    out = {}
    for r in rows:
        if r["publish_date_year"] is None:
            label = "(empty)"
        else:
            label = "%d-%02d" % (r["publish_date_year"], r["publish_date_month"])
        out[(label, r["status"])] = int(r["count"])
    return out


def table_counts(page) -> dict[tuple[str, str], int]:
    """The same, read from the chart's "Show data" table."""
    view = page.locator(".chart-view").last
    view.get_by_text("Show data").click()
    table = view.locator("table.data-table")
    heads = table.locator("thead th").all_inner_texts()
    out = {}
    for row in table.locator("tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        for status, value in zip(heads[1:], cells[1:], strict=True):
            if value.strip():
                out[(cells[0], status.strip())] = int(value)
    return out


def ask_chart(chat, arguments: dict, question: str) -> None:
    chat.send(question + " [[call items %s]]" % json.dumps(arguments))
    chat.page.get_by_role("button", name="Approve").click()
    expect(chat.page.locator(".chart-view[data-drawn]").last).to_be_visible()


@pytest.mark.parametrize("protocol", list(MODELS))
def test_articles_per_month_by_status_as_a_stacked_bar_chart(protocol, chat, directus, fake_provider):
    page = chat.page
    chat.pick(MODELS[protocol])
    fake_provider.script(Step(tool_calls=[Call("items", MONTHLY)]), Step(text="Here is the chart."))
    chat.send("Articles per month by status, as a stacked bar chart")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".chart-view[data-drawn]")).to_be_visible()
    expect(chat.last_answer()).to_contain_text("Here is the chart.")
    assert table_counts(page) == real_counts(directus)
    assert page.evaluate("() => typeof window.Chart") == "function"
    summary = page.locator(".chart-view .chart-summary").inner_text()
    assert summary.startswith("Stacked bar chart of articles") and "total 12" in summary
    sent = json.dumps(fake_provider.requests_for()[-1].body)
    assert "stacked bar chart" in sent and "Notes on the Analytical Engine" not in sent  # a summary, not rows


def test_the_library_loads_with_the_first_chart_only_and_draws_under_the_csp(chat, fake_provider):
    page = chat.page
    page.add_init_script(script=RECORD_VIOLATIONS)
    chat.send("Hello")  # the newest conversation: the one a reload opens
    expect(chat.last_answer()).to_contain_text("You said")
    chat.reload()
    expect(chat.last_answer()).to_contain_text("You said")
    assert page.evaluate("() => typeof window.Chart") == "undefined"
    assert page.locator("script[data-library]").count() == 0
    ask_chart(chat, BY_STATUS, "Pie")
    assert page.evaluate("() => typeof window.Chart") == "function"
    assert page.locator("script[data-library]").count() == 1
    assert page.evaluate("() => window.__violations") == []


def test_a_hostile_label_renders_as_text_and_runs_nothing(chat, directus_reset):
    page = chat.page
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>' + "x" * 10_000
    with directus_reset.client() as http:
        http.patch("/items/articles/3", json={"title": hostile}).raise_for_status()
    ask_chart(
        chat,
        {"action": "chart", "collection": "articles", "chart": "bar", "query": {"fields": ["title", "views"]}},
        "Views per article",
    )
    view = page.locator(".chart-view").last
    view.get_by_text("Show data").click()
    expect(view.locator("td", has_text="<img src=x onerror")).to_have_count(1)
    assert view.locator("td", has_text="<img src=x onerror").inner_text() == hostile
    assert page.locator(HANDLERS).count() == 0 and page.locator("img[src=x]").count() == 0
    assert page.evaluate("() => window.__pwned") is None


def test_a_chart_survives_a_reload_downloads_csv_and_becomes_a_panel_that_undo_removes(chat, directus_reset):
    page = chat.page
    ask_chart(chat, BY_STATUS, "Articles by status as a pie")
    chat.reload()
    view = page.locator(".chart-view[data-drawn]").last
    expect(view).to_be_visible()

    with page.expect_download() as download:
        view.get_by_role("button", name="⤓ CSV").first.click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[0] == ["status", "count"]
    assert {r[0]: int(r[1]) for r in rows[1:]} == {"archived": 2, "draft": 2, "published": 8}

    view.get_by_role("button", name="＋ Add to dashboard").click()
    card = page.locator(".approval-card")
    expect(card.locator(".approval-summary")).to_have_text(
        "Add a pie-chart panel of articles to a new Insights dashboard “Assistant”"
    )
    with directus_reset.client() as http:
        assert http.get("/panels").json()["data"] == []  # nothing before the approval
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("button", name="Undo: Delete the 1 dashboard this created")).to_be_visible()
    with directus_reset.client() as http:
        panels = http.get("/panels").json()["data"]
    assert [(p["type"], p["options"]["column"], p["options"]["function"]) for p in panels] == [
        ("pie-chart", "status", "count")
    ]

    page.get_by_role("button", name="Undo: Delete the 1 dashboard this created").click()
    chat.answer("Undo")
    expect(page.locator(".tool-undo", has_text="Undone")).to_be_visible()
    with directus_reset.client() as http:
        assert http.get("/panels").json()["data"] == [] and http.get("/dashboards").json()["data"] == []


def test_a_chart_with_no_matching_panel_says_so(chat, directus, fake_provider):
    ask_chart(chat, MONTHLY, "Stacked")
    view = chat.page.locator(".chart-view").last
    expect(view.get_by_role("button", name="＋ Add to dashboard")).to_be_disabled()
    expect(view.locator(".chart-pin-note")).to_contain_text("Directus has no dashboard panel for a stacked bar chart")


def test_refresh_runs_the_query_again_and_a_second_pin_adds_to_the_same_dashboard(chat, directus_reset):
    page = chat.page
    ask_chart(chat, BY_STATUS, "By status")
    view = page.locator(".chart-view").last
    with directus_reset.client() as http:
        http.patch("/items/articles/1", json={"status": "draft"}).raise_for_status()
    view.get_by_role("button", name="↻ Refresh").click()
    expect(view.locator(".chart-summary")).to_contain_text("Pie chart of articles")
    view.get_by_text("Show data").click()
    expect(view.locator("tbody tr", has_text="draft").locator("td").nth(1)).to_have_text("3")

    for expected in ("a new Insights dashboard “Assistant”", "the existing Insights dashboard “Assistant”"):
        view.get_by_role("button", name="＋ Add to dashboard").click()
        expect(page.locator(".approval-card .approval-summary")).to_contain_text(expected)
        page.get_by_role("button", name="Approve").click()
        expect(page.locator(".approval-card")).to_have_count(0)
        expect(page.locator(".tool-card[data-status=done] .tool-name", has_text="dashboard")).to_have_count(
            1 if "new" in expected else 2
        )
    with directus_reset.client() as http:
        dashboards = http.get("/dashboards").json()["data"]
        panels = http.get("/panels").json()["data"]
    assert len(dashboards) == 1 and len(panels) == 2 and {p["dashboard"] for p in panels} == {dashboards[0]["id"]}


def test_an_items_read_shows_a_sortable_table_with_a_csv(chat, directus):
    page = chat.page
    read = {"action": "read", "collection": "articles", "query": {"fields": ["title", "views"], "limit": 5}}
    chat.send("Read [[call items %s]]" % json.dumps(read))
    page.get_by_role("button", name="Approve").click()
    card = page.locator(".tool-card[data-status=done]").last
    card.get_by_text("Table", exact=True).click()
    table = card.locator("table.data-table")
    table.get_by_role("button", name="views").click()
    views = [int(v) for v in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert len(views) == 5 and views == sorted(views)
    table.get_by_role("button", name="views").click()
    again = [int(v) for v in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert again == sorted(views, reverse=True)
    with page.expect_download() as download:
        card.get_by_role("button", name="⤓ CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[0] == ["title", "views"] and sorted(int(r[1]) for r in rows[1:]) == sorted(views)


TICK_COLOUR = """() => {
  const canvas = document.querySelectorAll(".chart-view canvas");
  return Chart.getChart(canvas[canvas.length - 1]).options.scales.y.ticks.color;
}"""


def test_a_chart_follows_light_and_dark(chat, directus):
    page = chat.page
    ask_chart(chat, {**BY_STATUS, "chart": "bar"}, "Bars")
    light = page.evaluate(TICK_COLOUR)
    page.emulate_media(color_scheme="dark")
    try:
        page.wait_for_function("light => (" + TICK_COLOUR + ")() !== light", arg=light)
    finally:
        page.emulate_media(color_scheme="light")


def test_a_chart_shows_in_another_tab_and_a_refresh_there_too(chat, directus_reset, browser_context):
    from tests.fixtures.app import ChatApp
    from tests.fixtures.browser import PageGuard, watch

    ask_chart(chat, BY_STATUS, "By status, for two tabs")
    guard = PageGuard()
    guard.allow(directus_reset.url)
    other = browser_context.new_page()
    watch(other, guard)
    tab = ChatApp(other, guard, chat.url)
    try:
        tab.reload()  # opens the newest conversation: the chart's
        view = other.locator(".chart-view[data-drawn]")
        expect(view).to_be_visible()
        view.get_by_text("Show data").click()
        expect(view.locator("tbody tr", has_text="published").locator("td").nth(1)).to_have_text("8")
        with directus_reset.client() as http:
            http.patch("/items/articles/1", json={"status": "archived"}).raise_for_status()
        chat.page.locator(".chart-view").last.get_by_role("button", name="↻ Refresh").click()
        expect(view.locator("tbody tr", has_text="published").locator("td").nth(1)).to_have_text("7")
        assert guard.problems() == []
    finally:
        other.close()
