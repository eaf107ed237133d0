"""Helpers for the settings and editing e2e tests: one app page per test module with a chosen config.json and
seeded settings, plus small UI steps (open Settings, connect to Directus, read what the fake provider got).

    with app_page_for(browser_context, site, config=..., seed=(settings, secrets) or None, allow=[...]) as app:
        ...   # app is a tests.fixtures.app.ChatApp whose reload() waits until the connection has settled

`checked(app)` runs one test on that page and fails it on console errors, page errors or requests to
non-allowed origins (what `tests/fixtures/app.py`'s `chat` fixture does for the shared chat page).
"""

from __future__ import annotations

import contextlib
import json
from typing import Iterator, Optional

import pytest
from playwright.sync_api import expect

from tests.fixtures.app import SEED_SETTINGS, ChatApp
from tests.fixtures.browser import CLEAR_STORAGE, PageGuard, open_app, watch

# The connection attempt at start has ended: every ended attempt sets a title (a message, or who is signed in);
# the first drawing, before the attempt, leaves it empty.
SETTLED = '#connection-badge[title]:not([title=""]):not([data-status=connecting])'
ADMIN_TOOLS = ("collections", "fields", "relations", "flows", "operations")


class SettingsApp(ChatApp):
    def reload(self) -> None:
        open_app(self.page, self.url)
        self.page.wait_for_selector(SETTLED, timeout=15_000)

    # --- the settings dialog ---------------------------------------------------------------------------------

    def open_settings(self):
        self.page.get_by_role("button", name="Settings").click()
        dialog = self.page.locator("#settings-dialog")
        expect(dialog).to_be_visible()
        return dialog

    def save_settings(self) -> None:
        self.page.get_by_role("button", name="Save").click()
        expect(self.page.locator("#settings-dialog")).to_be_hidden()
        self.rendered()  # the model picker and usage bar are redrawn in the next frame

    def status(self):
        return self.page.locator("#settings-dialog").get_by_role("status")

    def connect_with_token(self, url: str, token: str) -> None:
        """In the open dialog: URL + static token, then Connect (the outcome shows in status())."""
        page = self.page
        page.get_by_label("Directus URL").fill(url)
        page.get_by_role("radio", name="Static token").check()
        page.get_by_label("Directus token").fill(token)
        page.get_by_role("button", name="Connect", exact=True).click()

    def sign_in(self, url: str, email: str, password: str, remember: bool) -> None:
        """In the open dialog: sign out of whatever an earlier test left (so that the status seen next is this
        sign-in's, not the old one's), then sign in with email + password."""
        page = self.page
        page.get_by_role("button", name="Disconnect").click()
        expect(self.status()).to_have_text("Not connected: Signed out of Directus.")
        page.get_by_label("Directus URL").fill(url)
        page.get_by_role("radio", name="Email and password").check()
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_label("Remember keys and sign-in on this device").set_checked(remember)
        page.get_by_role("button", name="Connect", exact=True).click()

    def badge(self):
        return self.page.locator("#connection-badge")


@contextlib.contextmanager
def app_page_for(
    browser_context, site, *, config: Optional[dict], seed: Optional[tuple[str, str]], allow: list[str]
) -> Iterator[SettingsApp]:
    saved = dict(site.overrides)
    if config is None:
        site.hidden = set(site.hidden) | {"config.json"}
    else:
        site.overrides["config.json"] = json.dumps(config).encode()
    guard = PageGuard()
    for origin in allow:
        guard.allow(origin)
    page = browser_context.new_page()
    watch(page, guard)
    if seed is not None:
        page.add_init_script(script="(%s)(%s)" % (SEED_SETTINGS, json.dumps(list(seed))))
    app = SettingsApp(page, guard, site.url)
    try:
        app.reload()
        yield app
    finally:
        site.overrides = saved
        site.hidden = set(site.hidden) - {"config.json"}
        try:
            page.evaluate(CLEAR_STORAGE)
        finally:
            page.close()


def finish(guard: PageGuard) -> None:
    problems = guard.problems()
    guard.console_errors.clear()
    guard.page_errors.clear()
    guard.foreign_requests.clear()
    guard.expected.clear()
    if problems:
        pytest.fail("the page misbehaved:\n  " + "\n  ".join(problems), pytrace=False)


@contextlib.contextmanager
def checked(app: SettingsApp) -> Iterator[SettingsApp]:
    page = app.page
    if page.locator("#settings-dialog[open]").count():
        page.keyboard.press("Escape")
    app.stop_if_busy()
    app.new_conversation()
    yield app
    finish(app.guard)
