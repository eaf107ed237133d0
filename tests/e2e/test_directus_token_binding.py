"""A Directus token belongs to the URL it was entered for (issue 12): after the URL is changed in Settings, the old
token is not sent to the new host, and the dialog says to sign in again.

One page for the module: config.json names the test Directus without a demo token; the fake provider server stands
in for "another host" (it answers anything, and the page may reach it).
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from devkit.fake_provider.settings import chat_settings
from tests.e2e.settings_app import app_page_for, checked

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
