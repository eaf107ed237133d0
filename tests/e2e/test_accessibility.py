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


def test_the_keyboard_shortcuts_dialog(chat, axe):
    page = chat.page
    page.keyboard.press("?")  # in the message box it is a question mark...
    expect(page.get_by_role("textbox", name="Message")).to_have_value("?")
    page.get_by_role("textbox", name="Message").fill("")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("?")  # ...elsewhere the list of shortcuts
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    both_schemes(axe, page, "the keyboard shortcuts dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_a_finished_turn_names_each_tool_card_with_its_tool_status_and_result(chat):
    page = chat.page
    chat.send("Read it. " + call("items", READ))
    page.locator(".approval-card[data-armed]").get_by_role("button", name="Approve").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    snapshot = page.locator("#conversation").aria_snapshot()
    card = page.get_by_role("group", name="Tool items, Read articles (id 1): Done")
    expect(card).to_be_visible()
    assert 'group "Tool items, Read articles (id 1): Done"' in snapshot, snapshot
    assert 'Result: { \\"data\\"' in snapshot or "Result: {" in snapshot, snapshot  # its disclosure names the result
    expect(card.get_by_text("Result", exact=True)).to_be_visible()
    expect(page.get_by_role("article", name="Assistant").last).to_be_visible()  # message articles have names
    expect(page.get_by_role("article", name="You said").last).to_be_visible()


def test_live_regions_say_when_an_answer_ends_not_every_token(chat, fake_provider):
    page = chat.page
    fake_provider.script(Step(text="A short answer in several pieces. " * 6, delivery="slow", delay=0.02, chunk=8))
    chat.send("Hello")
    expect(chat.last_answer()).to_have_attribute("aria-busy", "true")  # read once complete
    expect(page.locator("#turn-status")).to_have_text("The answer is complete.")
    expect(chat.last_answer()).not_to_have_attribute("aria-busy", "true")
    assert "A short answer" not in page.locator("[aria-live], [role=status], [role=alert]").all_inner_texts()
    chat.send("Read it. " + call("items", READ))  # an approval waiting is announced politely
    expect(page.locator("#announcer")).to_contain_text("Approval needed: Read articles (id 1).")
    page.locator(".approval-card[data-armed]").get_by_role("button", name="Deny").click()
    expect(page.locator("#announcer")).to_be_empty()
    expect(page.locator("#connection-badge")).to_have_attribute("role", "status")


def test_reduced_motion_stops_the_animations(chat, fake_provider):
    page = chat.page
    page.emulate_media(reduced_motion="reduce")
    try:
        fake_provider.script(Step(text="Streaming slowly. " * 40, delivery="slow", delay=0.05, chunk=6))
        chat.send("Hello")
        expect(chat.last_answer()).to_contain_text("Streaming slowly")
        caret = ".message[data-status=streaming] .md-tail > :last-child"
        assert page.eval_on_selector(caret, "el => getComputedStyle(el, '::after').animationName") == "none"
        page.get_by_role("button", name="Stop").click()
    finally:
        page.emulate_media(reduced_motion="no-preference")


def test_provider_trouble_shows_next_to_the_model_picker_with_the_way_to_fix_it(chat, axe, fake_provider):
    page = chat.page
    chat.guard.expect_console_error("status of 401")
    fake_provider.script(Step(error="bad_key"), "text")
    chat.send("Hello")
    status = page.locator("#provider-status")
    expect(status).to_contain_text("The provider rejected the API key.")
    expect(status).to_have_attribute("role", "status")
    both_schemes(axe, page, "provider trouble next to the model picker")
    status.get_by_role("button", name="Fix in Settings").click()
    dialog = page.get_by_role("dialog", name="Settings")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("textbox").and_(page.locator(":focus"))).to_have_count(1)  # its key field
    dialog.get_by_role("button", name="Cancel").click()
    chat.last_answer().get_by_role("button", name="Retry").click()
    expect(chat.last_answer()).to_contain_text("How can I help")
    expect(status).to_be_hidden()


