"""The page's Content-Security-Policy (index.html) is the one the README promises, and the whole app works under it:
start-up, a turn with a tool call, Markdown with links and images, the settings dialog: not one violation."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.script import Call, Step

pytestmark = pytest.mark.e2e

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'wasm-unsafe-eval'", "'unsafe-eval'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'", "http:", "https:"],
    "worker-src": ["'self'", "blob:"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
}

RECORD = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  e => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


def test_the_policy_is_the_documented_one():
    from pathlib import Path

    html = (Path(__file__).resolve().parents[2] / "index.html").read_text()
    meta = html.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
    directives = {d.split()[0]: d.split()[1:] for d in meta.split(";") if d.strip()}
    assert directives == POLICY
    assert "'unsafe-inline'" not in meta


def test_the_app_starts_and_works_under_the_policy_without_a_single_violation(chat, directus_reset, fake_provider):
    page = chat.page
    page.add_init_script(script=RECORD)
    chat.reload()
    fake_provider.script(
        Step(
            tool_calls=[
                Call(
                    "items",
                    {"action": "update", "collection": "articles", "keys": [1], "data": {"title": "Under the policy"}},
                )
            ]
        ),
        Step(
            text="Done. See [the docs](https://directus.io/docs) and ![a chart](https://example.com/c.png).\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |"
        ),
    )
    chat.send("Retitle article 1")
    page.get_by_role("button", name="Approve").click()
    expect(chat.last_answer()).to_contain_text("Done. See the docs")
    page.get_by_role("button", name="Settings").click()
    expect(page.locator("#settings-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#settings-dialog")).to_be_hidden()
    assert json.loads(page.evaluate("JSON.stringify(window.__violations)")) == []
