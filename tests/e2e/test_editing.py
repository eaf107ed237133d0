"""Editing in the page: edit and re-send the last message, regenerate, the composer's keys, and the keyboard on
approval cards (Tab order, focus, Esc). The shared chat page (tests/fixtures/app.py), a new conversation each."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.script import Step

pytestmark = pytest.mark.e2e


def update(key: int, title: str) -> str:
    args = {"action": "update", "collection": "articles", "keys": [key], "data": {"title": title}}
    return "[[call items %s]]" % json.dumps(args)


def test_edit_the_last_message_and_resend_replaces_the_answer_and_keeps_the_old_version(chat, fake_provider):
    page = chat.page
    box = page.get_by_role("textbox", name="Message")
    chat.send("What is Directus?")
    expect(chat.last_answer()).to_contain_text("You said: What is Directus?")

    page.locator("article.message.user").get_by_role("button", name="Edit").click()
    expect(box).to_have_value("What is Directus?")
    expect(box).to_be_focused()
    box.fill("What is a flow in Directus?")
    box.press("Enter")
    expect(chat.last_answer()).to_contain_text("You said: What is a flow in Directus?")
    expect(page.locator("article.message.user")).to_have_count(1)
    expect(page.locator("article.message.user")).to_contain_text("What is a flow in Directus?")
    expect(page.locator("article.message.assistant")).to_have_count(1)
    expect(page.locator("#conversation")).not_to_contain_text("You said: What is Directus?")
    expect(box).to_have_value("")
    # the model saw the edited question only
    user_texts = json.dumps(fake_provider.last.body["messages"])
    assert "What is a flow" in user_texts and "What is Directus?" not in user_texts

    # the first version is kept: the user can go back to it, after a reload too, and forth again
    versions = page.locator("article.message.user").get_by_role("group", name="Versions")
    expect(versions).to_contain_text("2 / 2")
    expect(versions.get_by_role("button", name="Next version")).to_be_disabled()
    versions.get_by_role("button", name="Previous version").focus()
    page.keyboard.press("Enter")  # by keyboard: the focus stays in the versions (on "›", "‹" is now disabled)
    expect(versions).to_contain_text("1 / 2")
    expect(versions.get_by_role("button", name="Next version")).to_be_focused()
    expect(page.locator("article.message.user .user-text")).to_have_text("What is Directus?")
    expect(chat.last_answer()).to_contain_text("You said: What is Directus?")
    chat.reload()
    expect(versions).to_contain_text("1 / 2")
    expect(chat.last_answer()).to_contain_text("You said: What is Directus?")
    versions.get_by_role("button", name="Next version").click()
    expect(chat.last_answer()).to_contain_text("You said: What is a flow in Directus?")
    expect(page.locator("article.message.assistant")).to_have_count(1)


def test_escape_cancels_an_edit(chat):
    page = chat.page
    box = page.get_by_role("textbox", name="Message")
    chat.send("Keep me")
    expect(chat.last_answer()).to_contain_text("You said: Keep me")
    page.locator("article.message.user").get_by_role("button", name="Edit").click()
    expect(box).to_have_value("Keep me")
    box.press("Escape")
    expect(box).to_have_value("")
    box.fill("A new question")
    box.press("Enter")  # a new message, not an edit
    expect(page.locator("article.message.user")).to_have_count(2)
    expect(chat.last_answer()).to_contain_text("You said: A new question")


def test_regenerate_replaces_the_last_answer_and_keeps_the_old_one(chat, fake_provider):
    page = chat.page
    fake_provider.script(Step(text="A first, weak answer."), Step(text="A better second answer."))
    chat.send("Explain relations")
    expect(chat.last_answer()).to_contain_text("A first, weak answer.")
    page.get_by_role("button", name="Regenerate").click()
    expect(chat.last_answer()).to_contain_text("A better second answer.")
    expect(page.locator("article.message.assistant")).to_have_count(1)
    expect(page.locator("#conversation")).not_to_contain_text("A first, weak answer.")
    expect(page.locator("article.message.user")).to_have_count(1)
    assert len(fake_provider.requests_for()) == 2
    page.get_by_role("button", name="Previous version").click()  # the first answer is kept
    expect(chat.last_answer()).to_contain_text("A first, weak answer.")
    expect(page.locator("article.message.assistant")).to_have_count(1)


def test_enter_sends_and_shift_enter_adds_a_line(chat, fake_provider):
    page = chat.page
    box = page.get_by_role("textbox", name="Message")
    box.click()
    box.press("Enter")  # nothing to send
    box.type("line one")
    box.press("Shift+Enter")
    box.type("line two")
    expect(box).to_have_value("line one\nline two")
    expect(page.locator("article.message.user")).to_have_count(0)
    assert fake_provider.requests_for() == []
    box.press("Enter")
    expect(page.locator("article.message.user .user-text")).to_have_text("line one\nline two")
    expect(box).to_have_value("")
    expect(chat.last_answer()).to_contain_text("You said: line one")
    assert len(fake_provider.requests_for()) == 1


def test_approval_cards_by_keyboard_tab_order_and_escape(chat, directus_reset):
    page = chat.page
    chat.send("Two changes " + update(7, "Not this") + " " + update(8, "Nor this"))
    cards = page.locator(".approval-card")
    expect(cards).to_have_count(2)
    first, second = cards.nth(0), cards.nth(1)
    # The focus stays in the message box (a card used to take it, and a typed space pressed Approve: issue 12);
    # Alt+A brings it to the first card's region, not a button, and Tab goes on to its buttons once they are armed.
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    page.keyboard.press("Alt+A")
    expect(first).to_be_focused()
    expect(second.get_by_role("button", name="Approve")).to_be_enabled()  # both armed (a moment after they show)
    approve1 = first.get_by_role("button", name="Approve")
    for _ in range(3):  # its "Arguments" toggle (and the arguments box when it scrolls), then Approve
        page.keyboard.press("Tab")
        assert first.evaluate("card => card.contains(document.activeElement)")
        if approve1.evaluate("b => b === document.activeElement"):
            break
    expect(approve1).to_be_focused()
    page.keyboard.press("Tab")
    expect(first.get_by_role("button", name="Deny")).to_be_focused()
    page.keyboard.press("Tab")
    expect(first.get_by_role("button", name="Always allow")).to_be_focused()
    # Then into the second card: its "Arguments" toggle (and the arguments box when it scrolls), then Approve.
    approve2 = second.get_by_role("button", name="Approve")
    for _ in range(3):
        page.keyboard.press("Tab")
        assert second.evaluate("card => card.contains(document.activeElement)")
        if approve2.evaluate("b => b === document.activeElement"):
            break
    expect(approve2).to_be_focused()

    page.keyboard.press("Escape")  # denies the card that has the focus: the second one
    expect(cards).to_have_count(1)
    expect(cards.first.locator(".approval-summary")).to_contain_text("id 7")
    expect(cards.first).to_be_focused()  # focus stays on the approvals: the card's region, never a button (issue 12)
    page.keyboard.press("Escape")
    expect(cards).to_have_count(0)
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()  # back where the user writes
    expect(chat.last_answer()).to_contain_text("Done: items")
    expect(page.locator(".tool-card[data-status=denied]")).to_have_count(2)
    expect(page.get_by_role("textbox", name="Message")).to_be_enabled()
    with directus_reset.client() as http:
        titles = [http.get("/items/articles/%d" % k).json()["data"]["title"] for k in (7, 8)]
    assert "Not this" not in titles and "Nor this" not in titles
