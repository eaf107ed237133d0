"""The tool modes in the settings dialog, end to end: search, disabled, "allow all reads", "always ask for deletes",
and the scopes "Always allow" on an approval card adds (one tool and action, listed and removable in Settings).

The shared chat page (tests/fixtures/app.py: admin demo token, every provider at the fake). Each test puts the
tool settings back as it found them (Ask everywhere, reads ask, deletes always ask, no scope allowed).
"""

from __future__ import annotations

import json
import re
from typing import Iterator, Optional

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def call(name: str, args: dict) -> str:
    return "[[call %s %s]]" % (name, json.dumps(args))


READ = call("items", {"action": "read", "collection": "articles", "query": {"fields": ["id", "title"], "limit": 2}})
DELETE = call("items", {"action": "delete", "collection": "articles", "keys": [3]})
UPDATE = call("items", {"action": "update", "collection": "articles", "keys": [3], "data": {"title": "Not asked"}})


def set_tools(
    chat,
    modes: Optional[dict] = None,
    allow_reads: Optional[bool] = None,
    confirm_destructive: Optional[bool] = None,
    clear_scopes: bool = False,
) -> None:
    page = chat.page
    page.get_by_role("button", name="Settings").click()
    if clear_scopes:
        remove = page.locator("#allowed-scope-list [data-action=remove-scope]")
        while remove.count():
            remove.first.click()
    for tool, mode in (modes or {}).items():
        page.get_by_label(tool, exact=True).select_option(mode)
    if allow_reads is not None:
        page.get_by_label("Allow all reads without asking").set_checked(allow_reads)
    if confirm_destructive is not None:
        page.get_by_label("Always ask for deletes and bulk writes").set_checked(confirm_destructive)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#settings-dialog")).to_be_hidden()


@pytest.fixture
def tools_reset(chat) -> Iterator[None]:
    yield
    if chat.page.locator("#settings-dialog[open]").count():
        chat.page.get_by_role("button", name="Cancel").click()
    chat.stop_if_busy()
    set_tools(chat, {"items": "ask", "files": "ask"}, allow_reads=False, confirm_destructive=True, clear_scopes=True)


def test_the_search_box_filters_the_tools(chat):
    page = chat.page
    page.get_by_role("button", name="Settings").click()
    rows = page.locator("#tool-rows .tool-row")
    everything = rows.count()
    page.get_by_label("Search tools").fill("FLOW")
    expect(rows.locator("visible=true")).to_have_count(2)
    assert sorted(rows.locator("visible=true").evaluate_all("rs => rs.map(r => r.dataset.tool)")) == [
        "flows",
        "trigger_flow",
    ]
    page.get_by_label("Search tools").fill("no such tool")
    expect(rows.locator("visible=true")).to_have_count(0)
    page.get_by_label("Search tools").fill("")
    expect(rows.locator("visible=true")).to_have_count(everything)
    page.get_by_role("button", name="Cancel").click()


def test_a_disabled_tool_is_not_offered_to_the_model(chat, fake_provider, tools_reset):
    chat.send("First")
    expect(chat.last_answer()).to_contain_text("You said: First")
    assert "files" in fake_provider.last.tool_names

    set_tools(chat, {"files": "disabled"})
    chat.send("Second")
    expect(chat.last_answer()).to_contain_text("You said: Second")
    offered = fake_provider.last.tool_names
    assert "files" not in offered and "items" in offered, offered


def test_allow_all_reads_runs_a_read_without_asking(chat, tools_reset):
    page = chat.page
    set_tools(chat, allow_reads=True)
    chat.send("Two titles please " + READ)
    expect(chat.last_answer()).to_contain_text("Done: items")
    expect(page.locator(".tool-card[data-status=done]")).to_have_count(1)
    expect(page.locator(".approval-card")).to_have_count(0)


def test_deletes_still_ask_when_the_tool_is_always_allowed(chat, directus, tools_reset):
    page = chat.page
    set_tools(chat, {"items": "always"})
    chat.send("Read first " + READ)  # "always" is in effect: a read runs at once
    expect(chat.last_answer()).to_contain_text("Done: items")
    expect(page.locator(".approval-card")).to_have_count(0)

    chat.send("Now delete article 3 " + DELETE)
    card = page.locator(".approval-card")
    expect(card).to_be_visible()
    expect(card.locator(".approval-summary")).to_contain_text("Delete")
    expect(card).to_contain_text("Deletes data")
    page.get_by_role("button", name="Deny").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    with directus.client() as http:
        assert http.get("/items/articles/3").status_code == 200  # still there


def title_of(directus, key: int) -> str:
    with directus.client() as http:
        return http.get(f"/items/articles/{key}", params={"fields": "title"}).json()["data"]["title"]


def test_always_on_a_read_allows_that_read_only_and_settings_lists_it(chat, directus, tools_reset):
    page = chat.page
    before = title_of(directus, 3)
    card = page.locator(".approval-card")
    chat.send("Two titles please " + READ)
    always = card.get_by_role("button", name="Always allow items: read")  # exactly what will stop asking
    expect(always).to_have_attribute("title", re.compile(r"run items: read without asking.*Deletes.* still ask"))
    always.click()
    expect(chat.last_answer()).to_contain_text("Done: items")

    chat.send("Again " + READ)  # the scope allowed: a read of that tool runs at once
    expect(chat.last_answer()).to_contain_text("Done: items")
    expect(page.locator(".tool-card[data-status=done]")).to_have_count(2)
    expect(card).to_have_count(0)

    chat.send("Now change one " + UPDATE)  # the same tool's writes still ask (it used to allow the whole tool)
    expect(card.locator(".approval-summary")).to_have_text("Update 1 item in articles (id 3)")
    expect(card.get_by_role("button", name="Always allow items: update")).to_be_visible()
    card.get_by_role("button", name="Deny").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    assert title_of(directus, 3) == before

    page.get_by_role("button", name="Settings").click()
    expect(page.get_by_label("items", exact=True)).to_have_value("ask")  # the tool's mode is untouched
    expect(page.locator("#allowed-scope-list code")).to_have_text(["items: read"])
    page.get_by_role("button", name="Ask again for items: read").click()
    expect(page.locator("#allowed-scope-list code")).to_have_count(0)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#settings-dialog")).to_be_hidden()

    chat.send("Once more " + READ)  # removed: reads of items ask again
    expect(card.locator(".approval-summary")).to_contain_text("articles")
    card.get_by_role("button", name="Deny").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    chat.reload()  # kept removed
    page.get_by_role("button", name="Settings").click()
    expect(page.locator("#allowed-scope-list code")).to_have_count(0)
    page.get_by_role("button", name="Cancel").click()
