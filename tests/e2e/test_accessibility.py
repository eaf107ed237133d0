"""WCAG 2.2 AA, checked by axe-core (tests/fixtures/axe.py) on every state of the page, in light and dark, wide and
narrow; and what a screen reader finds: named tool cards, live regions that say when an answer ends, an approval
waits or the connection changes (without reading the stream), motion that stops when the user asks for less.

One page serves the module (tests/fixtures/app.py `chat`); each test starts a new conversation.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.script import Step

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

READ = {"action": "read", "collection": "articles", "keys": [1], "query": {"fields": ["id", "title"]}}


def call(name: str, args: dict) -> str:
    return "[[call %s %s]]" % (name, json.dumps(args))


def both_schemes(axe, page: Page, state: str, **kwargs) -> None:
    axe.check(page, state + " (light)", dark=False, **kwargs)
    axe.check(page, state + " (dark)", dark=True, **kwargs)


def test_the_empty_conversation(chat, axe):
    expect(chat.page.locator(".empty-state")).to_be_visible()
    both_schemes(axe, chat.page, "the empty conversation")


def test_a_streaming_answer(chat, axe, fake_provider):
    page = chat.page
    fake_provider.script(Step(text="# Heading\n\nA slow answer. " * 40, delivery="slow", delay=0.05, chunk=6))
    chat.send("Tell me something long")
    expect(chat.last_answer()).to_contain_text("A slow answer")
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    both_schemes(axe, page, "a streaming answer")
    page.get_by_role("button", name="Stop").click()
    expect(chat.last_answer().locator(".badge")).to_have_text("Stopped")
    both_schemes(axe, page, "a stopped answer")


def test_an_approval_pending_and_a_finished_turn(chat, axe):
    page = chat.page
    chat.send("Read it. " + call("items", READ))
    card = page.locator(".approval-card[data-armed]")
    expect(card).to_be_visible()
    both_schemes(axe, page, "an approval waiting")
    card.get_by_role("button", name="Approve").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    both_schemes(axe, page, "a finished turn with a tool card")


def test_an_error(chat, axe, fake_provider):
    fake_provider.script(Step(text="I started", fail_after="server_error"))
    chat.send("Hello")
    expect(chat.last_answer().locator(".message-error")).to_be_visible()
    both_schemes(axe, chat.page, "an answer that failed")


def test_the_settings_dialog(chat, axe):
    page = chat.page
    page.get_by_role("button", name="Settings").click()
    dialog = page.get_by_role("dialog", name="Settings")
    expect(dialog).to_be_visible()
    both_schemes(axe, page, "the settings dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()


def test_the_prompts_dialog(chat, axe):
    page = chat.page
    page.get_by_role("button", name="Prompts").click()
    expect(page.get_by_role("dialog", name="Prompts")).to_be_visible()
    both_schemes(axe, page, "the prompts dialog")
    page.locator("#prompts-dialog").get_by_role("button", name="Summarize an article").click()
    expect(page.get_by_label("the article's title")).to_be_focused()
    both_schemes(axe, page, "a prompt asking for its values")
    page.keyboard.press("Escape")
    expect(page.locator("#prompts-dialog")).to_be_hidden()


def test_an_import_with_a_broken_conversation(chat, axe, tmp_path):
    page = chat.page
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"format": "directus-assistant", "conversations": [{"id": 7}]}))
    page.locator("#import-file").set_input_files(str(broken))
    expect(page.locator(".notice")).to_be_visible()
    both_schemes(axe, page, "the notice of an import")
    page.locator(".notice").get_by_role("button", name="Dismiss").first.click()


def test_the_mobile_layout(chat, axe):
    page = chat.page
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        both_schemes(axe, page, "the narrow layout")
        page.get_by_role("button", name="Conversations").click()
        expect(page.locator("#sidebar")).to_be_in_viewport()
        both_schemes(axe, page, "the narrow layout with the conversation list open")
        page.get_by_role("button", name="Conversations").first.press("Escape")
    finally:
        page.locator("body").evaluate("b => b.classList.remove('sidebar-open')")
        page.set_viewport_size(size)
