"""Connecting to Directus from the settings dialog, in Chromium against the real Directus.

One page for the module: config.json names the test Directus (no demo token, so nothing signs in by itself)
and every provider points at the fake. Each test sets the connection it needs.
"""

from __future__ import annotations

import json
import socket

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.settings import chat_settings
from tests.e2e.settings_app import ADMIN_TOOLS, SETTLED, app_page_for, checked, finish
from tests.fixtures.browser import PageGuard, open_app, watch

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def module_app(browser_context, site, directus, fake_provider_server):
    with app_page_for(
        browser_context,
        site,
        config={"directus_url": directus.url},
        seed=chat_settings(fake_provider_server.url),
        allow=[directus.url, fake_provider_server.url],
    ) as app:
        yield app


@pytest.fixture
def app(module_app, fake_provider):
    with checked(module_app) as a:
        yield a


def secrets_in(page, storage: str) -> dict:
    raw = page.evaluate("(s) => window[s].getItem('da.secrets')", storage)
    return json.loads(raw)["secrets"] if raw else {}


def second_tab(app):
    """Another tab of the same browser profile (shares localStorage, not sessionStorage)."""
    tab = app.page.context.new_page()
    guard = PageGuard(allowed=set(app.guard.allowed))
    watch(tab, guard)
    open_app(tab, app.url)
    tab.wait_for_selector(SETTLED, timeout=15_000)
    return tab, guard


def test_password_sign_in_shows_the_admin_and_lasts_for_the_tab_only(app, directus):
    page = app.page
    app.open_settings()
    app.sign_in(directus.url, directus.admin_email, directus.admin_password, remember=False)
    expect(app.status()).to_have_text("Connected as Admin User (administrator)")
    app.save_settings()
    expect(app.badge()).to_have_text("Directus connected: Admin User · admin")
    assert "directus.session" in secrets_in(page, "sessionStorage")
    assert secrets_in(page, "localStorage") == {}  # nothing stays on the device

    app.reload()  # same tab: sessionStorage survives
    expect(app.badge()).to_have_text("Directus connected: Admin User · admin")

    tab, guard = second_tab(app)  # a new tab: the sign-in is gone
    try:
        expect(tab.locator("#connection-badge")).to_have_attribute("data-status", "off")
        expect(tab.locator("#connection-badge")).to_have_text("Directus: not connected")
    finally:
        tab.close()
    finish(guard)


def test_password_sign_in_remembered_on_this_device(app, directus):
    page = app.page
    app.open_settings()
    app.sign_in(directus.url, directus.admin_email, directus.admin_password, remember=True)
    expect(app.status()).to_have_text("Connected as Admin User (administrator)")
    app.save_settings()
    session = secrets_in(page, "localStorage")["directus.session"]
    assert session["access_token"] and session["refresh_token"]
    assert "password" not in json.dumps(secrets_in(page, "localStorage"))  # the password is never stored
    assert directus.admin_password not in page.evaluate("JSON.stringify(localStorage)")

    tab, guard = second_tab(app)
    try:
        expect(tab.locator("#connection-badge")).to_have_text("Directus connected: Admin User · admin")
    finally:
        tab.close()
    finish(guard)


def test_reader_token_hides_the_admin_tools(app, directus, fake_provider):
    dialog = app.open_settings()
    app.connect_with_token(directus.url, directus.reader_token)
    expect(app.status()).to_have_text("Connected as Demo Reader (Reader)")
    rows = dialog.locator(".tool-row")
    expect(rows.filter(has_text="items")).to_have_count(1)
    shown = set(rows.evaluate_all("rows => rows.map(r => r.dataset.tool)"))
    assert shown and not shown & set(ADMIN_TOOLS), shown
    app.save_settings()
    expect(app.badge()).to_have_text("Directus connected: Demo Reader · Reader")

    app.send("Which collections can I read?")
    expect(app.last_answer()).to_contain_text("You said: Which collections")
    offered = fake_provider.last.tool_names
    assert {"items", "schema"} <= offered
    assert not offered & {*ADMIN_TOOLS, "admin_tools"}, offered


