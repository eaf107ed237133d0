"""Conversations that last, in the page: a reload mid-stream or mid-approval loses nothing, a full storage keeps
the message and recovers once space is freed, a corrupted entry is set aside, export and import round-trip, and
the usage bar tells tokens, cost and how full the context window is.

One page serves the whole module (tests/fixtures/app.py: `chat`); each test starts a new conversation. The fake
model answers by echo ("You said: ..."); "[[call NAME {json}]]" in a message makes it call that tool.
"""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.script import Step
from devkit.fake_provider.settings import MODELS

pytestmark = pytest.mark.e2e

EXPORT_FORMAT = "directus-assistant/conversations"


def update(key: int, title: str) -> str:
    args = {"action": "update", "collection": "articles", "keys": [key], "data": {"title": title}}
    return "[[call items %s]]" % json.dumps(args)


def title_of(directus, key: int) -> str:
    with directus.client() as http:
        return http.get(f"/items/articles/{key}", params={"fields": "title"}).json()["data"]["title"]


def storage(page) -> dict:
    return page.evaluate("() => Object.fromEntries(Object.entries(localStorage))")


def current_id(page) -> str:
    return page.locator(".conv-item.current").get_attribute("data-id")


def test_a_reload_mid_stream_keeps_what_was_shown_marked_stopped(chat, fake_provider):
    page = chat.page
    long_text = "Streaming slowly, word by word. " * 40
    fake_provider.script(Step(text=long_text, delivery="slow", delay=0.05, chunk=6))
    chat.send("Tell me a long story")
    answer = chat.last_answer().locator(".markdown")
    expect(answer).to_contain_text("word by word. Streaming")
    shown = answer.inner_text().strip()

    chat.reload()
    answer = chat.last_answer()
    expect(answer.locator(".badge")).to_have_text("Stopped")
    kept = answer.locator(".markdown").inner_text().strip()
    assert kept.startswith(shown), "the reload lost text that was on screen:\n%r\nnot a prefix of\n%r" % (shown, kept)
    assert len(kept) < len(long_text.strip())  # the stream really was cut off
    expect(page.locator("article.message.user .user-text")).to_have_text(["Tell me a long story"])

    chat.send("Are you still there?")  # the next message works
    expect(chat.last_answer()).to_contain_text("You said: Are you still there?")
    expect(page.locator("article.message.assistant")).to_have_count(2)


# Fill localStorage up to its quota with one key, then give back `spare` characters. Returns what fitted.
_FILL = """([key, spare]) => {
  localStorage.removeItem(key);
  let lo = 0, hi = 6 * 1024 * 1024;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try { localStorage.setItem(key, "x".repeat(mid)); lo = mid; } catch (e) { hi = mid - 1; }
  }
  localStorage.setItem(key, "x".repeat(Math.max(0, lo - spare)));
  return lo;
}"""


