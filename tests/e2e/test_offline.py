"""The service worker (sw.js, static/offline.js): a return visit asks for no unchanged file, the app starts and shows
its conversations and settings with the network off, and a deploy is offered ("a new version is ready") and taken
whole after the reload, never mixed with the running version. Each test has its own server (a deploy is a changed
file served) and its own browser context with service workers allowed (the shared ones block them)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Iterator

import pytest
from playwright.sync_api import BrowserContext, expect

from app.chat.model import Conversation, assistant, user
from app.store.conversations import ConversationStore
from app.store.kv import MemoryStore
from devkit.chromium import run_python
from tests.fixtures.browser import open_app

pytestmark = pytest.mark.e2e

# Asked by the browser on every visit to look for a new version, and the deployment's settings (network first).
ALWAYS_ASKED = ("sw.js", "static/generated/assets.js", "config.json")

ACTIVE = """async () => {
    const worker = (await navigator.serviceWorker.ready).active;
    while (worker.state !== "activated") await new Promise((r) => worker.addEventListener("statechange", r));
    return worker.state;
}"""


@pytest.fixture
def sw_context(browser) -> Iterator[BrowserContext]:
    context = browser.new_context(service_workers="allow")
    yield context
    context.close()


def first_visit(page, url: str) -> None:
    open_app(page, url)
    assert page.evaluate(ACTIVE) == "activated"  # installed: every file of this version is in its cache


def stored_conversation(title: str) -> dict[str, str]:
    kv = MemoryStore()
    conversation = Conversation(title=title)
    conversation.messages += [user("Which collections do I have?"), assistant("articles, authors, categories")]
    ConversationStore(kv).save(conversation)
    return kv.data


def test_a_return_visit_asks_for_no_unchanged_file_and_the_app_starts_offline(sw_context, make_site):
    server = make_site(prefix="/some/path/")
    page = sw_context.new_page()
    first_visit(page, server.url)
    page.evaluate(
        "(entries) => { for (const [k, v] of Object.entries(entries)) localStorage.setItem(k, v); }",
        stored_conversation("Collections overview"),
    )

    server.log.clear()
    open_app(page, server.url)
    assert page.evaluate("() => !!navigator.serviceWorker.controller")
    asked = [p for p in server.log if p[len("/some/path/") :] not in ALWAYS_ASKED]
    assert asked == [], f"a return visit downloaded files again: {asked}"

    sw_context.set_offline(True)
    server.stop()  # and the host is gone too
    open_app(page, server.url)
    expect(page.locator("#offline-bar")).to_contain_text("the Directus and the model provider cannot be reached")
    expect(page.locator(".conv-item .conv-title")).to_have_text(["Collections overview"])
    page.locator(".conv-item .conv-open").click()
    expect(page.locator("article.message.assistant")).to_contain_text("articles, authors, categories")
    page.get_by_role("button", name="Settings").click()
    expect(page.locator("#settings-dialog")).to_be_visible()
    sw_context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.locator("#offline-bar")).to_be_hidden()


def test_a_deploy_is_offered_and_taken_whole_after_the_reload(sw_context, make_site):
    server = make_site()
    page = sw_context.new_page()
    first_visit(page, server.url)
    open_app(page, server.url)  # now served by the service worker
    css = server.resolve("static/app.css").read_bytes()
    html = server.resolve("index.html").read_bytes()

    def build() -> list[str]:
        return page.evaluate(
            """async () => [document.querySelector('meta[name=build]')?.content || 'v1',
                (await (await fetch('./static/app.css')).text()).includes('v2 marker') ? 'v2' : 'v1']"""
        )

    assert build() == ["v1", "v1"]
    server.log.clear()
    server.overrides["static/app.css"] = css + b"\n/* v2 marker */\n"
    server.overrides["index.html"] = html.replace(b"<title>", b'<meta name="build" content="v2">\n  <title>', 1)
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    bar = page.locator("#update-bar")
    expect(bar).to_contain_text("A new version is ready", timeout=60_000)
    # Only the changed files were downloaded: the others were copied from the running version's cache.
    asked = sorted({p.lstrip("/") for p in server.log} - set(ALWAYS_ASKED))
    assert asked == ["index.html", "static/app.css"]

    open_app(page, server.url)  # a reload before taking it: the old version, whole
    assert build() == ["v1", "v1"]
    expect(bar).to_be_visible()
    bar.get_by_role("button", name="Reload").click()
    page.wait_for_function("() => document.querySelector('meta[name=build]')", timeout=60_000)
    page.wait_for_selector("body[data-ready]", state="attached", timeout=60_000)
    assert build() == ["v2", "v2"]
    expect(page.locator("#update-bar")).to_have_count(0)


SEEN = """async () => {
    const text = async (path) => {
        try {
            const response = await fetch(path);
            return response.ok ? ((await response.text()).includes('v2 marker') ? 'v2' : 'v1') : 'refused';
        } catch (e) { return 'refused'; }
    };
    return [document.querySelector('meta[name=build]')?.content || 'v1', await text('./static/app.css'),
        await text('./static/vendor/chartjs/chart.umd.min.js'),
        await text('./static/generated/python_stdlib_rest.zip')];
}"""


def test_a_tab_left_on_the_old_version_gets_only_its_own_files_and_is_told_to_reload(sw_context, make_site):
    server = make_site()
    tab_a, tab_b = sw_context.new_page(), sw_context.new_page()
    first_visit(tab_a, server.url)
    open_app(tab_a, server.url)  # both now served by the service worker
    open_app(tab_b, server.url)
    assert tab_b.evaluate(SEEN) == ["v1", "v1", "v1", "v1"]  # the rest zip is now in version 1's cache
    lazy = ("static/app.css", "static/vendor/chartjs/chart.umd.min.js", "static/generated/python_stdlib_rest.zip")
    for path in lazy:
        server.overrides[path] = server.resolve(path).read_bytes() + b"\n/* v2 marker */\n"
    html = server.resolve("index.html").read_bytes()
    server.overrides["index.html"] = html.replace(b"<title>", b'<meta name="build" content="v2">\n  <title>', 1)
    tab_a.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    tab_a.locator("#update-bar").get_by_role("button", name="Reload").click(timeout=60_000)
    tab_a.wait_for_function("() => document.querySelector('meta[name=build]')", timeout=60_000)
    tab_a.wait_for_selector("body[data-ready]", state="attached", timeout=60_000)
    assert tab_a.evaluate(SEEN) == ["v2", "v2", "v2", "v2"]

    # Tab B did not reload: it is told, and meanwhile every file it loads (a chart, a rare import) is version 1's.
    bar = tab_b.locator("#update-bar")
    expect(bar).to_contain_text("A new version is open in another tab")
    assert tab_b.evaluate(SEEN) == ["v1", "v1", "v1", "v1"]
    bar.get_by_role("button", name="Reload").click()
    tab_b.wait_for_function("() => document.querySelector('meta[name=build]')", timeout=60_000)
    tab_b.wait_for_selector("body[data-ready]", state="attached", timeout=60_000)
    assert tab_b.evaluate(SEEN) == ["v2", "v2", "v2", "v2"]
    expect(tab_b.locator("#update-bar")).to_have_count(0)

    open_app(tab_a, server.url)  # no page of version 1 is left: its cache goes
    tab_a.wait_for_function(
        "async () => (await caches.keys()).filter((name) => name.startsWith('da-assets')).length === 1",
        timeout=10_000,
    )


def rebuilt_zip(data: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, change(info.filename, src.read(info)))
        change(None, dst)
    return out.getvalue()


def test_a_tab_left_on_the_old_version_refuses_the_next_rest_of_the_standard_library(sw_context, make_site):
    server = make_site()
    tab_a, tab_b = sw_context.new_page(), sw_context.new_page()
    first_visit(tab_a, server.url)
    open_app(tab_a, server.url)
    open_app(tab_b, server.url)
    # Version 2: a rest zip with one more file, and the start zip whose finder carries that rest's sha256.
    rest_path, start_path = "static/generated/python_stdlib_rest.zip", "static/generated/python_stdlib.zip"
    old_rest = server.resolve(rest_path).read_bytes()
    rest = rebuilt_zip(old_rest, lambda name, data: data if name else data.writestr("v2_marker.py", "# v2\n"))
    digest, old_digest = hashlib.sha256(rest).hexdigest(), hashlib.sha256(old_rest).hexdigest()
    start = rebuilt_zip(  # the finder is compiled: its sha256 is a 64-character constant in the pyc, swapped in place
        server.resolve(start_path).read_bytes(),
        lambda name, data: data.replace(old_digest.encode(), digest.encode()) if name == "_stdlib_rest.pyc" else data,
    )
    server.overrides.update({rest_path: rest, start_path: start})
    tab_a.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    tab_a.locator("#update-bar").get_by_role("button", name="Reload").click(timeout=60_000)
    expect(tab_b.locator("#update-bar")).to_contain_text("A new version is open in another tab", timeout=60_000)
    expect(tab_a.locator("#update-bar")).to_have_count(0, timeout=60_000)  # reloaded
    tab_a.wait_for_selector("body[data-ready]", state="attached", timeout=60_000)

    rare = "try:\n    import colorsys\n    result = 'imported'\nexcept ImportError:\n    result = 'refused'"
    assert run_python(tab_b, rare) == "refused"  # the new deploy's rest is not version 1's: refused, not mixed
    assert run_python(tab_a, rare) == "imported"


def test_without_a_service_worker_the_app_still_starts(browser, make_site):
    server = make_site()
    context = browser.new_context(service_workers="block")  # as in a browser or frame that refuses them
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        open_app(page, server.url)
        assert page.evaluate("() => !navigator.serviceWorker || !navigator.serviceWorker.controller")
        assert errors == []
    finally:
        context.close()


def test_a_version_that_cannot_start_still_takes_the_fixed_one(sw_context, make_site):
    server = make_site()
    page = sw_context.new_page()
    first_visit(page, server.url)
    open_app(page, server.url)  # now served by the service worker
    server.overrides["app/main.py"] = b'raise RuntimeError("a broken deploy")\n'
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.locator("#update-bar").get_by_role("button", name="Reload").click(timeout=60_000)
    page.wait_for_selector("body[data-boot-failed]", state="attached", timeout=60_000)
    expect(page.locator("#boot-error")).to_contain_text("a broken deploy")

    del server.overrides["app/main.py"]  # the fix is deployed
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.locator("#update-bar").get_by_role("button", name="Reload").click(timeout=60_000)
    page.wait_for_selector("body[data-ready]", state="attached", timeout=60_000)
    expect(page.locator("#boot-error")).to_be_hidden()