def test_a_wrong_token_is_refused_in_plain_words(app, directus):
    app.guard.expect_console_error("401")  # the browser logs the refused request
    app.open_settings()
    app.connect_with_token(directus.url, "not-a-real-token")
    expect(app.status()).to_have_text(
        "Not connected: The Directus token was refused. Check the static token in the settings, or sign in."
    )
    expect(app.badge()).to_have_attribute("data-status", "error")
    expect(app.badge()).to_have_text("Directus: connection failed (see Settings)")  # what happened, what to do


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_url_says_what_to_check(app):
    url = "http://127.0.0.1:%d" % _closed_port()
    app.guard.allow(url)
    app.guard.expect_console_error("ERR_CONNECTION_REFUSED")
    app.open_settings()
    app.connect_with_token(url, "some-token")
    expect(app.status()).to_contain_text("Could not reach Directus at %s: nothing answered." % url, timeout=15_000)
    expect(app.status()).to_contain_text("Check the URL and that the server is running.")


def test_a_host_without_cors_for_this_page_names_the_settings(app, make_site):
    other = make_site()  # a static server: it answers, but without CORS headers (and no preflight)
    # The browser logs the blocked call, and the probe's answer (a 404 it may not read).
    app.guard.expect_console_error(r"CORS policy|net::ERR_FAILED|status of 404")
    app.open_settings()
    app.connect_with_token(other.origin, "some-token")
    status = app.status()
    expect(status).to_contain_text("answered, but the browser blocked the response", timeout=15_000)
    expect(status).to_contain_text("CORS_ENABLED=true")
    expect(status).to_contain_text("add %s to CORS_ORIGIN" % app.page.evaluate("location.origin"))


def test_disconnect_signs_out_and_stays_out(app, directus, fake_provider):
    page = app.page
    app.open_settings()
    app.connect_with_token(directus.url, directus.admin_token)
    expect(app.status()).to_have_text("Connected as Admin User (administrator)")
    page.get_by_role("button", name="Disconnect").click()
    expect(app.status()).to_have_text("Not connected: Signed out of Directus.")
    expect(page.get_by_label("Directus token")).to_have_value("")
    app.save_settings()  # saving the dialog afterwards must not sign in again
    expect(app.badge()).to_have_text("Directus: not connected")
    assert "directus.token" not in secrets_in(page, "localStorage")

    app.send("Hello")  # no Directus: the model gets no tools
    expect(app.last_answer()).to_contain_text("You said: Hello")
    assert fake_provider.last.tool_names == set()
    app.reload()
    expect(app.badge()).to_have_text("Directus: not connected")


# A Directus token belongs to the URL it was entered for (issue 12): after the URL changes, the old token is not
# sent to the new host (the fake provider server stands in for it: it answers anything, and the page may reach it).
def test_after_the_url_changes_the_old_token_is_not_sent_to_the_new_host(app, directus, fake_provider_server):
    page = app.page
    other = fake_provider_server.url
    sent: list[dict] = []
    page.on("request", lambda r: sent.append({"url": r.url, "headers": r.headers}) if r.url.startswith(other) else None)

    app.open_settings()
    app.connect_with_token(directus.url, directus.admin_token)
    expect(app.status()).to_have_text("Connected as Admin User (administrator)")

    page.get_by_label("Directus URL").fill(other)  # the token field is left as it was
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(app.status()).to_contain_text("Sign in to Directus")
    expect(page.locator(".notice", has_text="The Directus URL is now " + other)).to_contain_text("was removed")
    app.rendered()
    assert [r for r in sent if "authorization" in r["headers"]] == []
    assert directus.admin_token not in json.dumps(sent)
    stored = page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    assert directus.admin_token not in stored  # dropped, not kept for later

    page.get_by_label("Directus URL").fill(directus.url)  # back: a new sign-in is needed there too
    page.get_by_label("Directus token").fill(directus.admin_token)
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(app.status()).to_have_text("Connected as Admin User (administrator)")
    app.save_settings()
    expect(page.locator(".notice", has_text="The Directus URL is now")).to_have_count(0)
