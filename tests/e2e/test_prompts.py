"""The prompts shared in the Directus project (its AI settings' prompts collection): the Prompts button lists the
published ones; picking one asks for its values, then puts the text in the message box to be read and sent."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SUMMARY = (
    "You write newsletter blurbs: two sentences, plain words, no hype.\n\n"
    'Summarize the article titled "Poetical science" in two sentences.'
)


def test_a_shared_prompt_goes_into_the_message_box_with_its_values(chat, fake_provider):
    page = chat.page
    box = page.get_by_role("textbox", name="Message")
    page.get_by_role("button", name="Prompts").click()
    expect(page.get_by_role("dialog", name="Prompts")).to_be_visible()
    dialog = page.locator("#prompts-dialog")
    expect(dialog.locator(".prompt-choice strong")).to_have_text(["Content report", "Summarize an article"])

    dialog.get_by_role("button", name="Summarize an article").click()
    expect(page.get_by_role("dialog", name="Summarize an article")).to_be_visible()  # it asks for the title
    dialog.get_by_role("button", name="Back").click()  # back to the list
    dialog.get_by_role("button", name="Summarize an article").click()
    title = page.get_by_label("the article's title")
    expect(title).to_be_focused()
    title.click()  # a click that is not on a button changes nothing
    title.fill("Poetical science")
    title.press("Enter")
    expect(page.locator("#prompts-dialog")).to_be_hidden()
    expect(box).to_have_value(SUMMARY)
    expect(box).to_be_focused()

    page.get_by_role("button", name="Prompts").click()  # one without values: straight in, after the text there
    dialog.get_by_role("button", name="Content report").click()
    expect(box).to_have_value(SUMMARY + "\n\nMake a table of the number of articles per author and status.")

    page.get_by_role("button", name="Prompts").click()
    dialog.get_by_role("button", name="Cancel").click()  # changes nothing
    expect(page.locator("#prompts-dialog")).to_be_hidden()
    expect(box).to_have_value(SUMMARY + "\n\nMake a table of the number of articles per author and status.")

    box.press("Enter")
    expect(chat.last_answer()).to_contain_text("You said:")
    assert 'Summarize the article titled \\"Poetical science\\"' in json.dumps(fake_provider.last.body)
