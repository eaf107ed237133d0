"""Provider settings in the page: keys, a rejected key, the OpenAI-compatible endpoint, and where secrets go.

One page for the module: config.json names the test Directus with the demo (admin) token; no provider is set
up until a test enters one in the dialog. The fake provider records every request (headers and body).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.settings_app import app_page_for, checked
from tests.fixtures.app import app_config

pytestmark = pytest.mark.e2e

ANTHROPIC_KEY = "sk-ant-e2e-key"
ENDPOINT_KEY = "sk-team-e2e-key"


@pytest.fixture(scope="module")
def module_app(browser_context, site, directus, fake_provider_server):
    import json

    with app_page_for(
        browser_context,
        site,
        config=json.loads(app_config(directus)),
        seed=None,
        allow=[directus.url, fake_provider_server.url],
    ) as app:
        yield app


@pytest.fixture
def app(module_app, fake_provider):
    with checked(module_app) as a:
        yield a


def model_groups(page) -> dict[str, list[str]]:
    return page.get_by_role("combobox", name="Model").evaluate(
        """select => Object.fromEntries([...select.querySelectorAll("optgroup")].map(
            g => [g.label, [...g.querySelectorAll("option")].map(o => o.value)]))"""
    )


def set_anthropic(app, fake_url: str) -> None:
    app.open_settings()
    app.page.get_by_label("Anthropic API key").fill(ANTHROPIC_KEY)
    app.page.get_by_label("Anthropic base URL (optional)").fill(fake_url)
    app.save_settings()


def set_endpoint(app, fake_url: str) -> None:
    page = app.page
    app.open_settings()
    page.get_by_label("Endpoint name").fill("team-llm")
    page.get_by_label("Endpoint base URL").fill(fake_url + "/v1")
    page.get_by_label("Endpoint API key").fill(ENDPOINT_KEY)
    page.get_by_label("Extra headers").fill("X-Team: blue\nX-Trace-Id: e2e-42")
    page.get_by_label("Models", exact=True).fill("team-model 32000\nsmall-model 4,096")
    app.save_settings()


def test_a_key_makes_only_its_providers_models_appear(app, fake_provider):
    page = app.page
    picker = page.get_by_role("combobox", name="Model")
    if not model_groups(page):  # a fresh page: no provider yet
        expect(picker).to_be_disabled()
        expect(picker).to_have_text("No models: add a key in Settings")
    set_anthropic(app, fake_provider.url)
    expect(picker).to_be_enabled()
    groups = model_groups(page)
    assert "Anthropic" in groups and "OpenAI" not in groups and "Google Gemini" not in groups, groups
    assert groups["Anthropic"] and all(ref.startswith("anthropic:") for ref in groups["Anthropic"])

    app.pick(groups["Anthropic"][0])
    app.send("Hello Claude")
    expect(app.last_answer()).to_contain_text("You said: Hello Claude")
    assert fake_provider.last.protocol == "anthropic"
    assert fake_provider.last.headers["x-api-key"] == ANTHROPIC_KEY


def test_a_rejected_key_says_where_to_change_it_and_retry_works(app, fake_provider):
    page = app.page
    set_anthropic(app, fake_provider.url)
    app.pick(model_groups(page)["Anthropic"][0])
    app.guard.expect_console_error("status of 401")
    fake_provider.script("bad_key")  # the next request is refused, the one after answers
    app.send("Hello again")
    error = app.last_answer().locator(".message-error")
    expect(error).to_contain_text(
        "Anthropic rejected the API key (401). Check the key in Settings → Providers → Anthropic."
    )

    error.get_by_role("button", name="Open Settings").click()  # goes straight to the key
    expect(page.get_by_label("Anthropic API key")).to_be_focused()
    expect(page.locator("#settings-dialog").get_by_role("heading", name="Providers")).to_be_visible()
    app.save_settings()

    error.get_by_role("button", name="Retry").click()
    expect(app.last_answer()).to_contain_text("You said: Hello again")
    expect(page.locator(".message-error")).to_have_count(0)


def test_an_openai_compatible_endpoint_with_headers_and_models(app, fake_provider):
    page = app.page
    set_endpoint(app, fake_provider.url)
    assert model_groups(page)["team-llm"] == ["compatible:team-llm:team-model", "compatible:team-llm:small-model"]
    app.pick("compatible:team-llm:team-model")
    app.send("Hi endpoint")
    expect(app.last_answer()).to_contain_text("You said: Hi endpoint")
    last = fake_provider.last
    assert (last.protocol, last.path, last.body["model"]) == ("chat", "/v1/chat/completions", "team-model")
    assert last.headers["authorization"] == "Bearer " + ENDPOINT_KEY
    assert (last.headers["x-team"], last.headers["x-trace-id"]) == ("blue", "e2e-42")

    app.open_settings()  # what was entered comes back as entered (context sizes parsed)
    expect(page.get_by_label("Models", exact=True)).to_have_value("team-model 32000\nsmall-model 4096")
    expect(page.get_by_label("Extra headers")).to_have_value("X-Team: blue\nX-Trace-Id: e2e-42")
    page.get_by_role("button", name="Cancel").click()


def test_each_secret_goes_only_to_its_own_server(app, fake_provider, directus):
    page = app.page
    to_directus: list[dict] = []

    def watch(request) -> None:
        if request.url.startswith(directus.url):
            to_directus.append(request.headers)

    page.on("request", watch)
    try:
        set_anthropic(app, fake_provider.url)
        set_endpoint(app, fake_provider.url)
        read = '[[call items {"action": "read", "collection": "articles", "query": {"limit": 1}}]]'
        for ref in ("compatible:team-llm:team-model", model_groups(page)["Anthropic"][0]):
            app.new_conversation()
            app.pick(ref)
            app.send("Read one article " + read)
            page.get_by_role("button", name="Approve").click()
            expect(app.last_answer()).to_contain_text("Done: items")
    finally:
        page.remove_listener("request", watch)

    posts = fake_provider.requests_for()
    assert {r.protocol for r in posts} == {"anthropic", "chat"} and len(posts) == 4
    for request in fake_provider.requests:  # preflights included
        everything = repr(request.headers) + request.raw.decode("utf-8", "replace")
        assert directus.admin_token not in everything, request.path
        own, other = (ANTHROPIC_KEY, ENDPOINT_KEY) if request.protocol == "anthropic" else (ENDPOINT_KEY, ANTHROPIC_KEY)
        assert other not in everything, request.path
        if request.method == "POST":
            assert own in everything
    assert to_directus, "the tool call went to Directus"
    for headers in to_directus:
        assert headers.get("authorization") in (None, "Bearer " + directus.admin_token)
        assert ANTHROPIC_KEY not in repr(headers) and ENDPOINT_KEY not in repr(headers)


def test_several_compatible_endpoints_can_be_added_used_and_removed(app, fake_provider):
    page = app.page
    set_endpoint(app, fake_provider.url)  # the first one: team-llm
    app.open_settings()
    page.get_by_role("button", name="Add an OpenAI-compatible endpoint").click()
    second = page.locator(".compat-endpoint").nth(1)
    expect(second.get_by_label("Endpoint name")).to_be_focused()
    second.get_by_label("Endpoint name").fill("team-llm")  # the same name: made unique on save
    second.get_by_label("Endpoint base URL").fill(fake_provider.url + "/v1")
    second.get_by_label("Endpoint API key").fill("sk-second-key")
    second.get_by_label("Models", exact=True).fill("other-model 8000")
    app.save_settings()
    groups = model_groups(page)
    assert groups["team-llm"] == ["compatible:team-llm:team-model", "compatible:team-llm:small-model"]
    assert groups["team-llm-2"] == ["compatible:team-llm-2:other-model"]

    app.pick("compatible:team-llm-2:other-model")
    app.send("Hi second endpoint")
    expect(app.last_answer()).to_contain_text("You said: Hi second endpoint")
    last = fake_provider.last
    assert last.body["model"] == "other-model" and last.headers["authorization"] == "Bearer sk-second-key"
    assert "x-team" not in last.headers  # the first endpoint's headers stay with it

    app.open_settings()
    expect(page.locator(".compat-endpoint legend")).to_have_text(
        ["OpenAI-compatible endpoint: team-llm", "OpenAI-compatible endpoint: team-llm-2"]
    )
    page.get_by_role("button", name="Remove endpoint team-llm-2").click()
    app.save_settings()
    assert "team-llm-2" not in model_groups(page) and "team-llm" in model_groups(page)


def test_a_settings_render_that_changes_no_model_leaves_the_pickers_alone(app, fake_provider):
    page = app.page
    set_anthropic(app, fake_provider.url)
    app.pick(model_groups(page)["Anthropic"][0])
    app.rendered()
    mark = """() => { for (const id of ["model-picker", "effort-picker"]) {
        const option = document.getElementById(id).querySelector("option"); if (option) option.dataset.mark = "kept"; } }"""
    kept = """() => ["model-picker", "effort-picker"].map(
        id => document.getElementById(id).querySelector("option")?.dataset.mark ?? null)"""
    page.evaluate(mark)
    before = page.evaluate(kept)
    assert before[0] == "kept"
    app.open_settings()
    app.save_settings()  # the same settings again: a "settings" render, nothing in the pickers changed
    assert page.evaluate(kept) == before

    app.open_settings()  # a new endpoint adds models: the model picker is rebuilt
    page.get_by_role("button", name="Add an OpenAI-compatible endpoint").click()
    added = page.locator(".compat-endpoint").last
    added.get_by_label("Endpoint name").fill("picker-llm")
    added.get_by_label("Endpoint base URL").fill(fake_provider.url + "/v1")
    added.get_by_label("Models", exact=True).fill("picker-model 8000")
    app.save_settings()
    assert "picker-llm" in model_groups(page)
    assert page.evaluate(kept)[0] is None