def stored_conversation(title: str, chars: int, updated_at: float) -> tuple[str, str, str]:
    """(id, stored entry, summary) of a valid conversation of about `chars` characters, as the app stores them."""
    from app.chat.model import Conversation, assistant, user
    from app.store.format import encode_conversation, encode_meta
    from app.store.kv import utf16_len

    conversation = Conversation(
        title=title,
        created_at=updated_at,
        updated_at=updated_at,
        messages=[user("Old question " * (chars // 26)), assistant("Old answer " * (chars // 22))],
    )
    raw, _, _ = encode_conversation(conversation, 10**9)
    return conversation.id, raw, encode_meta(conversation, utf16_len("da.conv." + conversation.id) + utf16_len(raw))


def test_a_full_storage_keeps_the_message_and_saves_it_once_an_old_conversation_is_deleted(chat, tmp_path):
    page = chat.page
    old_id, raw, meta = stored_conversation("An old conversation", 400_000, time.time() - 400 * 86400)
    page.evaluate(
        "([id, raw, meta]) => { localStorage.setItem('da.conv.' + id, raw); localStorage.setItem('da.meta.' + id, meta); }",
        [old_id, raw, meta],
    )
    chat.reload()  # the list now has the old conversation
    chat.new_conversation()
    try:
        fitted = page.evaluate(_FILL, ["zz-filler", 150])
        assert fitted > 3_000_000, "the quota looks too small: %d characters fitted" % fitted

        message = "Please keep this message, storage is full"
        chat.send(message)
        notice = page.locator(".notice.error", has_text="browser storage for this site is full")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("Export or delete old conversations")
        row = notice.locator(".usage-list li", has_text="An old conversation")
        expect(row).to_contain_text("k chars")  # its size, e.g. "401 k chars"
        expect(page.locator("article.message.user .user-text")).to_have_text([message])  # kept in the open conversation
        expect(chat.last_answer()).to_contain_text("You said: " + message)  # and the turn went on
        assert not [k for k, v in storage(page).items() if k.startswith("da.conv.") and message in v]

        with page.expect_download() as download:
            row.get_by_role("button", name="Export").click()
        exported = json.loads(download.value.path().read_text())
        assert exported["format"] == EXPORT_FORMAT and [c["id"] for c in exported["conversations"]] == [old_id]

        row.get_by_role("button", name="Delete").click()
        chat.answer("Delete")
        expect(notice).to_have_count(0)  # saved now: the notice went away by itself
        stored = storage(page)
        assert "da.conv." + old_id not in stored
        saved = json.loads(stored["da.conv." + current_id(page)])["conversation"]
        texts = [p.get("text") for m in saved["messages"] for p in m["parts"]]
        assert texts == [message, "You said: " + message]
    finally:
        page.evaluate("() => localStorage.removeItem('zz-filler')")


def test_a_corrupted_entry_is_set_aside_with_a_notice_and_the_app_still_works(chat, tmp_path):
    page = chat.page
    garbage = '{"v": 2, "conversation": {"id": "c_broken", "messages": [ cut off here'
    page.evaluate("(raw) => localStorage.setItem('da.conv.c_broken', raw)", garbage)
    chat.reload()

    notice = page.locator(".notice", has_text="could not be read")
    expect(notice).to_contain_text("(c_broken)")
    expect(notice).to_contain_text("set aside, not deleted")
    stored = storage(page)
    assert "da.conv.c_broken" not in stored
    (aside,) = [k for k in stored if k.startswith("da.corrupt.c_broken.")]
    assert stored[aside] == garbage  # nothing lost

    with page.expect_download() as download:
        notice.get_by_role("button", name="Download the unreadable entry").click()
    assert download.value.path().read_text() == garbage

    chat.new_conversation()
    chat.send("Do you still work?")
    expect(chat.last_answer()).to_contain_text("You said: Do you still work?")

    notice.get_by_role("button", name="Discard it").click()
    chat.answer("Discard")
    expect(notice).to_have_count(0)
    assert aside not in storage(page)


def test_rename_and_delete_ask_in_the_page_and_escape_or_cancel_change_nothing(chat):
    page = chat.page
    chat.send("Name me")
    expect(chat.last_answer()).to_contain_text("You said: Name me")
    item = page.locator(".conv-item.current")
    dialog = page.locator("#ask-dialog")

    item.get_by_role("button", name="Rename Name me").click()
    expect(dialog.get_by_role("textbox")).to_be_focused()
    expect(dialog.get_by_role("textbox")).to_have_value("Name me")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(item.locator(".conv-title")).to_have_text("Name me")

    item.get_by_role("button", name="Rename Name me").click()
    dialog.get_by_role("textbox").fill("Named by Enter")
    page.keyboard.press("Enter")  # Enter means Rename, not Cancel
    expect(item.locator(".conv-title")).to_have_text("Named by Enter")

    item.get_by_role("button", name="Delete Named by Enter").click()
    expect(dialog).to_contain_text('Delete "Named by Enter"? This cannot be undone.')
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".conv-item", has_text="Named by Enter")).to_have_count(1)


def test_export_one_conversation_as_json_and_import_it_back(chat, tmp_path):
    page = chat.page
    chat.send("Remember the blue collection")
    expect(chat.last_answer()).to_contain_text("You said: Remember the blue collection")
    cid = current_id(page)
    item = page.locator(".conv-item.current")

    with page.expect_download() as download:
        item.get_by_role("button", name="Export Remember the blue collection (JSON)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    doc = json.loads(path.read_text())
    assert doc["format"] == EXPORT_FORMAT
    assert [c["id"] for c in doc["conversations"]] == [cid]

    item.get_by_role("button", name="Delete Remember the blue collection").click()
    chat.answer("Delete")
    expect(page.locator('.conv-item[data-id="%s"]' % cid)).to_have_count(0)

    broken = tmp_path / "broken.json"  # validated: a conversation that is not one is reported, not stored
    broken.write_text(json.dumps({"format": EXPORT_FORMAT, "v": 2, "conversations": [{"id": 5, "messages": "no"}]}))
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import…").click()
    chooser.value.set_files(broken)
    expect(page.locator(".notice", has_text="was not imported")).to_be_visible()
    expect(page.locator(".notice", has_text="Import: nothing to import.")).to_be_visible()

    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import…").click()
    chooser.value.set_files(path)
    expect(page.locator(".notice", has_text="Import: 1 imported.")).to_be_visible()
    page.locator('.conv-item[data-id="%s"] .conv-open' % cid).click()
    expect(page.locator("article.message.user .user-text")).to_have_text(["Remember the blue collection"])
    expect(chat.last_answer()).to_contain_text("You said: Remember the blue collection")


def test_usage_per_message_and_conversation_with_the_context_window_gauge(chat, fake_provider):
    page = chat.page
    bar = page.locator("#usage-bar")
    chat.pick(MODELS["chat"])  # compatible:local:llama3.2:3b, an 8,192-token window, no list price
    fake_provider.script(
        Step(text="Short answer.", usage={"input_tokens": 2000, "output_tokens": 48, "cached_tokens": 1500})
    )
    chat.send("First question")
    expect(chat.last_answer().locator(".usage")).to_have_text("2,000 in · 48 out · 1,500 cached")
    expect(bar.locator(".window-text")).to_have_text("25% of the context window (2,048 of 8,192 tokens)")
    expect(bar.get_by_role("meter", name="25% of the context window (2,048 of 8,192 tokens)")).to_have_attribute(
        "value", "25"
    )

    chat.pick(MODELS["anthropic"])  # claude-haiku-4-5: 200,000 tokens, $1 in and $5 out per million
    expect(bar.locator(".window-text")).to_have_text("1% of the context window (2,048 of 200,000 tokens)")
    fake_provider.script(Step(text="Priced answer.", usage={"input_tokens": 10_000, "output_tokens": 1_000}))
    chat.send("Second question")
    expect(chat.last_answer().locator(".usage")).to_have_text("10,000 in · 1,000 out · ≈ $0.0150")
    expect(bar.locator(".conversation-usage")).to_have_text(
        "This conversation: 12,000 in · 1,048 out · 1,500 cached · ≈ $0.0150 + unpriced"
    )
    expect(bar.locator(".window-text")).to_have_text("6% of the context window (11,000 of 200,000 tokens)")


def test_older_messages_left_out_to_fit_the_window_are_announced(chat, fake_provider):
    page = chat.page
    chat.pick(MODELS["chat"])  # 8,192 tokens: two of these messages do not fit together
    first = "First block about collections and fields. " * 400
    second = "Second block about flows and permissions. " * 400
    fake_provider.script(Step(text="Noted the first."), Step(text="Noted the second."))
    chat.send(first)
    expect(chat.last_answer()).to_contain_text("Noted the first.")
    notice = page.locator("#usage-bar .context-notice")
    expect(notice).to_be_hidden()
    chat.send(second)
    expect(chat.last_answer()).to_contain_text("Noted the second.")
    expect(notice).to_have_text(
        "To fit the model's context window: 2 older messages (1 turn) left out. "
        "The model no longer sees them; they stay in this conversation."
    )
    sent = json.dumps(fake_provider.last.body)
    assert "Second block" in sent and "First block" not in sent
    expect(page.locator("article.message.user")).to_have_count(2)  # both still in the conversation


def test_a_reload_during_a_pending_approval_brings_the_card_back(chat, directus_reset):
    page = chat.page
    title = "Approved after a reload"
    chat.send("Rename article 3, please. " + update(3, title))
    expect(page.locator(".approval-card")).to_be_visible()

    chat.reload()
    card = page.locator(".approval-card")
    expect(card.locator(".approval-summary")).to_have_text("Update 1 item in articles (id 3)")
    # A card no longer takes the focus (issue 12: a space typed in the next question pressed Approve).
    expect(page.get_by_role("button", name="Approve")).not_to_be_focused()
    assert title_of(directus_reset, 3) != title  # still nothing ran

    page.get_by_role("button", name="Approve").click()
    expect(chat.last_answer()).to_contain_text("Done: items")
    expect(page.locator(".tool-card[data-status=done]")).to_have_count(1)
    assert title_of(directus_reset, 3) == title
    expect(page.locator("article.message.user")).to_have_count(1)
    # (Last in the module: it writes to Directus, and the next test that uses Directus pays for a reset.)


def test_the_first_message_of_a_tab_asks_the_browser_to_keep_the_sites_storage(chat):
    """A "best-effort" origin's storage can be evicted under disk pressure; a persistent one is not."""
    page = chat.page
    chat.reload()  # a fresh tab's state: nothing asked yet
    page.evaluate("""() => { window.__persist = 0;
        navigator.storage.persist = () => { window.__persist += 1; return Promise.resolve(true); }; }""")
    chat.send("First message")
    expect(chat.last_answer()).to_contain_text("You said: First message")
    chat.send("Second message")
    expect(chat.last_answer()).to_contain_text("You said: Second message")
    assert page.evaluate("window.__persist") == 1  # asked once, on the first send
