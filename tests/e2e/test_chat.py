"""The chat in the page, end to end: Chromium, the real Directus, the fake providers.

One page serves the whole module (tests/fixtures/app.py: `chat`); each test starts a new conversation.
The fake answers by echo: "[[call NAME {json}]]" in the message makes the model call that tool, and after the
tool result it answers "Done: NAME -> <result>".
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.script import Call, Step
from devkit.fake_provider.settings import MODELS

pytestmark = pytest.mark.e2e

HANDLERS = "[onerror],[onload],[onclick],[onmouseover],[onfocus],[onanimationstart],script:not([type=py]):not([src])"


def call(name: str, args: dict) -> str:
    return "[[call %s %s]]" % (name, json.dumps(args))


def update(key: int, title: str) -> str:
    return call("items", {"action": "update", "collection": "articles", "keys": [key], "data": {"title": title}})


def title_of(directus, key: int) -> str:
    with directus.client() as http:
        return http.get(f"/items/articles/{key}", params={"fields": "title"}).json()["data"]["title"]


@pytest.mark.parametrize("protocol", list(MODELS))
def test_a_tool_call_approved_in_the_page_changes_directus(protocol, chat, directus_reset, fake_provider):
    page = chat.page
    chat.pick(MODELS[protocol])
    title = "Retitled via %s" % protocol
    chat.send("Please rename it. " + update(2, title))

    card = page.locator(".approval-card")
    expect(card).to_be_visible()
    expect(card.locator(".approval-summary")).to_have_text("Update 1 item in articles (id 2)")
    expect(card.locator("pre")).to_contain_text('"title": "%s"' % title)  # the data, pretty-printed
    # The box stays usable while the card waits and keeps the focus: a card never takes it (it used to move to
    # Approve, and a space typed in the next question pressed it: issue 12, tests/e2e/test_approval_focus.py).
    expect(page.get_by_role("textbox", name="Message")).to_be_enabled()
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    assert title_of(directus_reset, 2) != title  # nothing happens before the approval

    page.get_by_role("button", name="Approve").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    expect(page.locator(".tool-card[data-status=done] .tool-name")).to_have_text("items")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_role("textbox", name="Message")).to_be_enabled()
    assert title_of(directus_reset, 2) == title
    assert {r.protocol for r in fake_provider.requests_for()} == {protocol}


def test_an_admin_task_loads_the_admin_tools_then_asks_before_changing_the_schema(chat, directus_reset, fake_provider):
    page = chat.page
    fake_provider.script(
        Step(tool_calls=[Call("admin_tools", {})]),
        Step(
            tool_calls=[
                Call(
                    "fields",
                    {"action": "create", "collection": "articles", "data": [{"field": "subtitle", "type": "string"}]},
                )
            ]
        ),
        Step(text="Added the **subtitle** field."),
    )
    chat.send("Add a subtitle field to articles")
    expect(page.locator(".approval-card .approval-summary")).to_have_text("Add 1 field to articles: subtitle")
    loader = page.locator(".tool-card", has=page.locator(".tool-name", has_text="admin_tools"))
    expect(loader).to_have_attribute("data-status", "done")  # loading the tools asked nothing
    expect(loader).to_contain_text("Load the admin tools")
    page.get_by_role("button", name="Approve").click()
    expect(chat.last_answer()).to_contain_text("Added the subtitle field.")
    assert "fields" in fake_provider.requests_for()[1].tool_names
    with directus_reset.client() as http:
        assert http.get("/fields/articles/subtitle").status_code == 200


def test_undo_puts_an_approved_change_back_and_the_model_is_told(chat, directus_reset, fake_provider):
    page = chat.page
    before = title_of(directus_reset, 6)
    chat.send(update(6, "Changed, then undone"))
    page.get_by_role("button", name="Approve").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    assert title_of(directus_reset, 6) == "Changed, then undone"

    page.get_by_role("button", name="Undo: Put back the previous values of 1 item in articles").click()
    chat.answer("Undo")  # "Undo in Directus: …?"
    card = page.locator(".tool-card[data-status=done]")
    expect(card.locator(".tool-undo")).to_contain_text("Undone")
    expect(card.get_by_role("button", name=re.compile("^Undo"))).to_have_count(0)  # once
    assert title_of(directus_reset, 6) == before

    chat.send("What happened?")
    expect(chat.last_answer()).to_contain_text("You said: What happened?")
    assert "undone_by_user" in json.dumps(fake_provider.last.body)  # the model knows

    chat.reload()  # kept with the conversation
    expect(page.locator(".tool-card .tool-undo")).to_contain_text("Undone")


def test_deny_with_escape_leaves_directus_unchanged(chat, directus_reset):
    page = chat.page
    chat.pick(MODELS["gemini"])
    chat.send(update(4, "Should not happen"))
    # Esc works from the card, which the user reaches with Alt+A (a card no longer takes the focus: issue 12), once
    # its buttons are armed (nothing decides a card in its first moments).
    expect(page.locator(".approval-card")).to_be_visible()
    page.keyboard.press("Alt+A")
    expect(page.locator(".approval-card")).to_be_focused()
    expect(page.get_by_role("button", name="Deny")).to_be_enabled()
    page.keyboard.press("Escape")
    expect(chat.last_answer()).to_contain_text("Done: items")  # the model was told, and answered
    expect(page.locator(".tool-card[data-status=denied]")).to_have_count(1)
    expect(page.locator(".approval-card")).to_have_count(0)
    assert title_of(directus_reset, 4) != "Should not happen"


def test_always_allow_is_remembered_after_a_reload(chat, directus_reset):
    page = chat.page
    chat.pick(MODELS["responses"])
    chat.send(update(5, "First, allowed"))
    page.get_by_role("button", name="Always allow items: update").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    assert title_of(directus_reset, 5) == "First, allowed"

    chat.reload()
    expect(page.locator("article.message.user")).to_have_count(1)  # the conversation came back
    chat.send(update(6, "Second, without asking"))
    expect(chat.last_answer()).to_contain_text("Done: items")
    expect(page.locator(".tool-card[data-status=done]")).to_have_count(2)
    assert title_of(directus_reset, 6) == "Second, without asking"

    # What is remembered is what the card said, items' updates, not the whole tool (it used to set items to Always:
    # issue 12); Settings → Tools lists it apart from the tool's mode.
    page.get_by_role("button", name="Settings").click()
    expect(page.get_by_label("items", exact=True)).to_have_value("ask")
    expect(page.locator("#allowed-scope-list code")).to_have_text(["items: update"])
    # Put it back for the other tests of this module (the page and its storage are shared).
    page.get_by_role("button", name="Ask again for items: update").click()
    page.get_by_role("button", name="Save").click()


def test_stop_mid_stream_keeps_the_partial_answer(chat, fake_provider):
    page = chat.page
    long_text = "A slow answer that streams for a while. " * 30
    fake_provider.script(Step(text=long_text, delivery="slow", delay=0.05, chunk=6))
    chat.send("Tell me something long")
    expect(chat.last_answer()).to_contain_text("A slow answer")
    page.get_by_role("button", name="Stop").click()
    expect(chat.last_answer().locator(".badge")).to_have_text("Stopped")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    shown = chat.last_answer().locator(".markdown").inner_text()
    assert 0 < len(shown) < len(long_text.strip())
    page.wait_for_timeout(300)
    assert chat.last_answer().locator(".markdown").inner_text() == shown  # nothing arrives after Stop
    # What arrived is billed: counted, marked as an estimate (the provider's final count never came).
    expect(chat.last_answer().locator(".usage")).to_contain_text("out (estimated)")
    expect(page.locator(".conversation-usage")).to_contain_text("(estimated)")


def test_retry_after_a_server_error(chat, fake_provider):
    page = chat.page
    chat.pick(MODELS["chat"])
    fake_provider.script(Step(text="I started", fail_after="server_error"), Step(text="Second time lucky."))
    chat.send("Hello")
    error = chat.last_answer().locator(".message-error")
    expect(error).to_be_visible()
    page.get_by_role("button", name="Retry").click()
    expect(chat.last_answer()).to_contain_text("Second time lucky.")
    expect(page.locator(".message-error")).to_have_count(0)
    expect(page.locator("article.message.assistant")).to_have_count(1)
    # The failed attempt is not shown, but what it cost is: on the answer that replaced it, and in the totals.
    expect(chat.last_answer().locator(".usage").last).to_contain_text("+ failed before it: ")
    expect(chat.last_answer().locator(".usage").last).to_contain_text("(estimated)")
    expect(page.locator(".conversation-usage")).to_contain_text("(estimated)")


XSS = (
    'Look: <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> '
    '<a href="javascript:window.__xss=3" onclick="window.__xss=4">link</a> [md link](javascript:window.__xss=5) '
    '<svg onload="window.__xss=6"></svg>'
)


def assert_inert(page, text_locator) -> None:
    expect(text_locator).to_contain_text('<img src=x onerror="window.__xss=1">')
    expect(text_locator).to_contain_text("<script>window.__xss=2</script>")
    assert page.evaluate("window.__xss") is None
    assert page.locator("#conversation, #approvals").locator(HANDLERS).count() == 0
    assert page.locator('#conversation a[href^="javascript"]').count() == 0


def test_an_xss_payload_in_a_model_answer_renders_as_text(chat, fake_provider):
    fake_provider.script(
        Step(text="# Title\n\n" + XSS + "\n\n| a | b |\n|---|---|\n| " + XSS.replace("|", "") + " | 2 |")
    )
    chat.send("Show me something")
    answer = chat.last_answer()
    expect(answer.locator("h3")).to_have_text("Title")  # one level below the message's own h2
    expect(answer.locator("table td").first).to_contain_text("<svg")
    assert_inert(chat.page, answer)


def test_an_xss_payload_in_directus_content_renders_as_text(chat, directus_reset):
    page = chat.page
    with directus_reset.client() as http:
        created = http.post("/items/articles", json={"title": XSS, "status": "draft"}).json()["data"]
    chat.send(
        call(
            "items",
            {"action": "read", "collection": "articles", "keys": [created["id"]], "query": {"fields": ["id", "title"]}},
        )
    )
    page.get_by_role("button", name="Approve").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    result = page.locator(".tool-card .tool-result")
    result.evaluate("el => el.closest('details').open = true")
    expect(result).to_contain_text('onerror=\\"window.__xss=1\\"')
    assert_inert(page, chat.last_answer())


def test_the_reasoning_effort_follows_the_model_and_reaches_the_provider(chat, fake_provider):
    page = chat.page
    effort = page.get_by_role("combobox", name="Reasoning effort")
    chat.pick("anthropic:claude-sonnet-4-6")
    expect(effort).to_be_visible()
    expect(effort.locator("option")).to_have_text(["Thinking off", "Low", "Medium", "High"])
    effort.select_option("high")
    chat.send("Think it through")
    expect(chat.last_answer()).to_contain_text("You said: Think it through")
    body = fake_provider.last.body
    assert body["model"] == "claude-sonnet-4-6"
    assert body["thinking"] == {"type": "adaptive"} and body["output_config"] == {"effort": "high"}

    chat.pick(MODELS["chat"])  # a local model configured without reasoning: nothing to choose
    expect(effort).to_be_hidden()
    chat.pick("anthropic:claude-sonnet-4-6")
    expect(effort).to_have_value("high")  # kept for that model
    chat.reload()
    expect(effort).to_have_value("high")  # and after a reload
    effort.select_option("")
    chat.pick(MODELS["anthropic"])
