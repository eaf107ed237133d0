"""The keyboard alone: a whole task without a mouse (configure, ask, approve, stop, retry, rename, export), reached
with Tab in the page's own order; and the shortcuts of the "Keyboard shortcuts" dialog, which never fire while the
user types in a field and never approve anything.

One page serves the module (tests/fixtures/app.py `chat`); nothing here clicks.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.script import Step

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.e2e

READ = {"action": "read", "collection": "articles", "keys": [2], "query": {"fields": ["id", "title"]}}
ASK = "Read article 2 [[call items %s]]" % json.dumps(READ)


def focused(locator: Locator) -> bool:
    return bool(locator.evaluate("el => el === document.activeElement"))


def tab_to(page: Page, locator: Locator, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until `locator` has the focus: it is reachable by keyboard, in the page's order."""
    expect(locator).to_be_visible()
    for _ in range(limit):
        if focused(locator):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(
        "%s was not reached with %d presses of %s" % (locator, limit, "Shift+Tab" * backwards or "Tab")
    )


def type_and_send(page: Page, words: str) -> None:
    page.keyboard.press("Escape")  # (nothing to cancel: Esc outside a card and an edit does nothing)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("m")  # the message box
    box = page.get_by_role("textbox", name="Message")
    expect(box).to_be_focused()
    page.keyboard.insert_text(words)
    page.keyboard.press("Enter")


