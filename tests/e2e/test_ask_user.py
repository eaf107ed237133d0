"""The model's questions (ask_user) in the page: a card with real buttons and a text field; the answer reaches the
model as the tool's result and the turn goes on, also across a reload; Stop ends a waiting question.

The fake answers by echo: "[[call ask_user {json}]]" in the message makes the model ask, and after the result it
answers "Done: ask_user -> <result>" (devkit/fake_provider/script.py).
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.script import Call, Step

pytestmark = pytest.mark.e2e


def asking(**args) -> str:
    return "[[call ask_user %s]]" % json.dumps(args)


def last_tool_result(fake_provider) -> str:
    return json.dumps(fake_provider.requests_for()[-1].body)


def test_an_option_button_answers_and_the_turn_goes_on(chat, fake_provider):
    page = chat.page
    chat.send("Help me pick. " + asking(question="Which <b>colour</b>?", options=["Red", "Blue <i>x</i>"]))
    card = page.get_by_role("region", name="Which <b>colour</b>?")
    expect(card).to_be_visible()  # the model's text as text: no markup made of it
    expect(card.locator("b, i")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="The assistant asks: Which <b>colour</b>?")).to_have_count(1)
    card.get_by_role("button", name="Blue <i>x</i>").click()
    expect(chat.last_answer()).to_contain_text("Done: ask_user")
    expect(card).to_have_count(0)
    assert '\\"chosen\\": [\\"Blue <i>x</i>\\"]' in last_tool_result(fake_provider)
    expect(page.locator("body")).not_to_have_attribute("data-busy", "1")


# Clicks the first option of a question card the moment it is added, and every 50 ms for as long as the card is not
# armed (checked right before each click), both ways a script can click; records whether the option was disabled.
EARLY_OPTION_CLICKS = """() => {
  window.__early = [];
  const card = () => document.querySelector('#questions .question-card');
  const hit = () => {
    if (!card() || card().hasAttribute("data-armed")) return false;
    const option = card().querySelector(".question-option");
    option.click();
    option.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window}));
    window.__early.push({disabled: option.disabled});
    return true;
  };
  new MutationObserver(() => {
    if (!card() || window.__t0 !== undefined) return;
    window.__t0 = performance.now();
    hit();
    const timer = setInterval(() => { if (!hit()) clearInterval(timer); }, 50);
  }).observe(document.getElementById("questions"), {childList: true, subtree: true});
}"""


def test_an_option_clicked_in_the_cards_first_moments_does_not_answer(chat, fake_provider):
    page = chat.page
    page.evaluate(EARLY_OPTION_CLICKS)
    chat.send(asking(question="Delete the drafts?", options=["Yes", "No"]))
    card = page.get_by_role("region", name="Delete the drafts?")
    expect(card).to_have_attribute("data-armed", "")  # armed after its first moments
    early = page.evaluate("window.__early")
    assert early and all(e["disabled"] for e in early), early
    expect(card).to_be_visible()  # none of those clicks answered
    assert "ask_user ->" not in chat.last_answer().inner_text()
    card.get_by_role("button", name="No").click()  # a click once armed does
    expect(chat.last_answer()).to_contain_text("Done: ask_user")
    assert '\\"chosen\\": [\\"No\\"]' in last_tool_result(fake_provider)


def test_several_options_and_free_text_by_keyboard_across_a_reload(chat, fake_provider):
    page = chat.page
    chat.send(asking(question="Which sizes?", options=["S", "M", "L"], multi=True))
    card = page.get_by_role("region", name="Which sizes?")
    expect(card).to_be_visible()

    chat.reload()  # the question waits through a reload, asked again
    card = page.get_by_role("region", name="Which sizes?")
    expect(card).to_be_visible()
    expect(card).to_have_attribute("data-armed", "")  # its options answer only after its first moments
    small = card.get_by_role("button", name="S", exact=True)
    small.focus()
    page.keyboard.press("Enter")  # a toggle: pressed, not sent
    expect(small).to_have_attribute("aria-pressed", "true")
    card.get_by_role("button", name="L", exact=True).click()
    field = card.get_by_role("textbox", name="Your own answer (optional)")
    field.fill("and one XL")
    field.press("Enter")
    expect(chat.last_answer()).to_contain_text("Done: ask_user")
    body = last_tool_result(fake_provider)
    assert '\\"chosen\\": [\\"S\\", \\"L\\"]' in body and '\\"text\\": \\"and one XL\\"' in body


def test_a_free_text_question_and_stop(chat, fake_provider):
    page = chat.page
    chat.send(asking(question="What is your name?"))
    card = page.get_by_role("region", name="What is your name?")
    card.get_by_role("button", name="Send answer").click()  # nothing typed: nothing sent, the field gets the focus
    field = card.get_by_role("textbox", name="Your answer")
    expect(field).to_be_focused()
    page.get_by_role("button", name="Stop").click()
    expect(card).to_have_count(0)
    expect(page.locator("body")).not_to_have_attribute("data-busy", "1")
    expect(chat.last_answer().locator(".badge", has_text="Stopped")).to_be_visible()

    # (scripted: after a stopped call the echo would read the stopped result as the latest tool result)
    fake_provider.script(Step(tool_calls=[Call("ask_user", {"question": "What is your name, really?"})]))
    chat.send("Ask again")
    card = page.get_by_role("region", name="What is your name, really?")
    card.get_by_role("textbox", name="Your answer").fill("Ada")
    card.get_by_role("button", name="Send answer").click()
    expect(chat.last_answer()).to_contain_text('Done: ask_user -> {"answer": {"text": "Ada"}}')
