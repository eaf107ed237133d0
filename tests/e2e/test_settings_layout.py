"""Accessibility and layout: every settings field has a visible label; the app is usable at 360 px wide.

The shared chat page (tests/fixtures/app.py). Screenshots of the narrow layout go to
$E2E_SCREENSHOTS (default: the test's tmp_path) for a human look.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

FIELDS = """dialog => [...dialog.querySelectorAll("input, select, textarea")].map(el => {
    const labels = [...(el.labels || [])];
    return {
        id: el.id, type: el.type,
        text: labels.map(l => l.textContent.trim()).filter(Boolean).join(" | "),
        shown: el.checkVisibility(),
        labelShown: labels.some(l => l.checkVisibility() && l.getBoundingClientRect().width > 0 && l.innerText.trim() !== ""),
    };
})"""


def test_every_settings_field_has_a_visible_label(chat):
    page = chat.page
    page.get_by_role("button", name="Settings").click()
    dialog = page.locator("#settings-dialog")
    expect(dialog).to_be_visible()
    try:
        seen = {}
        for mode in ("Static token", "Email and password"):  # each sign-in mode shows its own fields
            page.get_by_role("radio", name=mode).check()
            for field in dialog.evaluate(FIELDS):
                assert field["text"], "no label text for %s" % field
                if field["shown"]:
                    assert field["labelShown"], "the label of %s is not visible" % field
                    seen[field["id"]] = field["text"]
        for expected in (
            "set-directus-url",
            "set-directus-token",
            "set-directus-email",
            "set-directus-password",
            "set-anthropic-key",
            "set-compat-headers",
            "set-compat-models",
            "set-system-prompt",
            "set-tool-search",
            "tool-items",
            "set-remember",
        ):
            assert expected in seen, expected
    finally:
        page.get_by_role("button", name="Cancel").click()


def _overflow(page) -> list[str]:
    """Visible elements that stick out of the 360 px viewport (right edge), with a short description."""
    return page.evaluate("""() => {
        const out = [];
        for (const el of document.querySelectorAll("body *")) {
            if (!el.checkVisibility() || el.closest("pre, .md-table-wrap, table, .tool-rows")) continue;
            const r = el.getBoundingClientRect();
            if (r.width && r.right > innerWidth + 1) out.push(el.tagName + "." + el.className + " right=" + Math.round(r.right));
        }
        return out.slice(0, 10);
    }""")


def test_usable_at_360_px(chat, tmp_path):
    page = chat.page
    shots = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        for name in ("Settings", "Send"):
            expect(page.get_by_role("button", name=name)).to_be_in_viewport(ratio=1)
        expect(page.get_by_role("combobox", name="Model")).to_be_in_viewport(ratio=1)
        expect(page.get_by_role("textbox", name="Message")).to_be_in_viewport(ratio=1)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.wait_for_timeout(400)  # the sidebar slides away after the resize
        page.screenshot(path=str(shots / "narrow-empty.png"))

        args = {
            "action": "update",
            "collection": "articles",
            "keys": [9],
            "data": {"title": "A rather long new title that has to wrap on a narrow phone screen"},
        }
        chat.send("Please retitle article nine " + "[[call items %s]]" % json.dumps(args))
        card = page.locator(".approval-card")
        expect(card).to_be_visible()
        for name in ("Approve", "Deny", "Always allow"):
            expect(page.get_by_role("button", name=name)).to_be_in_viewport(ratio=1)
        assert _overflow(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(shots / "narrow-approval.png"))
        page.get_by_role("button", name="Deny").click()
        expect(chat.last_answer()).to_contain_text("Done: items")

        page.get_by_role("button", name="Settings").click()
        dialog = page.locator("#settings-dialog")
        expect(dialog).to_be_visible()
        box = dialog.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
        assert dialog.evaluate("d => d.scrollWidth <= d.clientWidth + 1"), "the dialog scrolls sideways"
        assert _overflow(page) == []
        expect(page.get_by_role("button", name="Save")).to_be_in_viewport(ratio=1)
        page.screenshot(path=str(shots / "narrow-settings.png"))
        page.get_by_role("button", name="Cancel").click()

        page.get_by_role("button", name="Conversations").click()  # the sidebar opens over the chat
        expect(page.get_by_role("button", name="New conversation")).to_be_in_viewport(ratio=1)
        page.screenshot(path=str(shots / "narrow-sidebar.png"))
        page.get_by_role("button", name="New conversation").click()
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
        page.evaluate("document.body.classList.remove('sidebar-open')")
