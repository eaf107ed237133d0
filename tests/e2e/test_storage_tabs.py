"""Two tabs of the app (two pages of one browser context, so one localStorage): what one tab stores shows in the
other through `storage` events, and two tabs writing to one conversation never overwrite each other's messages.

Tab A is the module's shared page (tests/fixtures/app.py: `chat`); tab B is a second page opened once per module.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.script import Step
from tests.fixtures.app import ChatApp
from tests.fixtures.browser import PageGuard, watch

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tab_b_module(chat_module, browser_context, directus, fake_provider_server) -> Iterator[ChatApp]:
    guard = PageGuard()
    guard.allow(directus.url)
    guard.allow(fake_provider_server.url)
    page = browser_context.new_page()
    watch(page, guard)
    tab = ChatApp(page, guard, chat_module.url)
    try:
        tab.reload()  # the settings are already in the shared localStorage (tab A seeded them)
        yield tab
    finally:
        page.close()


@pytest.fixture
def tab_b(tab_b_module: ChatApp, chat) -> Iterator[ChatApp]:
    tab_b_module.new_conversation()
    yield tab_b_module
    problems = tab_b_module.guard.problems()
    tab_b_module.guard.console_errors.clear()
    tab_b_module.guard.page_errors.clear()
    tab_b_module.guard.foreign_requests.clear()
    if problems:
        pytest.fail("tab B misbehaved:\n  " + "\n  ".join(problems), pytrace=False)


def item(page, cid: str):
    return page.locator('.conv-item[data-id="%s"]' % cid)


def test_a_conversation_created_renamed_and_deleted_in_one_tab_shows_in_the_other(chat, tab_b):
    a, b = chat.page, tab_b.page
    chat.send("Hello from tab A")
    expect(chat.last_answer()).to_contain_text("You said: Hello from tab A")
    cid = a.locator(".conv-item.current").get_attribute("data-id")
    expect(item(b, cid).locator(".conv-title")).to_have_text("Hello from tab A")

    item(a, cid).get_by_role("button", name="Rename Hello from tab A").click()
    chat.answer("Rename", "Renamed in tab A")
    expect(item(b, cid).locator(".conv-title")).to_have_text("Renamed in tab A")

    item(b, cid).locator(".conv-open").click()
    expect(b.locator("article.message.user .user-text")).to_have_text(["Hello from tab A"])
    chat.send("More from tab A")  # B has it open: the new messages show there as they are saved
    expect(b.locator("article.message.user .user-text")).to_have_text(["Hello from tab A", "More from tab A"])
    expect(tab_b.last_answer()).to_contain_text("You said: More from tab A")

    item(a, cid).get_by_role("button", name="Delete Renamed in tab A").click()
    chat.answer("Delete")
    expect(item(b, cid)).to_have_count(0)
    expect(b.locator("article.message")).to_have_count(0)  # B closed it (the empty state shows)


def test_a_tab_waits_for_the_other_tabs_answer_and_both_tabs_keep_every_message(chat, tab_b, fake_provider):
    a, b = chat.page, tab_b.page
    chat.send("Opening line from A")
    expect(chat.last_answer()).to_contain_text("You said: Opening line from A")
    cid = a.locator(".conv-item.current").get_attribute("data-id")
    item(b, cid).locator(".conv-open").click()
    expect(b.locator("article.message.user")).to_have_count(1)

    # A's answer streams slowly while B sends into the same conversation: B is asked to wait, its text kept.
    slow = "A slow answer for tab A. " * 12
    fake_provider.script(Step(text=slow, delivery="slow", delay=0.05, chunk=6))
    chat.send("Second line from A")
    expect(chat.last_answer()).to_contain_text("A slow answer")
    tab_b.send("Meanwhile a line from B")
    expect(b.get_by_text("Another tab is answering in this conversation")).to_be_visible()
    box_b = b.get_by_role("textbox", name="Message")
    expect(box_b).to_have_value("Meanwhile a line from B")
    expect(a.get_by_role("button", name="Send")).to_be_visible(timeout=20_000)  # A's turn is over
    expect(tab_b.last_answer()).to_contain_text(slow.strip())  # B shows A's whole answer...
    # ...and has seen A's turn end (it clears the notice when it folds in the finished answer)...
    expect(b.get_by_text("Another tab is answering in this conversation")).to_have_count(0)
    box_b.press("Enter")  # ...and now sends
    expect(b.locator("article.message.assistant", has_text="You said: Meanwhile a line from B")).to_be_visible()
    expect(b.get_by_role("button", name="Send")).to_be_visible()

    users = ["Opening line from A", "Second line from A", "Meanwhile a line from B"]
    for tab in (chat, tab_b):
        tab.reload()  # what is stored, as either tab finds it
        page = tab.page
        assert page.locator(".conv-item.current").get_attribute("data-id") == cid
        expect(page.locator("article.message.user .user-text")).to_have_text(users)
        answers = page.locator("article.message.assistant")
        expect(answers).to_have_count(3)
        expect(answers.nth(1)).to_contain_text(slow.strip())
        expect(answers.nth(1).locator(".badge", has_text="Stopped")).to_have_count(0)
        expect(page.locator("article.message.assistant", has_text="You said: Meanwhile a line from B")).to_have_count(1)


def test_a_tab_opening_a_conversation_another_tab_is_answering_leaves_that_answer_alone(chat, tab_b, fake_provider):
    a, b = chat.page, tab_b.page
    slow = "An answer that tab A is still streaming. " * 15
    fake_provider.script(Step(text=slow, delivery="slow", delay=0.05, chunk=6))
    chat.send("Tell me something long")
    expect(chat.last_answer()).to_contain_text("still streaming")
    cid = a.locator(".conv-item.current").get_attribute("data-id")

    item(b, cid).locator(".conv-open").click()  # while A streams
    expect(b.get_by_text("Another tab is running this conversation")).to_be_visible()
    expect(tab_b.last_answer()).to_contain_text("still streaming")
    expect(tab_b.last_answer().locator(".badge", has_text="Stopped")).to_have_count(0)

    expect(a.get_by_role("button", name="Send")).to_be_visible(timeout=20_000)  # A's turn is over...
    expect(tab_b.last_answer().locator(".markdown")).to_have_text(slow.strip())  # ...and B shows all of it
    expect(b.get_by_text("Another tab is running this conversation")).to_have_count(0)
    expect(chat.last_answer().locator(".badge", has_text="Stopped")).to_have_count(0)


def test_a_question_asked_in_one_tab_is_answered_once_from_the_other(chat, tab_b, fake_provider):
    a, b = chat.page, tab_b.page
    chat.send('[[call ask_user {"question": "Which tab answers?", "options": ["A", "B"]}]]')
    expect(a.get_by_role("region", name="Which tab answers?")).to_be_visible()
    cid = a.locator(".conv-item.current").get_attribute("data-id")
    item(b, cid).locator(".conv-open").click()
    card_b = b.get_by_role("region", name="Which tab answers?")
    card_b.get_by_role("button", name="B", exact=True).click()
    expect(chat.last_answer()).to_contain_text('Done: ask_user -> {"answer": {"chosen": ["B"]}}')  # A's turn goes on
    expect(a.get_by_role("region", name="Which tab answers?")).to_have_count(0)
    expect(card_b).to_have_count(0)  # B folds in A's save: nothing left to answer
    expect(tab_b.last_answer()).to_contain_text('Done: ask_user -> {"answer": {"chosen": ["B"]}}')
