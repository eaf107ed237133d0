"""The page's Content-Security-Policy (index.html): scripts only from the site itself, so markup that slips into
the DOM cannot run script, while PyScript / Pyodide (WebAssembly, eval) and the chat keep working."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

INJECT = """() => {
    const img = document.createElement("img");
    img.setAttribute("onerror", "window.__csp_handler = 1");
    img.src = "data:image/png;base64,broken";
    document.body.append(img);
    const box = document.createElement("div");
    box.innerHTML = '<svg onload="window.__csp_svg = 1"></svg><a id="csp-link" href="javascript:window.__csp_link=1">x</a>';
    document.body.append(box);
    const script = document.createElement("script");
    script.textContent = "window.__csp_inline = 1";
    document.body.append(script);
}"""


def test_injected_inline_script_and_handlers_do_not_run(chat):
    page = chat.page
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    chat.guard.expect_console_error("Content Security Policy")  # the browser reports each refusal
    page.evaluate(INJECT)
    page.locator("#csp-link").click()
    page.wait_for_timeout(300)
    ran = page.evaluate("[window.__csp_handler, window.__csp_svg, window.__csp_inline, window.__csp_link]")
    assert ran == [None, None, None, None]
    page.evaluate(
        "document.querySelector('#csp-link').parentElement.remove(); document.querySelector('img[onerror]').remove()"
    )
    chat.send("Still working?")  # and the app itself runs under the policy
    expect(chat.last_answer()).to_contain_text("You said: Still working?")