def test_a_whole_task_without_a_mouse(chat, fake_provider, tmp_path):
    page = chat.page
    box = page.get_by_role("textbox", name="Message")

    # Configure: Settings, the system prompt, Save.
    tab_to(page, page.get_by_role("button", name="Settings"), backwards=True)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Settings")
    expect(dialog).to_be_visible()
    prompt = page.locator("#set-system-prompt")
    tab_to(page, prompt)
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("Answer briefly.")
    tab_to(page, dialog.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()

    # Ask; approve the call it makes (Alt+A goes to the card, Tab to its Approve).
    type_and_send(page, ASK)
    card = page.locator(".approval-card[data-armed]")
    expect(card).to_be_visible()
    page.keyboard.press("Alt+A")
    expect(page.locator(".approval-card")).to_be_focused()
    tab_to(page, card.get_by_role("button", name="Approve"))
    page.keyboard.press("Enter")
    expect(chat.last_answer()).to_contain_text("Done: items")
    assert "Answer briefly." in json.dumps(fake_provider.last.body)  # the setting reached the model

    # Stop a long answer (Tab from the message box to Stop).
    fake_provider.script(Step(text="A slow answer. " * 60, delivery="slow", delay=0.05, chunk=6))
    type_and_send(page, "Tell me something long")
    expect(chat.last_answer()).to_contain_text("A slow answer")
    tab_to(page, page.get_by_role("button", name="Stop"))
    page.keyboard.press("Enter")
    expect(chat.last_answer().locator(".badge")).to_have_text("Stopped")

    # Retry a failed answer (Shift+Tab from the message box back to the message's Retry).
    fake_provider.script(Step(text="I started", fail_after="server_error"), Step(text="Second time lucky."))
    type_and_send(page, "Hello")
    expect(chat.last_answer().locator(".message-error")).to_be_visible()
    tab_to(page, box)
    tab_to(page, chat.last_answer().get_by_role("button", name="Retry"), backwards=True)
    page.keyboard.press("Enter")
    expect(chat.last_answer()).to_contain_text("Second time lucky.")

    # Rename the conversation: "/" goes to the search box, Tab on to the conversation's Rename.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search conversations")).to_be_focused()
    tab_to(page, page.locator(".conv-item.current").get_by_role("button", name="Rename"))
    page.keyboard.press("Enter")
    title = page.locator("#ask-dialog").get_by_role("textbox")
    expect(title).to_be_focused()
    page.keyboard.insert_text("Keyboard only")
    page.keyboard.press("Enter")
    expect(page.locator(".conv-item.current .conv-title")).to_have_text("Keyboard only")

    # Export it.
    export = page.get_by_role("button", name="Export Keyboard only (JSON)")
    tab_to(page, export, backwards=True)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    path = tmp_path / "export.json"
    download.value.save_as(path)
    assert "Keyboard only" in path.read_text()


def test_shortcuts_move_the_focus_and_start_things_but_never_in_a_field_and_never_approve(chat, fake_provider):
    page = chat.page
    box = page.get_by_role("textbox", name="Message")
    expect(box).to_be_focused()
    page.keyboard.type("n/s")  # typing in the box is typing
    expect(box).to_have_value("n/s")
    box.fill("")

    chat.send(ASK)
    card = page.locator(".approval-card[data-armed]")
    expect(card).to_be_visible()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("a")  # goes to the waiting card...
    expect(page.locator(".approval-card")).to_be_focused()
    for key in ("Enter", " ", "a", "y"):  # ...and no key on it approves
        page.keyboard.press(key)
    chat.rendered()
    expect(page.locator(".approval-card")).to_be_visible()
    assert len(fake_provider.requests_for()) == 1  # nothing ran, nothing went back to the model
    page.keyboard.press("Escape")  # Esc denies the card in focus (it is armed)
    expect(page.locator(".approval-card")).to_have_count(0)
    expect(chat.last_answer()).to_contain_text("Done: items")

    fake_provider.script(Step(text="Streaming on. " * 80, delivery="slow", delay=0.05, chunk=6))
    chat.send("Long one")
    expect(chat.last_answer()).to_contain_text("Streaming on.")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("s")  # stop
    expect(chat.last_answer().locator(".badge")).to_have_text("Stopped")

    first = page.locator(".conv-item.current").get_attribute("data-id")
    page.keyboard.press("n")  # a new conversation, the box focused
    expect(box).to_be_focused()
    chat.send("Second conversation")
    expect(chat.last_answer()).to_contain_text("You said")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")  # the next one in the list: the first conversation
    expect(page.locator(".conv-item.current")).to_have_attribute("data-id", first)
    expect(page.locator("#turn-status")).to_contain_text("Opened")
    page.keyboard.press("k")  # and back
    expect(page.locator(".conv-item.current")).not_to_have_attribute("data-id", first)

    page.keyboard.press("?")  # single keys can be turned off
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    switch = dialog.get_by_role("checkbox", name="Single-key shortcuts (n, m, /, j, k, s, a, ?)")
    expect(switch).to_be_checked()
    tab_to(page, switch, backwards=True)
    page.keyboard.press("Space")
    expect(switch).not_to_be_checked()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    current = page.locator(".conv-item.current").get_attribute("data-id")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    chat.rendered()
    expect(page.locator(".conv-item.current")).to_have_attribute("data-id", current)
    page.evaluate("localStorage.removeItem('da.shortcuts')")


def test_every_conversations_buttons_are_reachable_and_a_closed_list_is_not(chat):
    page = chat.page
    chat.send("The first one")
    expect(chat.last_answer()).to_contain_text("You said")
    chat.new_conversation()
    chat.send("The second one")
    expect(chat.last_answer()).to_contain_text("You said")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    other = page.locator(".conv-item:not(.current)").first  # its buttons show on hover; Tab reaches them too
    rename = other.get_by_role("button", name="Rename The first one")
    tab_to(page, rename)
    assert rename.evaluate("el => getComputedStyle(el).opacity") == "1"

    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        expect(page.locator("#sidebar")).to_be_hidden()  # a drawer, closed
        page.get_by_role("textbox", name="Message").focus()
        for _ in range(30):  # the closed list is out of the way of Tab
            page.keyboard.press("Tab")
            assert not page.evaluate("document.getElementById('sidebar').contains(document.activeElement)")
        toggle = page.get_by_role("button", name="Conversations")
        tab_to(page, toggle, backwards=True)
        page.keyboard.press("Enter")  # opened: the keyboard goes into it
        expect(page.get_by_role("button", name="New conversation")).to_be_focused()
        page.keyboard.press("Escape")  # and Esc closes it, back on its button
        expect(toggle).to_be_focused()
        expect(page.locator("#sidebar")).not_to_be_in_viewport()
    finally:
        page.locator("body").evaluate("b => b.classList.remove('sidebar-open')")
        page.set_viewport_size(size)
