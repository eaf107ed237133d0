"""Debian's Chromium through Playwright's sync API (never `playwright install`), for tests and benchmarks.

- ``launch(playwright)`` -> ``Browser``: headless, kept off the network (only 127.0.0.1 and localhost resolve);
- ``open_app(page, url, timeout_ms=...)``: navigate to the app and wait until it is ready (``body[data-ready]``);
  raises ``BootFailed`` with the page's own error text when the app shows its boot error instead;
- ``run_python(page, code)``: run Python in the ready app's interpreter (a ``<script type="py">`` added to the page;
  top-level ``await`` allowed) and return ``str(result)``; raises AssertionError with the traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = "/usr/lib/chromium/chromium"
READY_TIMEOUT_MS = 60_000
CHROMIUM_ARGS = [
    # Nothing may leave the machine: unknown hosts fail fast instead of waiting for DNS.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--metrics-recording-only",
    "--disable-features=Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions",
]


class BootFailed(Exception):
    """The app showed its boot error instead of starting; the message ends with the page's error text."""


def launch(playwright: Playwright) -> Browser:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/setup (installs Debian's chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def open_app(page: Page, url: str, timeout_ms: int = READY_TIMEOUT_MS) -> None:
    """Navigate to the app and wait until it is ready; raise BootFailed with the page's error box if boot failed."""
    page.goto(url)
    page.wait_for_selector("body[data-ready], body[data-boot-failed]", state="attached", timeout=timeout_ms)
    if page.get_attribute("body", "data-boot-failed") is not None:
        raise BootFailed("the app showed its boot error:\n" + page.inner_text("#boot-error"))


def run_python(page: Page, code: str, timeout_ms: int = 30_000) -> str:
    """Run Python in the app's interpreter (the page must be ready) and return what it assigned to `result`
    (as a string), by adding a <script type="py"> to the page. Raises AssertionError with the traceback if it failed."""
    token = f"t{abs(hash(code)) % 10**9}{len(code)}"
    wrapped = (
        "import traceback as _tb\n"
        "from js import document as _doc\n"
        "_el = _doc.getElementById('" + token + "')\n"
        "async def _run():\n"
        "    result = None\n" + "".join("    " + line + "\n" for line in code.splitlines()) + "    return result\n"
        "try:\n"
        "    _el.dataset.result = str(await _run())\n"
        "except BaseException:\n"
        "    _el.dataset.error = _tb.format_exc()\n"
    )
    page.evaluate(
        """([id, code]) => {
            const out = document.createElement("div"); out.id = id; out.hidden = true; document.body.append(out);
            const s = document.createElement("script"); s.type = "py"; s.textContent = code; document.body.append(s);
        }""",
        [token, wrapped],
    )
    selector = f"#{token}[data-result], #{token}[data-error]"
    page.wait_for_selector(selector, state="attached", timeout=timeout_ms)
    error = page.get_attribute(f"#{token}", "data-error")
    if error is not None:
        raise AssertionError("Python in the page raised:\n" + error)
    result = page.get_attribute(f"#{token}", "data-result")
    assert result is not None, "the page left neither a result nor an error"  # the selector waited for one
    return result
