"""What the user sees around a call to judge it. A tool card links to what the call touches in Directus's own app
(app/directus/links.py), before approving and after; the approval prompt of an update lists each value it will
change, now -> after (app/directus/changes.py). A page of its own: tool modes as seeded (every tool asks)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_tool_card_links_to_the_item_it_changes_in_directus(chat, directus_reset):
    page = chat.page
    args = {"action": "update", "collection": "articles", "keys": [7], "data": {"title": "Linked from the card"}}
    chat.send("Retitle article 7 [[call items %s]]" % json.dumps(args))
    card = page.locator("#conversation .tool-card")
    expect(card).to_have_attribute("data-status", "approval")
    link = card.get_by_role("link", name="articles 7")  # there to check the item before approving
    expect(link).to_have_attribute("href", directus_reset.url.rstrip("/") + "/admin/content/articles/7")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")  # Directus's app gets no handle on this page

    page.get_by_role("button", name="Approve").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    expect(card).to_have_attribute("data-status", "done")
    expect(card.get_by_role("link", name="articles 7")).to_be_visible()


def test_the_approval_prompt_of_an_update_shows_each_value_now_and_after(chat, directus_reset):
    page = chat.page
    with directus_reset.client() as http:
        title = http.get("/items/articles/8", params={"fields": "title"}).json()["data"]["title"]
    args = {
        "action": "update",
        "collection": "articles",
        "keys": [8],
        "data": {"title": "A better title", "views": 430},
    }
    chat.send("Retitle article 8 [[call items %s]]" % json.dumps(args))
    changes = page.locator(".approval-card .approval-changes")
    expect(changes).to_be_visible()
    expect(changes.locator("li")).to_have_text(['articles 8 · title: "%s" → "A better title"' % title])  # views: same
    expect(page.locator(".approval-card .approval-args")).not_to_have_attribute("open", "")  # one click away
    expect(page.get_by_role("button", name="Approve")).to_be_in_viewport()
    page.get_by_role("button", name="Deny").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
