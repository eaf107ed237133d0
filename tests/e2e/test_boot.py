"""The app boots in a real Chromium: ready, offline, from a sub-path, and says so on the page when it cannot."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.fixtures.browser import open_app

pytestmark = pytest.mark.e2e

GENERATED = Path(__file__).resolve().parents[2] / "static" / "generated"
# pydantic_core's files (its binary and its modules, compiled by scripts/app_config.py), which static/interpreter.mjs
# writes into site-packages; the pure-Python packages come compiled in the standard-library zip.
CORE = "static/generated/pydantic_core.zip.gzip"


def wait_for_boot_failure(page, url: str) -> str:
    page.goto(url)
    page.wait_for_selector("body[data-boot-failed]", state="attached", timeout=60_000)
    assert page.is_visible("#boot-error")
    assert page.get_attribute("body", "data-ready") is None
    assert page.is_disabled("#composer-input") and page.is_disabled("#composer-send")
    return page.inner_text("#boot-error")


def test_app_becomes_ready_with_an_enabled_composer(app_page, site, page_guard):
    assert app_page.get_attribute("body", "data-ready") == "1"
    assert app_page.is_enabled("#composer-input") and app_page.is_enabled("#composer-send")
    assert app_page.get_attribute("#composer-input", "placeholder") == "Message"
    assert app_page.inner_text("#boot-status") == ""
    assert app_page.is_hidden("#boot-error")
    assert app_page.evaluate("performance.getEntriesByName('app-ready').length") == 1
    # Everything came from our own server: Pyodide, PyScript, pydantic_core, app files (the page fixture also fails on
    # console errors and on any request elsewhere).
    assert page_guard.foreign_requests == []
    served = set(site.log)
    for needed in ("/static/vendor/pyodide/pyodide.asm.wasm", "/static/vendor/pyscript/core.js", "/" + CORE):
        assert needed in served


def test_the_request_guard_catches_a_cdn_request(app_page, page_guard):
    # Proves the offline check above can fail: a request to a CDN is recorded (and blocked by the host rules).
    page_guard.expect_console_error("ERR_NAME_NOT_RESOLVED|Failed to fetch")
    app_page.evaluate("fetch('https://cdn.jsdelivr.net/pyodide/v314.0.7/full/pyodide.mjs').catch(() => null)")
    app_page.wait_for_timeout(300)
    assert page_guard.foreign_requests == ["GET https://cdn.jsdelivr.net/pyodide/v314.0.7/full/pyodide.mjs"]
    page_guard.foreign_requests.clear()


def test_works_from_a_sub_path(page, make_site):
    server = make_site(prefix="/some/path/")
    open_app(page, server.url)
    assert server.url.endswith("/some/path/")
    outside = [p for p in server.log if not p.startswith("/some/path/")]
    assert outside == [], f"the page asked for root-absolute URLs: {outside}"
    assert "/some/path/static/vendor/pyodide/pyodide.asm.wasm" in server.log


def test_the_shell_is_painted_before_python_is_ready(page, site_variant):
    server = site_variant(delays={"static/vendor/pyodide/pyodide.asm.wasm": 1.5})
    page.goto(server.url, wait_until="domcontentloaded")
    assert page.is_visible("header .app-title")
    assert page.is_visible("#composer-input") and page.is_visible("#composer-send")
    assert page.is_disabled("#composer-input") and page.is_disabled("#composer-send")
    assert page.inner_text("#boot-status").startswith("Loading")
    assert page.get_attribute("body", "data-ready") is None
    page.wait_for_selector("body[data-ready]", state="attached", timeout=60_000)
    assert page.is_enabled("#composer-input")


def test_a_missing_package_is_shown_on_the_page(page, page_guard, site_variant):
    page_guard.expect_console_error("404|Unable to fetch")
    server = site_variant(hidden=(CORE,))
    text = wait_for_boot_failure(page, server.url)
    assert "The assistant could not start." in text
    assert "could not be loaded (HTTP 404)" in text and CORE in text


def cut_zip() -> bytes:
    whole = gzip.decompress((GENERATED / "pydantic_core.zip.gzip").read_bytes())
    return gzip.compress(whole[: len(whole) // 2])


@pytest.mark.parametrize(
    "path, served",
    [
        (CORE, lambda: (GENERATED / "pydantic_core.zip.gzip").read_bytes()[:1000]),  # an upload cut short
        (CORE, cut_zip),  # a zip cut short, gzipped
        ("static/generated/app.zip.gzip", lambda: b"<!doctype html><title>Not here</title>"),  # a host's page instead
    ],
    ids=["cut gzip", "cut zip", "a page instead"],
)
def test_a_damaged_file_is_named_on_the_page(page, page_guard, site_variant, path, served):
    # The page says which file and what to do, instead of a Python error from deep inside the start.
    page_guard.expect_console_error("damaged")
    server = site_variant(overrides={path: served()})
    text = wait_for_boot_failure(page, server.url)
    assert "damaged or incomplete" in text and path in text and "scripts/setup" in text


def test_a_missing_app_module_is_shown_on_the_page(page, page_guard, site_variant):
    page_guard.expect_console_error("No module named 'app.web.boot'")
    server = site_variant(hidden=("app/web/boot.py",))  # left out of app.zip.gzip
    text = wait_for_boot_failure(page, server.url)
    assert "the Python module 'app.web.boot' was not found" in text


def test_a_missing_app_bundle_is_shown_on_the_page(page, page_guard, site_variant):
    page_guard.expect_console_error("404|Unable to fetch")
    server = site_variant(hidden=("static/generated/app.zip.gzip",))
    text = wait_for_boot_failure(page, server.url)
    assert "could not be loaded (HTTP 404)" in text and "static/generated/app.zip.gzip" in text


def test_a_python_error_while_starting_is_shown_on_the_page(page, site_variant):
    main = (
        "from app.web.boot import run_boot\n"
        "async def start():\n"
        "    import app.no_such_module\n"
        "async def main():\n"
        "    await run_boot(start)\n"
    )
    server = site_variant(overrides={"app/main.py": main.encode()})
    text = wait_for_boot_failure(page, server.url)
    assert "the Python module 'app.no_such_module' was not found" in text
    assert "Traceback" in page.text_content("#boot-error pre")


def test_an_uncaught_python_error_at_the_top_of_main_is_shown_on_the_page(page, page_guard, site_variant):
    page_guard.expect_console_error("RuntimeError: the disk is on fire")
    server = site_variant(overrides={"app/main.py": b"raise RuntimeError('the disk is on fire')\n"})
    text = wait_for_boot_failure(page, server.url)
    assert "Python raised an error while starting: RuntimeError: the disk is on fire" in text
