"""An approval card never takes a decision from keys or clicks meant for something else (issue 12, "focus steal").

The attack: the model streams slowly, the user types the next question, the card arrives mid-typing. It used to take
the focus (Approve), so the next space typed pressed Approve and the PATCH went out. Now the card leaves the focus
where it is, the box keeps every key (Enter sends nothing while a card waits: a notice says to decide first), the
card's buttons are disabled for its first moments (app/web/views/approvals.py ARM_MS), and Alt+A brings a keyboard
user to the card. The shared chat page (tests/fixtures/app.py), a new conversation each.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Request, expect

from devkit.fake_provider.script import Call, Step

pytestmark = pytest.mark.e2e

TITLE = "Changed by a stray key"
ARGS = {"action": "update", "collection": "articles", "keys": [2], "data": {"title": TITLE}}


def title_of(directus, key: int) -> str:
    with directus.client() as http:
        return http.get(f"/items/articles/{key}", params={"fields": "title"}).json()["data"]["title"]


def writes_to(page, directus) -> list[str]:
    """Every request the page sends to Directus that is not a read, as "METHOD url" (filled as they go)."""
    seen: list[str] = []

    def on_request(request: Request) -> None:
        if request.url.startswith(directus.url) and request.method not in ("GET", "HEAD", "OPTIONS"):
            seen.append("%s %s" % (request.method, request.url))

    page.on("request", on_request)
    return seen


def test_a_card_that_arrives_while_the_user_types_takes_none_of_the_keys(chat, directus_reset, fake_provider):
    page = chat.page
    before = title_of(directus_reset, 2)
    writes = writes_to(page, directus_reset)
    fake_provider.script(
        Step(
            text="Let me look at that article before I change it. " * 3,
            delivery="slow",
            delay=0.05,
            chunk=4,
            tool_calls=[Call("items", ARGS)],
        ),
        Step(text="Retitled."),
    )
    chat.send("Retitle article 2")
    box = page.get_by_role("textbox", name="Message")
    card = page.locator(".approval-card")
    expect(chat.last_answer()).to_contain_text("Let me look")  # streaming
    expect(box).to_be_focused()  # where the user types

    # The next question, typed word by word while the answer streams, until the card shows up mid-typing.
    typed = ""
    for _ in range(200):
        if page.locator(".approval-card, .tool-card:not([data-status=streaming])").count():  # (or decided already)
            break
        page.keyboard.type("and ", delay=10)  # (the keyboard, not the box: keys go where the focus is)
        typed += "and "
    assert typed, "the card should arrive while the user types"
    # Right after it appears, the user goes on: spaces and Enter, the keys that press a focused button.
    for key in ("Space", "Space", "Enter", "Space", "Enter"):
        page.keyboard.press(key)
    page.keyboard.type(" then why?", delay=10)
    typed += "   " + " then why?"
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    typed += " "

    page.wait_for_timeout(300)  # a decision would have sent its PATCH by now
    assert writes == [], "a key typed in the message box decided the card"
    expect(box).to_be_focused()
    expect(box).to_have_value(typed)  # every key went to the box, none to the card
    expect(page.locator("#notices")).to_contain_text("Approve or deny the waiting call first")
    expect(card).to_have_count(1)
    expect(card.get_by_role("button", name="Approve")).to_be_enabled()  # armed by now, and still not pressed
    assert writes == [] and title_of(directus_reset, 2) == before
    assert len(fake_provider.requests_for()) == 1  # Enter sent nothing

    # A keyboard user reaches the card with Alt+A: its region, not a button; Space there presses nothing either.
    page.keyboard.press("Alt+A")
    expect(card).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert writes == [] and card.count() == 1

    # Then a deliberate Approve works, and the question typed meanwhile is still there to send.
    card.get_by_role("button", name="Approve").click()
    expect(chat.last_answer()).to_contain_text("Retitled.")
    assert title_of(directus_reset, 2) == TITLE
    assert len(writes) == 1 and writes[0].startswith("PATCH ")
    expect(page.locator("#notices")).not_to_contain_text("Approve or deny the waiting call first")
    expect(box).to_have_value(typed)


# Clicks the Approve button of the first card the moment it is added, and then every 50 ms for as long as it is not
# armed yet (checked right before each click, so a slow machine never turns an early click into a late one), both
# ways a script can click (click(), a dispatched MouseEvent); records whether the button was disabled each time.
EARLY_CLICKS = """() => {
  window.__early = [];
  const first = () => document.querySelector('#approvals .approval-card [data-action="approve"]');
  const armed = () => first() !== null && first().closest(".approval-card").hasAttribute("data-armed");
  const hit = () => {
    const approve = first();
    if (!approve || armed()) return false;
    approve.click();
    approve.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window}));
    approve.focus();
    window.__early.push({disabled: approve.disabled, focused: document.activeElement === approve});
    return true;
  };
  const observer = new MutationObserver(() => {
    if (!first() || window.__t0 !== undefined) return;
    window.__t0 = performance.now();
    hit();
    const timer = setInterval(() => { if (!hit()) clearInterval(timer); }, 50);
  });
  observer.observe(document.getElementById("approvals"), {childList: true, subtree: true});
  // A real click from the test lands when it lands: once the card is armed it could be a deliberate click, so the
  // test stops it here (it proves nothing either way); earlier ones reach the app, which must ignore them.
  window.__real = [];
  for (const type of ["pointerdown", "click"]) {
    window.addEventListener(type, (e) => {
      if (window.__t0 === undefined || !e.isTrusted || window.__real === null) return;
      window.__real.push({type, armed: armed()});
      if (armed()) { e.stopImmediatePropagation(); e.preventDefault(); }
    }, true);
  }
}"""


def test_a_click_on_approve_in_the_first_moments_does_nothing(chat, directus_reset, fake_provider):
    page = chat.page
    before = title_of(directus_reset, 2)
    writes = writes_to(page, directus_reset)
    page.evaluate(EARLY_CLICKS)
    fake_provider.script(Step(tool_calls=[Call("items", ARGS)]), Step(text="Retitled."))
    chat.send("Retitle article 2")
    expect(page.locator(".tool-card")).to_have_count(1)  # the call is in
    approve = page.locator(".approval-card").get_by_role("button", name="Approve")
    box = approve.bounding_box(timeout=2000) if approve.count() else None
    assert box is not None and writes == [], "the clicks at the card's first moments decided it"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a real click, as soon as it can

    expect(page.locator(".approval-card[data-armed]")).to_have_count(1)  # armed after its first moments
    expect(approve).to_be_enabled()
    early = page.evaluate("window.__early")
    assert early, early  # at once (and every 50 ms after, for as long as it was not armed)
    assert all(e["disabled"] and not e["focused"] for e in early), early
    real = page.evaluate("window.__real")
    assert real, "the real click reached the page"
    expect(page.locator(".approval-card")).to_have_count(1)  # none of those clicks decided it
    assert writes == [] and title_of(directus_reset, 2) == before

    page.evaluate("() => { window.__real = null; }")  # the test's own guard off
    approve.click()  # a click once it is armed does
    expect(chat.last_answer()).to_contain_text("Retitled.")
    assert title_of(directus_reset, 2) == TITLE


def test_a_card_takes_the_focus_only_from_nowhere_and_never_on_a_button(chat, directus_reset, fake_provider):
    page = chat.page
    before = title_of(directus_reset, 2)
    fake_provider.script(
        Step(text="One moment. " * 20, delivery="slow", delay=0.05, chunk=4, tool_calls=[Call("items", ARGS)]),
        Step(text="Left alone."),
    )
    chat.send("Retitle article 2")
    expect(chat.last_answer()).to_contain_text("One moment")
    page.evaluate("() => document.activeElement.blur()")  # the user clicked on the page's background
    card = page.locator(".approval-card")
    expect(card).to_be_focused()  # focus was on nothing: the card's region, where the keys do nothing
    assert page.evaluate("() => document.activeElement.tagName") == "SECTION"
    expect(card).to_have_attribute("aria-keyshortcuts", "Alt+A")
    expect(card).to_contain_text("Alt+A")
    expect(page.locator("#announcer")).to_have_text(
        "Approval needed: Update 1 item in articles (id 2). Alt+A to review."
    )
    expect(card.get_by_role("button", name="Deny")).to_be_enabled()
    page.keyboard.press("Escape")  # in the card, once armed, Esc denies
    expect(chat.last_answer()).to_contain_text("Left alone.")
    expect(page.locator(".tool-card[data-status=denied]")).to_have_count(1)
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()  # the last card gone: back to the box
    assert title_of(directus_reset, 2) == before
