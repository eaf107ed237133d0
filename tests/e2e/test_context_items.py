"""Items pinned as context, end to end: by the picker (search by display template), by a pasted Data Studio URL and
by the `#context=` address; each reaches the fake provider with the values Directus has at send time, and the sent
message shows it as a chip that links to the item."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def sent_text(fake_provider) -> str:
    return json.dumps(fake_provider.requests_for()[-1].body, ensure_ascii=False)


def retitle(directus, key: int, title: str) -> None:
    with directus.client() as admin:
        assert admin.patch(f"/items/articles/{key}", json={"title": title}).status_code == 200


def test_an_item_picked_by_search_reaches_the_model_with_its_current_values(chat, directus_reset, fake_provider):
    page = chat.page
    page.get_by_role("button", name="Add context").click()
    dialog = page.get_by_role("dialog", name="Add context")
    collection = dialog.get_by_role("combobox", name="Collection")
    expect(collection.get_by_role("option", name="articles", exact=True)).to_have_count(1)  # the user's collections
    collection.select_option("articles")
    dialog.get_by_role("searchbox", name="Search items").fill("analytical")
    choice = dialog.get_by_role("button", name="Notes on the Analytical Engine · 1")
    expect(choice).to_have_count(1)
    expect(dialog.locator(".context-choice")).to_have_count(1)
    choice.click()
    dialog.get_by_role("button", name="Done").click()
    chips = page.locator("#composer-chips")
    expect(chips.locator(".context-chip")).to_have_text(["articlesNotes on the Analytical Engine×"])

    retitle(directus_reset, 1, "Retitled after pinning")  # the model reads what is there when the message is sent
    chat.send("What is this article about?")
    expect(chat.last_answer()).to_contain_text("Retitled after pinning")  # the fake echoes what it was sent
    expect(page.locator("body")).not_to_have_attribute("data-busy", "1")
    body = sent_text(fake_provider)
    assert "Pinned item articles/1" in body and "Retitled after pinning" in body
    assert "%s/admin/content/articles/1" % directus_reset.url in body
    expect(chips.locator(".context-chip")).to_have_count(0)  # pinned to that message only
    link = page.locator("article.message.user").last.get_by_role("link", name="articles Notes on the Analytical Engine")
    expect(link).to_have_attribute("href", "%s/admin/content/articles/1" % directus_reset.url)


def test_a_pasted_item_url_pins_it_and_a_chip_can_be_removed(chat, directus, fake_provider):
    page = chat.page
    page.get_by_role("button", name="Add context").click()
    dialog = page.get_by_role("dialog", name="Add context")
    url_box = dialog.get_by_role("textbox", name="Or paste an item's URL from Directus")
    url_box.fill("https://elsewhere.example.com/admin/content/articles/2")
    dialog.get_by_role("button", name="Pin URL").click()
    expect(dialog.get_by_role("status").filter(has_text="not an item's URL")).to_be_visible()
    url_box.fill(directus.url + "/admin/content/articles/2")
    dialog.get_by_role("button", name="Pin URL").click()
    url_box.fill(directus.url + "/admin/content/categories/1")
    dialog.get_by_role("button", name="Pin URL").click()
    dialog.get_by_role("button", name="Done").click()
    chips = page.locator("#composer-chips .context-chip")
    expect(chips).to_have_count(2)
    with directus.client() as admin:
        category = admin.get("/items/categories/1").json()["data"]["name"]
    page.get_by_role("button", name="Remove " + category).click()  # labelled by the display template once read
    expect(chips).to_have_count(1)

    with directus.client() as admin:
        title = admin.get("/items/articles/2").json()["data"]["title"]
    chat.send("Read the pinned article")
    expect(chat.last_answer()).to_contain_text("Read the pinned article")
    expect(page.locator("body")).not_to_have_attribute("data-busy", "1")
    body = sent_text(fake_provider)
    assert "Pinned item articles/2" in body and json.dumps(title)[1:-1] in body and "categories/1" not in body


def test_the_context_address_pins_items_and_refuses_what_is_not_one(chat, directus, fake_provider):
    page = chat.page
    address = "#context=articles/3&context=../users/1,articles/4"
    page.evaluate("a => history.replaceState(null, '', a)", address)  # the app is open: a new hash would not load it
    page.reload()
    page.wait_for_selector("body[data-ready]", state="attached")
    expect(page.locator("#composer-chips .context-chip")).to_have_count(2)
    expect(page.get_by_text("1 context entries in the address were not item references")).to_be_visible()
    assert page.evaluate("() => location.hash") == ""  # read once: a reload does not pin them again
    expect(page.locator("#connection-badge")).to_have_attribute("data-status", "connected")
    with directus.client() as admin:
        titles = [admin.get(f"/items/articles/{k}").json()["data"]["title"] for k in (3, 4)]
    expect(page.locator("#composer-chips .context-chip .chip-name")).to_have_text(titles)  # by display template
    chat.send("Compare these two")
    expect(chat.last_answer()).to_contain_text("Compare these two")
    expect(page.locator("body")).not_to_have_attribute("data-busy", "1")
    body = sent_text(fake_provider)
    assert all(json.dumps(t)[1:-1] in body for t in titles)
    assert "Pinned item articles/3" in body and "Pinned item articles/4" in body and "users" not in body
    expect(page.locator("#composer-chips .context-chip")).to_have_count(0)
    page.evaluate("() => { location.hash = 'context=articles/5' }")  # later (a window holding this one can): no pin
    expect(page.get_by_text("The address changed to pin Directus items; they were not pinned")).to_be_visible()
    expect(page.locator("#composer-chips .context-chip")).to_have_count(0)