def test_a_revoked_token_flips_the_header_within_one_call(chat, axe, directus_reset):
    page = chat.page
    chat.guard.expect_console_error("401")  # the browser logs the refused request
    with directus_reset.client() as http:
        me = http.get("/users/me", params={"fields": "id"}).json()["data"]["id"]
        assert http.patch(f"/users/{me}", json={"token": "revoked-in-the-test"}).status_code == 200
    try:
        chat.send("Read it. " + call("items", READ))
        page.locator(".approval-card[data-armed]").get_by_role("button", name="Approve").click()  # the one call
        badge = page.locator("#connection-badge")
        expect(badge).to_have_text("Directus: session expired: sign in again")
        expect(badge).to_have_attribute("role", "status")
        sign_in = page.get_by_role("button", name="Sign in again")
        expect(sign_in).to_be_visible()
        expect(chat.last_answer()).to_contain_text("The Directus token was refused")  # the model was told too
        both_schemes(axe, page, "the header after the session expired")
        sign_in.click()
        expect(page.locator("#set-directus-token")).to_be_focused()
        page.get_by_role("dialog", name="Settings").get_by_role("button", name="Cancel").click()
    finally:  # the admin's token back, signed in with the password, and the page connected again
        with directus_reset.client(token=None) as http:
            login = {"email": directus_reset.admin_email, "password": directus_reset.admin_password}
            access = http.post("/auth/login", json=login).json()["data"]["access_token"]
            headers = {"authorization": "Bearer " + access}
            assert http.patch(f"/users/{me}", json={"token": directus_reset.admin_token}, headers=headers).is_success
        chat.reload()


def test_a_question_from_the_assistant(chat, axe):
    page = chat.page
    ask = {"question": "Which sizes?", "options": ["S", "M", "L"], "multi": True}
    chat.send("[[call ask_user %s]]" % json.dumps(ask))
    card = page.get_by_role("region", name="Which sizes?")
    expect(card).to_be_visible()
    both_schemes(axe, page, "a question card")
    page.get_by_role("button", name="Stop").click()
    expect(card).to_have_count(0)


def test_the_add_context_dialog_and_pinned_chips(chat, axe, fake_provider):
    page = chat.page
    page.get_by_role("button", name="Add context").click()
    dialog = page.get_by_role("dialog", name="Add context")
    dialog.get_by_role("combobox", name="Collection").select_option("articles")
    expect(dialog.locator(".context-choice")).to_have_count(10)
    both_schemes(axe, page, "the Add context dialog")
    dialog.locator(".context-choice").first.click()
    dialog.get_by_role("button", name="Done").click()
    expect(page.locator("#composer-chips .context-chip")).to_have_count(1)
    both_schemes(axe, page, "a pinned item above the message box")
    chat.send("About this item")
    expect(page.locator("article.message.user").last.locator(".context-chip a")).to_have_count(1)
    expect(page.locator("body")).not_to_have_attribute("data-busy", "1")
    both_schemes(axe, page, "a sent message with a pinned item")


def test_a_chart_and_the_tables_of_a_result(chat, axe):
    page = chat.page
    by_status = {
        "action": "chart",
        "collection": "articles",
        "chart": "pie",
        "query": {"aggregate": {"count": "*"}, "groupBy": ["status"]},
    }
    chat.send("A pie chart [[call items %s]]" % json.dumps(by_status))
    page.locator(".approval-card[data-armed]").get_by_role("button", name="Approve").click()
    view = page.locator(".chart-view[data-drawn]").last
    expect(view).to_be_visible()
    view.get_by_text("Show data").click()
    expect(view.locator("table.data-table")).to_be_visible()
    both_schemes(axe, page, "a chart with its data")
    read = {"action": "read", "collection": "articles", "query": {"fields": ["title", "views"], "limit": 5}}
    chat.send("Read [[call items %s]]" % json.dumps(read))
    page.locator(".approval-card[data-armed]").get_by_role("button", name="Approve").click()
    card = page.locator(".tool-card[data-status=done]").last
    card.get_by_text("Table", exact=True).click()
    expect(card.locator("table.data-table")).to_be_visible()
    both_schemes(axe, page, "an items read as a table")
